"""Rooms: beds per night, nights inside the event's, claims all or nothing."""

from datetime import date, timedelta

import pytest

from carpool.models import BedClaim
from carpool.rooms import RoomOffer, cancel_room, claim_bed, event_nights, leave_room, offer_room
from core.errors import RuleError
from tests.carpool.factories import START, going, logistics_event
from tests.events.factories import NOW

pytestmark = pytest.mark.django_db


def room_for(event, *, beds=2, nights="", host=None):
    host = host or going(event)
    return offer_room(
        event.id, host.id, RoomOffer(beds=beds, place="Flat by the station", nights=nights), guild_id=None, now=NOW
    )


def test_the_events_nights_are_its_evenings_in_the_guilds_zone():
    event = logistics_event()  # 14 June 18:00 Paris to 16 June
    assert event_nights(event) == [date(2026, 6, 14), date(2026, 6, 15)]
    one_day = logistics_event(ends_at=START + timedelta(hours=3))
    assert event_nights(one_day) == [date(2026, 6, 14)]


def test_a_room_offers_the_events_nights_by_default_or_a_range_inside_them():
    event = logistics_event()
    assert (room_for(event).first_night, room_for(event).last_night) == (date(2026, 6, 14), date(2026, 6, 15))
    night_before = room_for(event, nights="2026-06-13..2026-06-14")
    assert (night_before.first_night, night_before.last_night) == (date(2026, 6, 13), date(2026, 6, 14))
    with pytest.raises(RuleError, match=r"^Pick nights from 2026-06-13 to 2026-06-15, the event's nights\.$"):
        room_for(event, nights="2026-06-16")
    with pytest.raises(RuleError, match=r"^Type nights as a date, 2026-06-14, or a range, 2026-06-14\.\.2026-06-15\.$"):
        room_for(event, nights="saturday")


@pytest.mark.parametrize("beds", [0, 21])
def test_beds_out_of_range_are_refused(beds):
    with pytest.raises(RuleError, match=r"^Offer 1 to 20 beds \(not counting yourself\)\.$"):
        room_for(logistics_event(), beds=beds)


def test_a_bed_is_claimed_per_night_and_no_night_has_more_sleepers_than_beds():
    event = logistics_event()
    room = room_for(event, beds=1)
    alice, bob = going(event), going(event)
    assert claim_bed(room.id, alice.id, nights="2026-06-14", guild_id=None, now=NOW) == [date(2026, 6, 14)]
    with pytest.raises(
        RuleError, match=rf"^Room {room.id} is full on 2026-06-14: pick other nights or another room\.$"
    ):
        claim_bed(room.id, bob.id, nights=None, guild_id=None, now=NOW)
    assert claim_bed(room.id, bob.id, nights="2026-06-15", guild_id=None, now=NOW) == [date(2026, 6, 15)]
    assert sorted(BedClaim.objects.values_list("member_id", "night")) == sorted(
        [(alice.id, date(2026, 6, 14)), (bob.id, date(2026, 6, 15))]
    )


def test_claiming_a_night_the_room_does_not_offer_is_refused_and_writes_nothing():
    event = logistics_event()
    room = room_for(event, nights="2026-06-14")
    alice = going(event)
    with pytest.raises(
        RuleError, match=rf"^Room {room.id} is offered from 2026-06-14 to 2026-06-14; it has no bed on 2026-06-15\.$"
    ):
        claim_bed(room.id, alice.id, nights="2026-06-14..2026-06-15", guild_id=None, now=NOW)
    assert BedClaim.objects.count() == 0


def test_one_bed_per_member_and_night_and_not_in_your_own_room():
    event = logistics_event()
    first, second = room_for(event), room_for(event)
    alice = going(event)
    claim_bed(first.id, alice.id, nights=None, guild_id=None, now=NOW)
    with pytest.raises(
        RuleError, match=rf"^You already have a bed in room {first.id} on 2026-06-14: leave it first\.$"
    ):
        claim_bed(second.id, alice.id, nights=None, guild_id=None, now=NOW)
    with pytest.raises(RuleError, match=r"^This is your own room: you sleep there already\.$"):
        claim_bed(first.id, first.host_id, nights=None, guild_id=None, now=NOW)
    assert leave_room(first.id, alice.id, guild_id=None, now=NOW) == 2
    with pytest.raises(RuleError, match=rf"^You have no bed in room {first.id}\.$"):
        leave_room(first.id, alice.id, guild_id=None, now=NOW)


def test_only_the_host_cancels_and_sleepers_are_told():
    event = logistics_event()
    room = room_for(event)
    alice = going(event)
    claim_bed(room.id, alice.id, nights=None, guild_id=None, now=NOW)
    with pytest.raises(RuleError, match=r"^Only its host can cancel this room\.$"):
        cancel_room(room.id, alice.id, guild_id=None, now=NOW)
    cancel_room(room.id, room.host_id, guild_id=None, now=NOW)
    assert BedClaim.objects.count() == 0
    with pytest.raises(RuleError, match=r"^This room was cancelled\.$"):
        claim_bed(room.id, alice.id, nights=None, guild_id=None, now=NOW)
