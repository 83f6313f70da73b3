"""Rides and rooms in the admin: inlines on the event, the Logistics column, the CSV."""

import csv
import io
import re

import pytest
from django.urls import reverse

from carpool.services import join_ride
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
