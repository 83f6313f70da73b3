"""The club's roster in the admin (community.roster): shown, never changed, and to an organiser
only their own guild's.

otto organises Elsewhere: Muster HQ's roster and its lines are nowhere in his lists and every
page of them answers 404; olivia (Muster HQ) and operators look at them, read only.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from community.models import Roster, RosterEntry
from tests.factories import SuperuserFactory

from .conftest import csrf_post, log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def hq_roster(world):
    guild = world.cast.guild
    roster = Roster.objects.create(guild=guild, source="club.csv", member_role_id=guild.id + 7)
    lines = [
        RosterEntry.objects.create(guild=guild, line=2, username="alice", external_id="C-104", roles=["Driver"]),
        RosterEntry.objects.create(guild=guild, line=3, discord_id=world.cast.member.member_id, external_id="C-117"),
    ]
    return roster, lines


def url(obj, page: str) -> str:
    info = obj._meta.app_label, obj._meta.model_name, page
    return reverse("admin:{}_{}_{}".format(*info), args=[obj.pk] if page != "changelist" else [])


def listed(client, model) -> list:
    response = client.get(reverse(f"admin:community_{model._meta.model_name}_changelist"))
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_an_organiser_of_another_guild_sees_none_of_the_roster_and_gets_404_on_its_pages(world, hq_roster):
    roster, lines = hq_roster
    client = log_in(world, "otto")

    assert (listed(client, Roster), listed(client, RosterEntry)) == ([], [])
    searched = client.get(reverse("admin:community_rosterentry_changelist"), {"q": "alice"})
    assert list(searched.context["cl"].result_list) == []
    pages = {
        (type(obj).__name__, page): client.get(url(obj, page)).status_code
        for obj in (roster, *lines)
        for page in ("change", "history", "delete")
    }
    assert set(pages.values()) == {404}, pages
    changed = csrf_post(client, url(roster, "change"), {"source": "mine.csv"}, page=url(roster, "changelist"))
    deleted = csrf_post(client, url(lines[0], "delete"), {"post": "yes"}, page=url(lines[0], "changelist"))
    assert (changed.status_code, deleted.status_code) == (404, 404)
    assert Roster.objects.get().source == "club.csv"
    assert RosterEntry.objects.count() == 2


def test_the_organiser_of_the_guild_looks_at_the_roster_and_its_lines_read_only(world, hq_roster):
    roster, lines = hq_roster
    client = log_in(world, "olivia")

    assert [r.pk for r in listed(client, Roster)] == [roster.pk]
    assert listed(client, Roster)[0].entries == 2
    assert [e.line for e in listed(client, RosterEntry)] == [2, 3]
    page = client.get(url(lines[0], "change"))
    assert page.status_code == 200
    assert (page.context["has_change_permission"], page.context["has_delete_permission"]) == (False, False)
    assert "C-104" in page.content.decode()
    assert client.get(reverse("admin:community_rosterentry_add")).status_code == 403
    changed = csrf_post(client, url(roster, "change"), {"source": "mine.csv"}, page=url(roster, "changelist"))
    assert changed.status_code == 403
    assert Roster.objects.get().source == "club.csv"


def test_operators_see_every_roster_but_change_none(world, hq_roster, client):
    roster, lines = hq_roster
    Roster.objects.create(guild=world.cast.outsider.guild, source="other.csv")
    client.force_login(SuperuserFactory())

    assert len(listed(client, Roster)) == 2
    assert client.get(url(roster, "change")).context["has_change_permission"] is False
    assert client.get(reverse("admin:community_roster_add")).status_code == 403
    assert client.get(url(lines[0], "delete")).status_code == 403
    assert client.post(url(roster, "change"), {"source": "mine.csv"}).status_code == 403
    assert Roster.objects.get(guild=roster.guild).source == "club.csv"
