"""What carpool offers to the Sheets export (core.datasets): rides and rooms, cancelled ones marked."""

from datetime import timedelta

import pytest

from carpool.rooms import RoomOffer, claim_bed, offer_room
from carpool.services import cancel_ride, join_ride
from core import datasets
from core.datasets import Selection, iter_rows
from core.models import GuildMember
from events.models import Event
from tests.carpool.factories import START, going, logistics_event, offer
from tests.events.factories import NOW

pytestmark = pytest.mark.django_db


def rows(name, guild):
    return list(iter_rows(datasets.get(name), Selection(guild)))


def test_rides_list_each_leg_with_its_passengers_by_their_name_in_the_guild(cast):
    event = logistics_event(guild=cast.guild, title="Trip")
    driver, rider = going(event, display_name="Dana"), going(event, display_name="Rita")
    GuildMember.objects.filter(guild=cast.guild, member=rider).update(nickname="Rita (bass)")
    ride = offer(event, driver, seats=3, area="North", notes="Blue van")
    join_ride(ride.id, rider.id, guild_id=None, sequence=1, now=NOW)
    offer(logistics_event(title="Elsewhere"))  # another guild's ride

    [row] = rows("rides", cast.guild)

    assert (row.muster_id, row.status) == (f"ride-{ride.id}", "")
    assert row.values == {
        "Ride ID": ride.id,
        "Event ID": event.id,
        "Event": "Trip",
        "Driver": "Dana",
        "Direction": "to the event",
        "From": "North",
        "Leaves": START - timedelta(hours=2),
        "Seats": 3,
        "Taken": 1,
        "Passengers": "Rita (bass)",
        "Notes": "Blue van",
    }


def test_a_cancelled_ride_or_a_cancelled_events_ride_is_marked_and_the_fingerprint_moves(cast):
    event = logistics_event(guild=cast.guild)
    driver = going(event)
    ride = offer(event, driver)
    later = logistics_event(guild=cast.guild)
    other = offer(later, going(later))
    Event.objects.filter(id=later.id).update(status=Event.Status.CANCELLED)  # as cancel_event leaves it
    dataset = datasets.get("rides")
    before = dataset.fingerprint(Selection(cast.guild))

    join_ride(ride.id, going(event).id, guild_id=None, sequence=1, now=NOW)
    joined = dataset.fingerprint(Selection(cast.guild))
    cancel_ride(ride.id, driver.id, guild_id=None, now=NOW)

    assert len({before, joined, dataset.fingerprint(Selection(cast.guild))}) == 3
    assert {(row.muster_id, row.status) for row in rows("rides", cast.guild)} == {
        (f"ride-{ride.id}", "cancelled"),
        (f"ride-{other.id}", "cancelled"),
    }


def test_rooms_list_their_nights_and_each_sleepers_nights(cast):
    event = logistics_event(guild=cast.guild, title="Trip")  # nights 14 and 15 June
    host, sleeper = going(event, display_name="Hana"), going(event, display_name="Sam")
    room = offer_room(event.id, host.id, RoomOffer(beds=2, place="Flat", nights=""), guild_id=None, now=NOW)
    before = datasets.get("rooms").fingerprint(Selection(cast.guild))
    claim_bed(room.id, sleeper.id, nights="2026-06-15", guild_id=None, now=NOW)

    [row] = rows("rooms", cast.guild)

    assert datasets.get("rooms").fingerprint(Selection(cast.guild)) != before
    assert (row.muster_id, row.status) == (f"room-{room.id}", "")
    assert row.values == {
        "Room ID": room.id,
        "Event ID": event.id,
        "Event": "Trip",
        "Host": "Hana",
        "Place": "Flat",
        "Beds": 2,
        "Nights": "2026-06-14..2026-06-15",
        "Sleepers": "Sam (2026-06-15)",
        "Notes": "",
    }
