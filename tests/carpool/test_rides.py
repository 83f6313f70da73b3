"""Rides: offering, asking, joining, leaving, cancelling, and the bad input each refuses."""

from datetime import timedelta

import pytest

from carpool.models import Ride, RideRequest, Seat
from carpool.services import Offer, add_area, cancel_ride, join_ride, leave_ride, offer_ride, remove_area
from core.errors import RuleError
from core.models import OutboundMessage
from tests.carpool.factories import START, going, logistics_event, need, offer
from tests.events.factories import NOW, EventFactory
from tests.factories import GuildFactory, MemberFactory

pytestmark = pytest.mark.django_db


def dms(member):
    return list(
        OutboundMessage.objects.filter(member_id=member.id).order_by("id").values_list("idempotency_key", flat=True)
    )


def test_it_offers_a_ride_to_the_event():
    event = logistics_event()
    ride = offer(event, seats=3, area="North", notes="Estate car, room for bags")
    assert (ride.direction, ride.seats, ride.area, ride.departs_at, ride.pair_id) == (
        "to",
        3,
        "North",
        START - timedelta(hours=2),
        None,
    )
    assert ride.notes == "Estate car, room for bags"


def test_a_ride_both_ways_is_two_linked_legs_the_back_leg_at_the_events_end_by_default():
    event = logistics_event()
    there, back = offer(event, direction="both")
    assert (there.direction, back.direction) == ("to", "back")
    assert (there.pair_id, back.pair_id) == (back.id, there.id)
    assert back.departs_at == event.ends_at


def test_a_ride_both_ways_takes_its_own_return_time():
    event = logistics_event()
    _, back = offer(event, direction="both", returns_at=START + timedelta(hours=30))
    assert back.departs_at == START + timedelta(hours=30)


@pytest.mark.parametrize("seats", [0, 9])
def test_it_refuses_seats_out_of_range(seats):
    event = logistics_event()
    with pytest.raises(RuleError, match=r"^Offer 1 to 8 seats \(not counting yourself\)\.$"):
        offer(event, seats=seats)
    assert Ride.objects.count() == 0


def test_it_refuses_a_departure_more_than_a_day_from_the_event():
    event = logistics_event()
    with pytest.raises(
        RuleError, match=r"^The departure must be within 24 hours of the event; pick a time closer to it\.$"
    ):
        offer(event, leaves=START - timedelta(hours=25))
    with pytest.raises(
        RuleError, match=r"^The departure must be within 24 hours of the event; pick a time closer to it\.$"
    ):
        offer(event, direction="back", leaves=event.ends_at + timedelta(hours=25))
    assert Ride.objects.count() == 0


def test_it_refuses_rides_for_an_event_that_started_was_cancelled_or_is_elsewhere():
    started = logistics_event(starts_at=NOW - timedelta(minutes=1), ends_at=NOW + timedelta(hours=3))
    with pytest.raises(RuleError, match=r"^This event has already started\.$"):
        offer(started, leaves=NOW + timedelta(hours=1))
    cancelled = logistics_event(status="cancelled")
    with pytest.raises(RuleError, match=r"^This event is cancelled\.$"):
        offer(cancelled)
    elsewhere = logistics_event()
    driver = going(elsewhere)
    with pytest.raises(RuleError, match=r"^There is no such event in this server\.$"):
        offer_ride(
            elsewhere.id,
            driver.id,
            Offer(seats=2, area="North", departs_at=START - timedelta(hours=1)),
            guild_id=GuildFactory().id,
            now=NOW,
        )
    assert Ride.objects.count() == 0


def test_only_members_who_are_going_offer_or_ask():
    event = logistics_event()
    stranger = MemberFactory()
    with pytest.raises(
        RuleError, match=r"^Click Going on the event first: rides and rooms are for members who are going\.$"
    ):
        offer(event, stranger)
    with pytest.raises(
        RuleError, match=r"^Click Going on the event first: rides and rooms are for members who are going\.$"
    ):
        need(event, stranger)


def test_areas_the_guild_keeps_are_the_only_ones_accepted_whatever_the_case():
    event = logistics_event()
    add_area(event.guild_id, "North")
    add_area(event.guild_id, "Airport")
    assert offer(event, area="airport").area == "Airport"
    with pytest.raises(RuleError, match=r"^Pick one of this server's areas: Airport, North\.$"):
        offer(event, area="Down the road")
    with pytest.raises(RuleError, match=r"^north is already an area\.$"):
        add_area(event.guild_id, "north")
    remove_area(event.guild_id, "NORTH")
    with pytest.raises(RuleError, match=r"^There is no area called North\.$"):
        remove_area(event.guild_id, "North")


def test_without_areas_free_text_of_at_most_50_characters():
    event = logistics_event()
    with pytest.raises(RuleError, match=r"^The area can be at most 50 characters; this one has 51\.$"):
        offer(event, area="x" * 51)


def test_joining_takes_a_seat_and_tells_both_with_each_others_names():
    event = logistics_event()
    driver, alice = (
        going(event, username="dora", display_name="Dora"),
        going(event, username="alice", display_name="Alice"),
    )
    ride = offer(event, driver, seats=2)
    seat = join_ride(ride.id, alice.id, guild_id=event.guild_id, sequence=5, now=NOW)
    assert (seat.ride_id, seat.member_id, seat.places) == (ride.id, alice.id, 1)
    assert dms(alice) == [f"ride-seat:{seat.id}:passenger"]
    assert dms(driver) == [f"ride-seat:{seat.id}:driver"]
    told = OutboundMessage.objects.get(idempotency_key=f"ride-seat:{seat.id}:passenger").payload["content"]
    assert f"Dora (<@{driver.id}>) drives, leaving <t:{int(ride.departs_at.timestamp())}:F> from North" in told
    driver_told = OutboundMessage.objects.get(idempotency_key=f"ride-seat:{seat.id}:driver").payload["content"]
    assert driver_told.startswith(f"Alice (<@{alice.id}>) rides with you to the event")


def test_it_refuses_joining_your_own_ride_a_full_one_and_two_rides_for_one_leg():
    event = logistics_event()
    ride, other = offer(event, seats=1), offer(event, seats=2)
    with pytest.raises(RuleError, match=r"^This is your own ride: passengers join it, you drive it\.$"):
        join_ride(ride.id, ride.driver_id, guild_id=None, sequence=1, now=NOW)
    alice, bob = going(event), going(event)
    join_ride(ride.id, alice.id, guild_id=None, sequence=1, now=NOW)
    with pytest.raises(
        RuleError, match=r"^This car is full: pick another ride, or `/ride need` to be matched when one has room\.$"
    ):
        join_ride(ride.id, bob.id, guild_id=None, sequence=2, now=NOW)
    with pytest.raises(RuleError, match=rf"^You already have a seat in ride {ride.id} to the event: leave it first\.$"):
        join_ride(other.id, alice.id, guild_id=None, sequence=3, now=NOW)
    assert Seat.objects.filter(ride=ride).count() == 1
    assert Seat.objects.filter(ride=other).count() == 0


def test_a_seat_on_the_way_there_and_one_back_are_two_legs():
    event = logistics_event()
    there, back = offer(event, direction="both", seats=1)
    alice = going(event)
    join_ride(there.id, alice.id, guild_id=None, sequence=1, now=NOW)
    join_ride(back.id, alice.id, guild_id=None, sequence=2, now=NOW)
    assert sorted(Seat.objects.filter(member=alice).values_list("direction", flat=True)) == ["back", "to"]


def test_leaving_frees_the_seat_for_the_next_matching_request_and_tells_the_driver():
    event = logistics_event()
    ride = offer(event, seats=1)
    alice = going(event)
    seat = join_ride(ride.id, alice.id, guild_id=None, sequence=1, now=NOW)
    waiting = need(event, sequence=2)
    assert waiting.status == RideRequest.Status.OPEN
    leave_ride(ride.id, alice.id, guild_id=None, now=NOW)
    waiting.refresh_from_db()
    assert waiting.status == RideRequest.Status.SEATED
    assert list(Seat.objects.filter(ride=ride).values_list("member_id", flat=True)) == [waiting.member_id]
    assert f"ride-left:{seat.id}" in dms(ride.driver)
    with pytest.raises(RuleError, match=rf"^You have no seat in ride {ride.id}\.$"):
        leave_ride(ride.id, alice.id, guild_id=None, now=NOW)


def test_cancelling_frees_every_passenger_who_is_told_and_matched_again():
    event = logistics_event()
    ride = offer(event, seats=2)
    alice, bob = going(event), going(event)
    first = join_ride(ride.id, alice.id, guild_id=None, sequence=1, now=NOW)
    second = join_ride(ride.id, bob.id, guild_id=None, sequence=2, now=NOW)
    spare = offer(event, seats=1, leaves=START - timedelta(hours=3))
    with pytest.raises(RuleError, match=r"^Only its driver can cancel this ride\.$"):
        cancel_ride(ride.id, alice.id, guild_id=None, now=NOW)
    cancel_ride(ride.id, ride.driver_id, guild_id=None, now=NOW)
    assert Ride.objects.get(id=ride.id).status == "cancelled"
    assert f"ride-freed:{first.id}" in dms(alice) and f"ride-freed:{second.id}" in dms(bob)
    # The earliest of them (alice) takes the one seat left; bob waits.
    assert list(Seat.objects.filter(ride=spare).values_list("member_id", flat=True)) == [alice.id]
    assert RideRequest.objects.get(member=bob).status == RideRequest.Status.OPEN


def test_cancelling_one_leg_of_a_pair_cancels_both():
    event = logistics_event()
    there, back = offer(event, direction="both")
    assert [r.id for r in cancel_ride(back.id, back.driver_id, guild_id=None, now=NOW)] == [back.id, there.id]
    assert set(Ride.objects.values_list("status", flat=True)) == {"cancelled"}


def test_the_same_refusals_come_for_rides_of_another_server():
    event = logistics_event()
    ride = offer(event)
    with pytest.raises(RuleError, match=r"^There is no such ride in this server\.$"):
        join_ride(ride.id, going(event).id, guild_id=GuildFactory().id, sequence=1, now=NOW)


def test_an_event_without_logistics_still_takes_rides_but_its_post_looks_as_before():
    from events.discord.messages import event_message
    from events.models import Roster

    event = EventFactory()
    message = event_message(event, Roster(), now=NOW)
    assert message["embeds"][0]["footer"] == {"text": f"Event {event.id} · 0 can't go"}
    assert len(message["components"]) == 1
