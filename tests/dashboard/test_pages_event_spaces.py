"""An event's thread, private channel and attendee role on the dashboard's event form, as
/event edit sets them (events.spaces.configure): olivia gives and changes them, a category
must be one Muster knows in the event's guild, and otto (another guild's organiser) reaches none."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import RuleError
from core.models import OrganiserAction
from events import spaces
from events.models import Event, EventSpace, SpaceKind
from tests.events.factories import EventFactory

from .conftest import csrf_post, log_in
from .test_guild_pages import CHANNEL, hq, olivia  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db
CATEGORY, THEIRS = 700_000_000_000_000_501, 700_000_000_000_000_502


def form_data(page) -> dict:
    data = {name: value for name, value in page.context["form"].initial.items() if value is not None}
    for name in ("needs_rides", "needs_rooms", "include_waitlist", "attendee_role"):
        data[name] = "on" if data.pop(name, False) else ""
    return data


@pytest.fixture
def categories(world, hq):  # noqa: F811
    spaces.set_defaults(hq, category_id=CATEGORY)  # chosen once in Discord: /event defaults space_category:
    spaces.set_defaults(world.cast.outsider.guild, category_id=THEIRS)


def test_creating_an_event_with_a_private_channel_in_a_known_category_and_an_attendee_role(
    world,
    hq,  # noqa: F811
    olivia,  # noqa: F811
    categories,
):
    url = f"/dashboard/g/{hq.id}/events/new/"
    offered = dict(olivia.get(url).context["form"].fields["space_category"].choices)
    assert str(CATEGORY) in offered and str(THEIRS) not in offered

    form = {"title": "Away game", "start": "in 3 days", "channel": CHANNEL, "space": "channel"}
    done = csrf_post(olivia, url, {**form, "space_category": str(CATEGORY), "attendee_role": "on"})

    event = Event.objects.get(title="Away game")
    assert done.status_code == 302
    space = EventSpace.objects.get(event=event)
    assert (space.kind, space.category_id, space.attendee_role, space.include_waitlist) == (
        SpaceKind.CHANNEL,
        CATEGORY,
        True,
        False,
    )
    assert space.requested_by_id == world.cast.organiser.member_id  # told of a missing permission
    [action] = OrganiserAction.objects.filter(guild=hq, action="created event")
    assert action.detail.endswith(", with a private channel and attendee role")


def test_a_category_of_another_guild_is_a_form_error_on_create_and_edit_and_refused_by_the_service(
    world,
    hq,  # noqa: F811
    olivia,  # noqa: F811
    categories,
):
    created = csrf_post(
        olivia,
        f"/dashboard/g/{hq.id}/events/new/",
        {"title": "Away", "start": "in 3 days", "channel": CHANNEL, "space": "channel", "space_category": THEIRS},
    )
    event = EventFactory(guild=hq, starts_at=timezone.now() + timedelta(days=3))
    url = f"/dashboard/g/{hq.id}/events/{event.id}/edit/"
    data = form_data(olivia.get(url))
    edited = csrf_post(olivia, url, {**data, "space": "channel", "space_category": str(THEIRS)})

    assert created.status_code == edited.status_code == 400
    assert "Select a valid choice." in created.content.decode() and "Select a valid choice." in edited.content.decode()
    assert not Event.objects.filter(title="Away").exists()
    assert not EventSpace.objects.filter(event=event).exists()
    with pytest.raises(RuleError, match=r"^That category is not one Muster knows in Muster HQ: choose it once"):
        spaces.configure(event.id, member_id=None, kind=SpaceKind.CHANNEL, category_id=THEIRS, check=False)


def test_editing_gives_an_event_a_thread_and_the_services_refusals_are_form_errors(
    hq,  # noqa: F811
    olivia,  # noqa: F811
):
    event = EventFactory(guild=hq, title="Picnic", starts_at=timezone.now() + timedelta(days=3))
    url = f"/dashboard/g/{hq.id}/events/{event.id}/edit/"
    data = form_data(olivia.get(url))
    assert (data["space"], data["attendee_role"]) == (SpaceKind.NONE, "")

    done = csrf_post(olivia, url, {**data, "space": "thread", "include_waitlist": "on"})

    assert done.status_code == 302
    assert (
        "Muster makes its thread, channel or role in Discord within a minute"
        in olivia.get(done["Location"]).content.decode()
    )
    space = EventSpace.objects.get(event=event)
    assert (space.kind, space.include_waitlist, space.attendee_role) == (SpaceKind.THREAD, True, False)
    [action] = OrganiserAction.objects.filter(guild=hq, action="edited event")
    assert action.detail == "changed space"

    shown = olivia.get(f"/dashboard/g/{hq.id}/events/{event.id}/").content.decode()
    assert "<th>Thread, channel and role</th><td>A thread (being made) (the waitlist too); cleaned up " in shown

    problem = "Muster cannot make the thread of Picnic: give its role Manage Threads in the post's channel."
    EventSpace.objects.filter(event=event).update(channel_id=700_000_000_000_000_601, problem=problem)  # made
    shown = olivia.get(f"/dashboard/g/{hq.id}/events/{event.id}/").content.decode()
    assert "Thread #700000000000000601 (the waitlist too); cleaned up " in shown
    assert "Stuck: Muster cannot make the thread of Picnic: give its role Manage Threads" in shown
    data = form_data(olivia.get(url))
    assert (data["space"], data["include_waitlist"]) == (SpaceKind.THREAD, "on")
    refused = csrf_post(olivia, url, {**data, "space": "channel", "title": "Picnic!"})

    assert refused.status_code == 400
    assert "This event already has a thread; it stays until its cleanup." in refused.content.decode()
    event.refresh_from_db()
    assert event.title == "Picnic"  # the refusal takes the whole edit back
    assert EventSpace.objects.get(event=event).kind == SpaceKind.THREAD
    assert OrganiserAction.objects.filter(guild=hq, action="edited event").count() == 1


def test_a_series_from_the_form_takes_the_servers_defaults(hq, olivia):  # noqa: F811
    form = {"title": "Choir", "start": "in 3 days", "channel": CHANNEL, "repeat": "weekly", "space": "thread"}

    page = csrf_post(olivia, f"/dashboard/g/{hq.id}/events/new/", form)

    assert page.status_code == 400
    assert "A series&#x27; occurrences take the server&#x27;s thread, channel and role defaults" in (
        page.content.decode()
    )
    assert not Event.objects.exists()


def test_an_organiser_of_another_guild_cannot_set_an_events_space(world, hq):  # noqa: F811
    otto = log_in(world, "otto")
    event = EventFactory(guild=hq, starts_at=timezone.now() + timedelta(days=3))
    form = {"title": "Mine now", "start": "in 3 days", "space": "channel", "attendee_role": "on"}

    for guild_id in (hq.id, world.other_organiser.guild_id):
        url = f"/dashboard/g/{guild_id}/events/{event.id}/edit/"
        assert otto.get(url).status_code == 404
        assert csrf_post(otto, url, form, page="/dashboard/").status_code == 404

    assert not EventSpace.objects.filter(event=event).exists()
