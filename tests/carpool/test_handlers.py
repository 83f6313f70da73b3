"""The worker-side handlers of /ride, /room, /event logistics and their buttons."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from carpool.models import Ride, SortedSelf
from core.errors import RuleError
from core.timeparse import describe
from tests.cast import handle
from tests.events.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(cast):
    start = (timezone.now() + timedelta(days=10)).replace(second=0, microsecond=0)
    event = EventFactory(guild=cast.guild, starts_at=start, ends_at=start + timedelta(hours=5), needs_rides=True)
    for who in (cast.organiser, cast.member):
        RegistrationFactory(event=event, member=who.member)
    return event


def command(cast, who, path, **options):
    return cast.interaction(who, command=path, options=options)


def test_an_offer_reads_the_departure_in_the_drivers_zone_and_echoes_it(cast, event):
    paris = ZoneInfo("Europe/Paris")
    leaves = (event.starts_at - timedelta(hours=2)).astimezone(paris)
    reply = handle(
        command(
            cast,
            cast.member,
            "ride offer",
            event=event.id,
            seats=3,
            **{"from": "North"},
            leaves=f"{leaves:%Y-%m-%d %H:%M}",
        )
    )
    ride = Ride.objects.get()
    assert ride.departs_at == leaves
    assert reply.content == (
        f"Offered 3 seats from North: ride {ride.id} to the event leaves <t:{int(leaves.timestamp())}:F> "
        f"(read as {describe(leaves, paris)})."
    )


def test_ride_need_myself_marks_the_member_sorted(cast, event):
    reply = handle(command(cast, cast.member, "ride need", event=event.id, myself=True))
    assert reply.content == "Noted: you get there yourself. No reminder about rides will come."
    assert SortedSelf.objects.filter(event=event, member_id=cast.member.member_id).count() == 1


def test_ride_need_without_an_area_says_what_to_add(cast, event):
    with pytest.raises(RuleError, match=r"^Say where you leave from: an area, never an address\.$"):
        handle(command(cast, cast.member, "ride need", event=event.id))


def test_the_rides_button_lists_rides_with_join_buttons(cast, event):
    leaves = event.starts_at - timedelta(hours=1)
    handle(
        command(
            cast,
            cast.organiser,
            "ride offer",
            event=event.id,
            seats=2,
            **{"from": "North"},
            leaves=f"{leaves:%Y-%m-%d %H:%M} utc",
        )
    )
    ride = Ride.objects.get()
    reply = handle(cast.interaction(cast.member, kind="component", custom_id=f"ride:board:{event.id}"))
    assert reply.content.splitlines()[1].startswith(f"`{ride.id}` to the event from North, leaves")
    labels = [b["label"] for b in reply.components[0]["components"]]
    assert labels == [f"Join ride {ride.id}", "Offer a ride", "I'll get there myself"]
    joined = handle(cast.interaction(cast.member, kind="component", custom_id=f"ride:join:{ride.id}"))
    assert joined.content.startswith(
        f"You have a seat in ride {ride.id} to the event with <@{cast.organiser.member_id}>"
    )


def test_event_logistics_is_for_organisers_and_names_who_has_no_ride(cast, event):
    from core.interactions import routing

    route = routing.find(command(cast, cast.member, "event logistics", event=event.id))
    assert route.permits(command(cast, cast.member, "event logistics", event=event.id)) is False
    reply = handle(command(cast, cast.organiser, "event logistics", event=event.id))
    first, second = cast.organiser.member_id, cast.member.member_id
    assert reply.content.splitlines() == [
        f"Logistics for **{event.title}**: 2 going.",
        f"No ride to the event: <@{first}>, <@{second}> · 0 free seats",
        f"No ride back: <@{first}>, <@{second}> · 0 free seats",
        "Unmatched requests: 0",
    ]


def test_event_logistics_refuses_an_event_that_needs_neither(cast):
    plain = EventFactory(guild=cast.guild)
    with pytest.raises(
        RuleError, match=r"^This event needs neither rides nor rooms: turn them on with /event edit needs_rides:True\.$"
    ):
        handle(command(cast, cast.organiser, "event logistics", event=plain.id))


def test_areas_are_kept_by_organisers(cast):
    assert handle(command(cast, cast.organiser, "ride areas add", name="Airport")).content == (
        "Added the area Airport; rides now pick from this server's areas."
    )
    assert handle(command(cast, cast.member, "ride areas list")).content == "Areas: Airport."


def test_a_room_is_offered_and_claimed_from_discord(cast, event):
    night = event.starts_at.astimezone(ZoneInfo("Europe/Paris")).date()
    reply = handle(command(cast, cast.organiser, "room offer", event=event.id, beds=2, place="Tent"))
    assert reply.content.endswith(f"2 beds in Tent, nights {night:%Y-%m-%d} to {night:%Y-%m-%d}.")
    room_id = int(reply.content.split()[2].rstrip(":"))
    claimed = handle(cast.interaction(cast.member, kind="component", custom_id=f"room:claim:{room_id}"))
    assert claimed.content == f"You have a bed in room {room_id} for {night:%a %d %b}."


def test_event_logistics_sets_the_nudge_time(cast, event):
    reply = handle(command(cast, cast.organiser, "event logistics", event=event.id, nudge="36h"))
    due = event.starts_at - timedelta(hours=36)
    assert reply.content.splitlines()[-1] == f"Members with no ride get one DM <t:{int(due.timestamp())}:F>."
    with pytest.raises(RuleError, match=r"^Give one time for the nudge, like 2d or 36h\.$"):
        handle(command(cast, cast.organiser, "event logistics", event=event.id, nudge="2d,1d"))
