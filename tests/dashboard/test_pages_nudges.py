"""Who is expected to answer and when they are nudged, set on the dashboard's event forms."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.models import GuildMember
from events.models import Event

from .conftest import csrf_post
from .test_guild_pages import CHANNEL, hq, olivia  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db
ROLE = 500_000_000_000_000_009


def test_creating_an_event_that_expects_everyone_with_nudges(world, hq, olivia):  # noqa: F811
    url = f"/dashboard/g/{hq.id}/events/new/"
    form = {"title": "AGM", "start": "in 5 days", "channel": CHANNEL, "expected": str(hq.id), "nudges": "3d, 1d"}

    done = csrf_post(olivia, url, form)

    assert done.status_code == 302
    event = Event.objects.get(title="AGM")
    assert event.expected_role_id == hq.id
    assert sorted(event.nudges.values_list("offset", flat=True)) == [timedelta(days=1), timedelta(days=3)]


def test_editing_offers_the_roles_members_hold_and_refuses_nudges_without_anyone_expected(world, hq, olivia):  # noqa: F811
    GuildMember.objects.filter(guild=hq, member=world.cast.member.member).update(role_ids=[ROLE])
    csrf_post(olivia, f"/dashboard/g/{hq.id}/events/new/", {"title": "Gig", "start": "in 5 days", "channel": CHANNEL})
    event = Event.objects.get(title="Gig")
    url = f"/dashboard/g/{hq.id}/events/{event.id}/edit/"
    page = olivia.get(url)
    choices = [value for value, _ in page.context["form"].fields["expected"].choices]
    assert choices[:2] == ["", str(hq.id)]  # nobody, everyone
    assert str(ROLE) in choices
    data = {name: value for name, value in page.context["form"].initial.items() if value is not None}
    data["needs_rides"] = "on" if data.pop("needs_rides") else ""
    data.pop("needs_rooms")

    refused = csrf_post(olivia, url, {**data, "nudges": "1d"})
    assert refused.status_code == 400
    assert "Nudges need someone to nudge" in refused.content.decode()

    done = csrf_post(olivia, url, {**data, "expected": str(ROLE), "nudges": "1d"})
    assert done.status_code == 302
    event.refresh_from_db()
    assert event.expected_role_id == ROLE
    assert list(event.nudges.values_list("offset", flat=True)) == [timedelta(days=1)]
