"""Rides and rooms in the admin: inlines on the event, the Logistics column, the CSV."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone as tz

from carpool.models import Ride, Seat
from carpool.services import Need, Offer, join_ride, leave_ride, need_ride, offer_ride
from tests.carpool.factories import going, logistics_event, need, offer
from tests.events.factories import NOW, EventFactory
from tests.factories import SuperuserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser_client(client):
    client.force_login(SuperuserFactory())
    return client


def test_the_event_list_shows_logistics_without_a_query_per_row(organiser_client, django_assert_max_num_queries):
    events = [logistics_event() for _ in range(30)] + [EventFactory() for _ in range(30)]
    ride = offer(events[0], seats=3)
    join_ride(ride.id, going(events[0]).id, guild_id=None, sequence=1, now=NOW)
    need(events[0], area="South", sequence=2)
    with django_assert_max_num_queries(12):
        response = organiser_client.get(reverse("admin:events_event_changelist"), {"all": ""})
    page = response.content.decode()
    assert page.count('class="field-logistics"') == 60
    assert "seats 1/3, 1 waiting · 0 bed-nights claimed · <a href=" in page


def test_the_event_page_shows_rides_with_passengers_and_rooms(organiser_client):
    event = logistics_event()
    rider = going(event, username="rita", display_name="Rita")
    ride = offer(event, seats=2)
    join_ride(ride.id, rider.id, guild_id=None, sequence=1, now=NOW)
    response = organiser_client.get(reverse("admin:events_event_change", args=[event.id]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Rides (change them on the ride&#x27;s page)" in page
    assert re.search(r'<td class="field-passenger_list">\s*<p>Rita</p>', page)


def test_the_logistics_csv_is_formula_safe_and_names_who_lacks_what(organiser_client):
    event = logistics_event(title="=HYPERLINK(1)")
    driver = going(event, username="dora", display_name="+Dora")
    offer(event, driver, seats=2, area="North")
    response = organiser_client.get(reverse("admin:carpool_logistics_csv", args=[event.id]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["event_id", "event", "kind", "leg_or_night", "member_id", "username", "display_name", "detail"]
    assert rows[1][:7] == [str(event.id), "'=HYPERLINK(1)", "driver", "to", str(driver.id), "dora", "'+Dora"]
    kinds = [(row[2], row[3]) for row in rows[1:]]
    assert kinds == [
        ("driver", "to"),
        ("no ride", "back"),
        ("no bed", "2026-06-14"),
        ("no bed", "2026-06-15"),
    ]


def offer_now(event, *, seats):
    driver = going(event)
    leaves = event.starts_at - timedelta(hours=1)
    offer = Offer(seats=seats, area="North", departs_at=leaves)
    return offer_ride(event.id, driver.id, offer, guild_id=None, now=tz.now())[0]


def need_now(event, *, sequence):
    member = going(event)
    return need_ride(event.id, member.id, Need(area="North"), guild_id=None, sequence=sequence, now=tz.now())[0]


def ride_form(ride, **changes):
    seats = list(ride.passengers.order_by("created_at", "id"))
    data = {"seats": ride.seats, "notes": ride.notes}
    data.update(
        {
            "passengers-TOTAL_FORMS": str(len(seats)),
            "passengers-INITIAL_FORMS": str(len(seats)),
            "passengers-MIN_NUM_FORMS": "0",
            "passengers-MAX_NUM_FORMS": "1000",
        }
    )
    for n, seat in enumerate(seats):
        data[f"passengers-{n}-id"] = str(seat.id)
        data[f"passengers-{n}-ride"] = str(ride.id)
    data.update(changes)
    return data


def test_a_ride_offers_no_fewer_seats_than_are_taken_in_the_admin(organiser_client):
    event = logistics_event(starts_at=tz.now() + timedelta(days=3), ends_at=tz.now() + timedelta(days=4))
    ride = offer_now(event, seats=2)
    for n in range(2):
        join_ride(ride.id, going(event).id, guild_id=None, sequence=n, now=tz.now())
    url = reverse("admin:carpool_ride_change", args=[ride.id])
    response = organiser_client.post(url, ride_form(ride, seats=1))
    assert response.status_code == 200
    assert "2 seats are taken; free some before offering fewer." in response.content.decode()
    assert Ride.objects.get(id=ride.id).seats == 2


def test_more_seats_in_the_admin_go_to_waiting_requests_and_a_deleted_passenger_frees_one(organiser_client):
    now = tz.now()
    event = logistics_event(starts_at=now + timedelta(days=3), ends_at=now + timedelta(days=4))
    ride = offer_now(event, seats=1)
    first = going(event)
    join_ride(ride.id, first.id, guild_id=None, sequence=1, now=now)
    waiting = need_now(event, sequence=2)
    url = reverse("admin:carpool_ride_change", args=[ride.id])
    assert organiser_client.post(url, ride_form(ride, seats=2)).status_code == 302
    assert sorted(Seat.objects.filter(ride=ride).values_list("member_id", flat=True)) == sorted(
        [first.id, waiting.member_id]
    )
    later = need_now(event, sequence=3)
    ride.refresh_from_db()
    assert organiser_client.post(url, ride_form(ride, **{"passengers-0-DELETE": "on"})).status_code == 302
    assert sorted(Seat.objects.filter(ride=ride).values_list("member_id", flat=True)) == sorted(
        [waiting.member_id, later.member_id]
    )


def test_an_organiser_moves_a_passenger_to_another_car_in_the_admin_and_capacity_holds(organiser_client):
    now = tz.now()
    event = logistics_event(starts_at=now + timedelta(days=3), ends_at=now + timedelta(days=4))
    first, second = offer_now(event, seats=1), offer_now(event, seats=1)
    rider, other = going(event), going(event)
    join_ride(first.id, rider.id, guild_id=None, sequence=1, now=now)
    join_ride(second.id, other.id, guild_id=None, sequence=2, now=now)
    url = reverse("admin:carpool_ride_change", args=[second.id])

    full = organiser_client.post(url, ride_form(second, move_here=str(rider.id)), follow=True)
    assert f"{rider}: Ride {second.id} is full: free a seat first." in full.content.decode()
    assert Seat.objects.get(member=rider).ride_id == first.id

    leave_ride(second.id, other.id, guild_id=None, now=now)
    second.refresh_from_db()
    moved = organiser_client.post(url, ride_form(second, move_here=str(rider.id)), follow=True)
    assert f"{rider} is in this car now; both are told by DM." in moved.content.decode()
    seat = Seat.objects.get(member=rider)
    assert (seat.ride_id, seat.locked) == (second.id, True)
    assert not Seat.objects.filter(ride=first).exists()


def test_only_going_members_not_already_in_the_car_are_offered_to_move_here(organiser_client):
    now = tz.now()
    event = logistics_event(starts_at=now + timedelta(days=3), ends_at=now + timedelta(days=4))
    ride = offer_now(event, seats=2)
    seated, free = going(event), going(event)
    join_ride(ride.id, seated.id, guild_id=None, sequence=1, now=now)
    EventFactory()  # someone going elsewhere is not offered
    form = organiser_client.get(reverse("admin:carpool_ride_change", args=[ride.id])).context["adminform"].form
    assert [m.id for m in form.fields["move_here"].queryset] == [free.id]
