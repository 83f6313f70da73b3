"""Matching: same area, overlapping window, seats permitting, earliest request first."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from carpool.models import RideRequest, Seat
from carpool.services import match
from core.errors import RuleError
from core.models import OutboundMessage
from tests.carpool.factories import START, going, logistics_event, need, offer

pytestmark = pytest.mark.django_db


def seated(ride):
    return list(Seat.objects.filter(ride=ride).order_by("id").values_list("member_id", flat=True))


def test_a_request_is_matched_at_once_to_a_ride_from_the_same_area_whatever_the_case():
    event = logistics_event()
    ride = offer(event, area="North")
    request = need(event, area="north")
    assert request.status == RideRequest.Status.SEATED
    assert seated(ride) == [request.member_id]
    assert OutboundMessage.objects.filter(idempotency_key__startswith="ride-seat:").count() == 2


def test_a_ride_offered_later_takes_the_earliest_requests_first_not_the_first_processed():
    event = logistics_event()
    late = need(event, sequence=30)
    early = need(event, sequence=10)
    middle = need(event, sequence=20)
    ride = offer(event, seats=2)
    assert seated(ride) == [early.member_id, middle.member_id]
    late.refresh_from_db()
    assert late.status == RideRequest.Status.OPEN


def test_other_areas_windows_that_miss_and_parties_too_big_are_not_matched():
    event = logistics_event()
    ride = offer(event, seats=2, area="North", leaves=START - timedelta(hours=2))
    south = need(event, area="South", sequence=1)
    too_early = need(event, latest=START - timedelta(hours=3), sequence=2)
    too_late = need(event, earliest=START - timedelta(hours=1), sequence=3)
    party = need(event, party=3, sequence=4)
    fits = need(event, earliest=START - timedelta(hours=4), latest=START - timedelta(hours=2), sequence=5)
    assert seated(ride) == [fits.member_id]
    assert {r.status for r in RideRequest.objects.filter(id__in=[south.id, too_early.id, too_late.id, party.id])} == {
        "open"
    }


def test_a_party_takes_as_many_seats_as_it_counts():
    event = logistics_event()
    ride = offer(event, seats=3)
    need(event, party=2, sequence=1)
    single = need(event, sequence=2)
    blocked = need(event, party=2, sequence=3)
    assert Seat.objects.get(ride=ride, member_id=single.member_id).places == 1
    assert sum(Seat.objects.filter(ride=ride).values_list("places", flat=True)) == 3
    blocked.refresh_from_db()
    assert blocked.status == "open"


def test_among_fitting_rides_the_earliest_departure_wins_then_the_lowest_id():
    event = logistics_event()
    later = offer(event, seats=1, leaves=START - timedelta(hours=1))
    earlier = offer(event, seats=1, leaves=START - timedelta(hours=3))
    same_time = offer(event, seats=1, leaves=START - timedelta(hours=3))
    first, second, third = need(event, sequence=1), need(event, sequence=2), need(event, sequence=3)
    assert (seated(earlier), seated(same_time), seated(later)) == (
        [first.member_id],
        [second.member_id],
        [third.member_id],
    )


def test_matching_takes_a_fixed_number_of_queries_whatever_the_numbers():
    event = logistics_event()
    for n in range(12):
        offer(event, seats=1, area="South" if n % 2 else "Nowhere")
    for n in range(30):
        need(event, area="East", sequence=n)  # no ride from East: nothing is matched
    with CaptureQueriesContext(connection) as queries:
        assert match(event, "to") == []
    assert len(queries) == 4  # rides, requests, seats taken, members seated


def test_a_member_who_drives_a_leg_asks_for_a_seat_only_on_the_other():
    event = logistics_event()
    driver = going(event)
    offer(event, going(event), seats=4)
    offer(event, driver, direction="back", leaves=event.ends_at)
    with pytest.raises(RuleError, match=r"^You drive back yourself: no seat needed\.$"):
        need(event, driver, direction="back", sequence=1)
    there = need(event, driver, sequence=2)
    assert (there.direction, there.status) == ("to", "seated")
