"""Cascades through core.hooks: events' own services change registrations; carpool follows."""

from datetime import timedelta

import pytest

from carpool.models import BedClaim, Ride, RideRequest, Room, Seat
from carpool.rooms import RoomOffer, claim_bed, offer_room
from carpool.services import join_ride
from core import hooks
from core.models import OutboundMessage
from events.models import Registration
from events.services import cancel_event, edit_event, remove_registration, respond
from tests.carpool.factories import START, going, logistics_event, need, offer
from tests.events.factories import NOW, RegistrationFactory
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db
Status = Registration.Status


def keys(prefix):
    return sorted(
        OutboundMessage.objects.filter(idempotency_key__startswith=prefix).values_list("idempotency_key", flat=True)
    )


def test_every_hook_names_its_arguments_and_refuses_others():
    assert hooks.registration_status_changed.arguments == ("event_id", "member_id", "old", "new")
    assert hooks.event_moved.arguments == ("event_id", "old_start", "new_start")
    with pytest.raises(TypeError, match=r"^hook event_cancelled takes event_id; got event, id$"):
        hooks.event_cancelled.call(event=1, id=2)


def test_a_driver_who_cant_go_frees_their_passengers_who_are_told_and_matched_again():
    event = logistics_event()
    ride = offer(event, seats=2)
    alice = going(event)
    seat = join_ride(ride.id, alice.id, guild_id=None, sequence=1, now=NOW)
    other = offer(event, seats=1, leaves=START - timedelta(hours=1))
    respond(event.id, ride.driver_id, Status.DECLINED, sequence=99, now=NOW)
    assert Ride.objects.get(id=ride.id).status == "cancelled"
    assert keys("ride-freed:") == [f"ride-freed:{seat.id}"]
    assert list(Seat.objects.filter(ride=other).values_list("member_id", flat=True)) == [alice.id]


def test_a_passenger_who_stops_going_loses_their_seat_to_the_next_matching_request():
    event = logistics_event()
    ride = offer(event, seats=1)
    alice = going(event)
    seat = join_ride(ride.id, alice.id, guild_id=None, sequence=1, now=NOW)
    waiting = need(event, sequence=2)
    respond(event.id, alice.id, Status.MAYBE, sequence=50, now=NOW)
    assert list(Seat.objects.filter(ride=ride).values_list("member_id", flat=True)) == [waiting.member_id]
    assert keys("ride-left:") == [f"ride-left:{seat.id}"]
    assert RideRequest.objects.get(member=alice).status == "withdrawn"


def test_a_removed_registration_cascades_like_cant_go():
    event = logistics_event()
    ride = offer(event, seats=1)
    alice = going(event)
    join_ride(ride.id, alice.id, guild_id=None, sequence=1, now=NOW)
    remove_registration(event.id, alice.id, now=NOW)
    assert Seat.objects.count() == 0


def test_a_member_promoted_from_the_waitlist_is_reported_going_and_keeps_nothing_else():
    event = logistics_event(capacity=1)
    seen = []
    hooks.registration_status_changed.subscribe(seen_hook := lambda **kw: seen.append(kw))
    try:
        first, second = MemberFactory(), MemberFactory()
        respond(event.id, first.id, Status.GOING, sequence=1, now=NOW)
        respond(event.id, second.id, Status.GOING, sequence=2, now=NOW)
        respond(event.id, first.id, Status.DECLINED, sequence=3, now=NOW)
    finally:
        hooks.registration_status_changed._subscribers.remove(seen_hook)
    assert [(kw["member_id"], kw["old"], kw["new"]) for kw in seen] == [
        (first.id, None, "going"),
        (second.id, None, "waitlisted"),
        (first.id, "going", "declined"),
        (second.id, "waitlisted", "going"),
    ]


def test_a_host_who_cant_go_cancels_the_room_and_sleepers_are_told_once():
    event = logistics_event()
    host, alice = going(event), going(event)
    room = offer_room(event.id, host.id, RoomOffer(beds=2, place="Flat"), guild_id=None, now=NOW)
    claim_bed(room.id, alice.id, nights=None, guild_id=None, now=NOW)
    respond(event.id, host.id, Status.DECLINED, sequence=9, now=NOW)
    assert Room.objects.get(id=room.id).status == "cancelled"
    assert BedClaim.objects.count() == 0
    assert len(keys("bed-freed:")) == 1


def test_a_sleeper_who_stops_going_frees_their_beds():
    event = logistics_event()
    host, alice = going(event), going(event)
    room = offer_room(event.id, host.id, RoomOffer(beds=1, place="Flat"), guild_id=None, now=NOW)
    claim_bed(room.id, alice.id, nights=None, guild_id=None, now=NOW)
    respond(event.id, alice.id, Status.DECLINED, sequence=9, now=NOW)
    assert BedClaim.objects.count() == 0


def test_a_cancelled_event_tells_every_driver_passenger_host_and_sleeper_once():
    event = logistics_event()
    ride = offer(event, seats=2)
    alice, host, sleeper = going(event), going(event), going(event)
    join_ride(ride.id, alice.id, guild_id=None, sequence=1, now=NOW)
    room = offer_room(event.id, host.id, RoomOffer(beds=2, place="Tent"), guild_id=None, now=NOW)
    claim_bed(room.id, sleeper.id, nights=None, guild_id=None, now=NOW)
    bystander = RegistrationFactory(event=event).member
    cancel_event(event.id, now=NOW)
    told = sorted(m.id for m in (ride.driver, alice, host, sleeper))
    assert keys("logistics-cancelled:") == sorted(f"logistics-cancelled:{event.id}:{m}" for m in told)
    assert bystander.id not in told
    assert set(Ride.objects.values_list("status", flat=True)) == {"cancelled"}
    assert set(Room.objects.values_list("status", flat=True)) == {"cancelled"}
    assert keys("ride-freed:") == []


def test_a_moved_event_tells_every_driver_and_passenger_once_per_move():
    event = logistics_event()
    ride = offer(event, seats=2)
    alice = going(event)
    join_ride(ride.id, alice.id, guild_id=None, sequence=1, now=NOW)
    new_start = START + timedelta(hours=2)
    edit_event(event.id, now=NOW, starts_at=new_start)
    edit_event(event.id, now=NOW, title="Renamed")  # not a move: nobody told again
    stamp = int(new_start.timestamp())
    assert keys("logistics-moved:") == sorted(
        f"logistics-moved:{event.id}:{stamp}:{m}" for m in (ride.driver_id, alice.id)
    )
