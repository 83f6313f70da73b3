"""An event's Teams page: the teams side by side, the plain form that drag and drop submits,
the other team actions through the services (logged), and refusals as messages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import OrganiserAction
from teams import services
from teams.models import Team, TeamMember, TeamSpaces
from tests.events.factories import EventFactory
from tests.teams.factories import going

from .conftest import csrf_post, log_in

pytestmark = pytest.mark.django_db


def page_url(event, tail: str = "") -> str:
    return f"/dashboard/g/{event.guild_id}/events/{event.id}/teams/{tail}"


@pytest.fixture
def relay(world):
    event = EventFactory(guild=world.cast.guild, title="Relay", starts_at=timezone.now() + timedelta(days=3))
    red = services.create_team(event.id, "Red", guild_id=None, now=timezone.now())
    blue = services.create_team(event.id, "Blue", guild_id=None, now=timezone.now())
    ana, ben = going(event, username="ana", display_name="Ana"), going(event, username="ben", display_name="Ben")
    services.place(event.id, red.id, ana.id, guild_id=None, now=timezone.now())
    return {"event": event, "red": red, "blue": blue, "ana": ana, "ben": ben}


def test_the_page_shows_the_teams_and_who_is_in_none_and_the_event_links_to_it(world, relay):
    event = relay["event"]
    olivia = log_in(world, "olivia")

    page = olivia.get(page_url(event))

    assert page.status_code == 200
    assert [(team.name, [m.member.username for m in members]) for team, members in page.context["teams"]] == [
        ("Red", ["ana"]),
        ("Blue", []),
    ]
    assert [m.username for m in page.context["unplaced"]] == ["ben"]
    html = page.content.decode()
    assert f'data-team="{relay["red"].id}"' in html and f'data-member="{relay["ben"].id}"' in html
    assert page_url(event) in olivia.get(f"/dashboard/g/{event.guild_id}/events/{event.id}/").content.decode()


def test_the_place_form_moves_a_member_once_and_is_logged(world, relay):
    event, blue, ana = relay["event"], relay["blue"], relay["ana"]
    olivia = log_in(world, "olivia")

    done = csrf_post(olivia, page_url(event, "place/"), {"team": blue.id, "member": ana.id}, page=page_url(event))
    again = csrf_post(olivia, page_url(event, "place/"), {"team": blue.id, "member": ana.id}, page=page_url(event))

    assert (done.status_code, done["Location"], again.status_code) == (302, page_url(event), 302)
    assert list(TeamMember.objects.filter(event=event).values_list("member__username", "team__name")) == [
        ("ana", "Blue")
    ]
    [action] = OrganiserAction.objects.filter(action="placed member")
    assert (action.object_id, action.detail, action.actor) == (blue.id, "Ana in Blue", "Olivia")


def test_a_member_who_is_not_going_is_a_message_not_a_500(world, relay):
    event, red = relay["event"], relay["red"]
    olivia = log_in(world, "olivia")
    alice = world.cast.member.member

    done = csrf_post(olivia, page_url(event, "place/"), {"team": red.id, "member": alice.id}, page=page_url(event))

    assert done.status_code == 302
    assert "That member is not going to this event." in olivia.get(page_url(event)).content.decode()
    assert not TeamMember.objects.filter(member=alice).exists()


def test_another_events_team_is_404(world, relay):
    other = EventFactory(guild=world.cast.outsider.guild, starts_at=timezone.now() + timedelta(days=3))
    theirs = Team.objects.create(event=other, guild=other.guild, name="Theirs")
    olivia = log_in(world, "olivia")
    data = {"team": theirs.id, "member": relay["ben"].id}

    assert csrf_post(olivia, page_url(relay["event"], "place/"), data, page=page_url(relay["event"])).status_code == 404


def test_make_rename_split_and_delete_go_through_the_services(world, relay):
    event = relay["event"]
    olivia = log_in(world, "olivia")

    csrf_post(olivia, page_url(event, "create/"), {"name": "Green"}, page=page_url(event))
    green = Team.objects.get(event=event, name="Green")
    csrf_post(olivia, page_url(event, "rename/"), {"team": green.id, "name": "Lime"}, page=page_url(event))
    csrf_post(olivia, page_url(event, "auto/"), {"teams": "3", "by": "count"}, page=page_url(event))
    assert TeamMember.objects.get(event=event, member=relay["ben"]).team.name == "Blue"  # the emptiest, first
    csrf_post(olivia, page_url(event, "delete/"), {"team": relay["blue"].id}, page=page_url(event))

    assert [(t.name, t.renamed) for t in Team.objects.filter(event=event)] == [("Red", False), ("Lime", True)]
    assert not TeamMember.objects.filter(event=event, member=relay["ben"]).exists()
    logged = list(OrganiserAction.objects.order_by("id").values_list("action", flat=True))
    assert logged == ["made team", "renamed team", "split teams", "deleted team"]


def test_spaces_are_set_unchecked_and_a_bad_cleanup_is_refused(world, relay):
    event = relay["event"]
    olivia = log_in(world, "olivia")

    csrf_post(
        olivia, page_url(event, "spaces/"), {"role": "on", "room": "thread", "cleanup_days": "3"}, page=page_url(event)
    )
    refused = csrf_post(
        olivia, page_url(event, "spaces/"), {"room": "thread", "cleanup_days": "90"}, page=page_url(event)
    )

    held = TeamSpaces.objects.get(event=event)
    assert (held.role, held.room, held.voice, held.cleanup_after) == (True, "thread", False, timedelta(days=3))
    assert refused.status_code == 302
    assert "The cleanup comes 1 to 30 days after the event" in olivia.get(page_url(event)).content.decode()
