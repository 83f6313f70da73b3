"""Simultaneous clicks against PostgreSQL: no car over its seats, no room over its beds."""

from datetime import timedelta

import pytest

from carpool.models import BedClaim, Seat
from carpool.rooms import RoomOffer, claim_bed, offer_room
from carpool.services import join_ride
from core.errors import RuleError
from tests.carpool.factories import going, logistics_event, need, offer
from tests.events.factories import NOW
from tests.events.test_concurrency import simultaneously

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def attempt(call):
    try:
        return call()
    except RuleError as error:
        return error.message


def test_thirty_members_clicking_join_on_a_car_of_four_seat_exactly_four():
    event = logistics_event()
    ride = offer(event, seats=4)
    members = [going(event) for _ in range(30)]
    results = simultaneously(
        [
            lambda m=m, n=n: attempt(lambda: join_ride(ride.id, m.id, guild_id=None, sequence=n, now=NOW))
            for n, m in enumerate(members)
        ]
    )
    assert Seat.objects.filter(ride=ride).count() == 4
    assert sum(isinstance(r, Seat) for r in results) == 4
    assert sorted({r for r in results if isinstance(r, str)}) == [
        "This car is full: pick another ride, or `/ride need` to be matched when one has room."
    ]


def test_joins_and_matching_at_once_never_overfill_a_leg():
    event = logistics_event()
    rides = [offer(event, seats=2, leaves=event.starts_at - timedelta(hours=h)) for h in (1, 2, 3)]
    joiners = [going(event) for _ in range(10)]
    askers = [going(event) for _ in range(10)]
    calls = [
        lambda m=m, n=n, r=rides[n % 3]: attempt(lambda: join_ride(r.id, m.id, guild_id=None, sequence=n, now=NOW))
        for n, m in enumerate(joiners)
    ]
    calls += [lambda m=m, n=n: need(event, m, sequence=100 + n) for n, m in enumerate(askers)]
    simultaneously(calls)
    for ride in rides:
        assert sum(Seat.objects.filter(ride=ride).values_list("places", flat=True)) == 2
    assert Seat.objects.count() == 6


def test_twenty_claims_on_a_room_of_three_beds_seat_three_sleepers_a_night():
    event = logistics_event()
    host = going(event)
    room = offer_room(event.id, host.id, RoomOffer(beds=3, place="Flat"), guild_id=None, now=NOW)
    members = [going(event) for _ in range(20)]
    simultaneously(
        [lambda m=m: attempt(lambda: claim_bed(room.id, m.id, nights=None, guild_id=None, now=NOW)) for m in members]
    )
    for night in room.nights():
        assert BedClaim.objects.filter(room=room, night=night).count() == 3
