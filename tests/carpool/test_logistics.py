"""The cross-check, the nudge, and what the event post shows of rides and rooms."""

from datetime import date, timedelta

import pytest

from carpool.logistics import Missing, missing, report, send_due_nudges, set_nudge
from carpool.rooms import RoomOffer, claim_bed, offer_room
from carpool.services import join_ride, sorted_self
from core.models import GuildMember, OutboundMessage
from events.discord.messages import event_message
from events.models import Registration
from events.services import edit_event
from tests.carpool.factories import START, going, logistics_event, need, offer
from tests.events.factories import NOW, EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def nudges():
    return sorted(
        OutboundMessage.objects.filter(idempotency_key__startswith="ride-nudge:").values_list("member_id", flat=True)
    )


def test_the_report_names_who_has_no_ride_each_way_and_no_bed_each_night():
    event = logistics_event()
    there, _back = offer(event, direction="both", seats=2)
    alice, bob, sorted_member = going(event), going(event), going(event)
    join_ride(there.id, alice.id, guild_id=None, sequence=1, now=NOW)
    sorted_self(event.id, sorted_member.id, guild_id=None, now=NOW)
    host = going(event)
    room = offer_room(event.id, host.id, RoomOffer(beds=2, place="Flat", nights="2026-06-14"), guild_id=None, now=NOW)
    claim_bed(room.id, alice.id, nights=None, guild_id=None, now=NOW)
    RegistrationFactory(event=event, status=Registration.Status.DECLINED)
    result = report(event)
    assert result.no_ride == {"to": [bob.id, host.id], "back": [alice.id, bob.id, host.id]}
    assert result.free_seats == {"to": 1, "back": 2}
    assert result.no_bed == {
        date(2026, 6, 14): [there.driver_id, bob.id, sorted_member.id],
        date(2026, 6, 15): [there.driver_id, alice.id, bob.id, sorted_member.id, host.id],
    }
    assert result.free_beds == {date(2026, 6, 14): 1, date(2026, 6, 15): 0}


def test_the_counts_for_many_events_are_the_reports_in_a_constant_number_of_queries(django_assert_num_queries):
    event = logistics_event()
    there, _back = offer(event, direction="both", seats=2)
    alice, bob = going(event), going(event)
    join_ride(there.id, alice.id, guild_id=None, sequence=1, now=NOW)
    room = offer_room(event.id, bob.id, RoomOffer(beds=2, place="Flat", nights="2026-06-14"), guild_id=None, now=NOW)
    claim_bed(room.id, alice.id, nights=None, guild_id=None, now=NOW)
    plain = EventFactory(guild=event.guild)  # needs neither: not counted
    expected = report(event)
    events = [type(event).objects.select_related("guild").get(pk=pk) for pk in (event.pk, plain.pk)]
    with django_assert_num_queries(6):
        found = missing(events)
    assert found == {
        event.id: Missing(
            no_ride={leg: len(members) for leg, members in expected.no_ride.items()},
            no_bed={night: len(members) for night, members in expected.no_bed.items()},
        )
    }
    assert found[event.id].no_ride == {"to": 1, "back": 2}


def test_the_nudge_goes_once_to_going_members_with_no_ride_nor_sorted():
    event = logistics_event()
    ride = offer(event, seats=1)
    seated, waiting, sorted_member = going(event), going(event), going(event)
    join_ride(ride.id, seated.id, guild_id=None, sequence=1, now=NOW)
    need(event, waiting, area="South", sequence=2)
    sorted_self(event.id, sorted_member.id, guild_id=None, now=NOW)
    RegistrationFactory(event=event, status=Registration.Status.DECLINED)
    RegistrationFactory(event=event, status=Registration.Status.MAYBE)
    set_nudge(event)
    assert send_due_nudges(now=START - timedelta(hours=49)) == 0
    assert send_due_nudges(now=START - timedelta(hours=48)) == 1
    assert send_due_nudges(now=START - timedelta(hours=47)) == 0
    assert nudges() == [waiting.id]
    payload = OutboundMessage.objects.get(idempotency_key=f"ride-nudge:{event.id}:{waiting.id}").payload
    labels = [button["label"] for button in payload["components"][0]["components"]]
    assert labels == ["See rides", "I'm sorted"]


def test_the_nudge_follows_a_moved_event_and_skips_one_that_needs_no_rides():
    event = logistics_event()
    going(event)
    set_nudge(event)
    edit_event(event.id, now=NOW, starts_at=START + timedelta(days=1))
    assert send_due_nudges(now=START - timedelta(hours=48)) == 0
    edit_event(event.id, now=NOW, needs_rides=False)
    assert send_due_nudges(now=START - timedelta(hours=24)) == 0
    assert nudges() == []


def test_the_post_of_an_event_with_rides_shows_the_buttons_and_the_footer_line():
    event = logistics_event()
    ride = offer(event, seats=4)
    other = offer(event, seats=8, leaves=START - timedelta(hours=5), area="South")
    for n in range(3):
        join_ride(ride.id, going(event).id, guild_id=None, sequence=n, now=NOW)
    need(event, area="East", sequence=10)
    need(event, area="West", sequence=11)
    assert other.seats == 8
    message = event_message(event, event.roster(), now=NOW)
    footer = message["embeds"][0]["footer"]["text"]
    assert footer == (
        f"Event {event.id} · 0 can't go\n"
        "Rides: 3 of 12 seats taken · 2 still need a ride\n"
        "Rooms: 0 of 0 bed-nights taken"
    )
    labels = [c["label"] for c in message["components"][1]["components"]]
    assert labels == ["Rides", "Rooms"]
    ids = [c["custom_id"] for c in message["components"][1]["components"]]
    assert ids == [f"ride:board:{event.id}", f"room:board:{event.id}"]


def test_an_event_needing_only_rides_has_only_the_rides_button():
    event = EventFactory(needs_rides=True)
    message = event_message(event, event.roster(), now=NOW)
    assert [c["label"] for c in message["components"][1]["components"]] == ["Rides"]
    assert message["embeds"][0]["footer"]["text"].endswith("\nRides: 0 of 0 seats taken · 0 still need a ride")


def test_an_event_that_needs_rides_is_nudged_48_hours_before_without_anyone_setting_it():
    event = logistics_event()
    member = going(event)
    assert send_due_nudges(now=START - timedelta(hours=49)) == 0
    assert send_due_nudges(now=START - timedelta(hours=48)) == 1
    assert nudges() == [member.id]


def test_the_nudge_asks_core_whether_each_member_may_be_nudged():
    # Given three going members with no ride: one left the server, one's DMs are closed
    event = logistics_event()
    stays, leaves, closed = going(event), going(event), going(event, dms_closed_at=NOW)
    GuildMember.objects.filter(member=leaves).update(left_at=NOW)

    # When the nudge is due
    assert send_due_nudges(now=START - timedelta(hours=48)) == 1

    # Then only the one who may be nudged gets it
    assert nudges() == [stays.id]
    assert closed.id not in nudges()
