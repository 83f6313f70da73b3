"""An occurrence of a series on the dashboard: edit and cancel with a scope, as olivia does it;
otto (who organises another guild) finds none of it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.recurrence import parse_rule
from events.models import Event, Series
from events.series import SeriesPlan, create_series
from events.services import EventDraft

from .conftest import csrf_post, log_in

pytestmark = pytest.mark.django_db
CHANNEL = 700_000_000_000_000_077


@pytest.fixture
def weekly(world):
    guild = world.cast.guild
    guild.announcement_channel_id = CHANNEL
    guild.save()
    start = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    draft = EventDraft(title="Choir", starts_at=start, location="Hall")
    return create_series(guild, draft, SeriesPlan(parse_rule("weekly")), now=timezone.now())


def form_data(page) -> dict:
    data = {name: value for name, value in page.context["form"].initial.items() if value is not None}
    data["needs_rides"] = "on" if data.pop("needs_rides") else ""
    data.pop("needs_rooms")
    return data


def test_editing_all_occurrences_from_the_event_page(world, weekly):
    olivia = log_in(world, "olivia")
    first, second = weekly.occurrences.order_by("starts_at")[:2]
    url = f"/dashboard/g/{weekly.guild_id}/events/{second.id}/edit/"
    page = olivia.get(url)
    assert "scope" in page.context["form"].fields

    done = csrf_post(olivia, url, {**form_data(page), "location": "Crypt", "scope": "this"})
    assert done.status_code == 302
    url = f"/dashboard/g/{weekly.guild_id}/events/{first.id}/edit/"
    done = csrf_post(olivia, url, {**form_data(olivia.get(url)), "location": "Park", "scope": "all"})

    assert done.status_code == 302
    assert "Updated Choir and 6 other occurrences." in olivia.get(done["Location"]).content.decode()
    locations = list(weekly.occurrences.order_by("starts_at").values_list("location", flat=True))
    assert locations == ["Park", "Crypt", *["Park"] * 6]
    assert Series.objects.get(id=weekly.id).location == "Park"


def test_a_scope_that_is_not_one_of_three_is_a_form_error(world, weekly):
    olivia = log_in(world, "olivia")
    first = weekly.occurrences.order_by("starts_at").first()
    url = f"/dashboard/g/{weekly.guild_id}/events/{first.id}/edit/"

    refused = csrf_post(olivia, url, {**form_data(olivia.get(url)), "location": "Park", "scope": "some"})

    assert refused.status_code == 400
    assert "Select a valid choice." in refused.content.decode()
    assert set(weekly.occurrences.values_list("location", flat=True)) == {"Hall"}


def test_cancelling_this_and_following_from_the_event_page(world, weekly):
    olivia = log_in(world, "olivia")
    third = weekly.occurrences.order_by("starts_at")[2]
    page = f"/dashboard/g/{weekly.guild_id}/events/{third.id}/"
    assert 'name="scope"' in olivia.get(page).content.decode()

    done = csrf_post(olivia, f"{page}cancel/", {"scope": "following"}, page=page)

    assert (
        "Cancelled with 5 other occurrences; registrants will be told by DM."
        in olivia.get(done["Location"]).content.decode()
    )
    statuses = list(weekly.occurrences.order_by("starts_at").values_list("status", flat=True))
    assert statuses == [Event.Status.SCHEDULED] * 2 + [Event.Status.CANCELLED] * 6


def test_an_organiser_of_another_guild_finds_no_occurrence(world, weekly):
    otto = log_in(world, "otto")
    occurrence = weekly.occurrences.first()
    base = f"/dashboard/g/{weekly.guild_id}/events/{occurrence.id}/"
    elsewhere = f"/dashboard/g/{world.other_organiser.guild_id}/events/{occurrence.id}/"

    assert [otto.get(url).status_code for url in (base, f"{base}edit/", elsewhere, f"{elsewhere}edit/")] == [404] * 4
    refused = csrf_post(otto, f"{elsewhere}cancel/", {"scope": "all"}, page="/dashboard/")
    assert refused.status_code == 404
    assert set(weekly.occurrences.values_list("status", flat=True)) == {Event.Status.SCHEDULED}


def test_creating_a_series_from_the_dashboard(world):
    guild = world.cast.guild
    guild.announcement_channel_id = CHANNEL
    guild.save()
    olivia = log_in(world, "olivia")
    url = f"/dashboard/g/{guild.id}/events/new/"
    form = {"title": "Run club", "start": "in 2 days", "reminders": "1h", "channel": CHANNEL}

    refused = csrf_post(olivia, url, {**form, "repeat": "every blue moon"})
    done = csrf_post(olivia, url, {**form, "repeat": "weekly for 4 times"})

    assert refused.status_code == 400
    assert "I did not understand &#x27;every blue&#x27; in &#x27;every blue moon&#x27;." in refused.content.decode()
    made = Series.objects.get()
    first = made.occurrences.order_by("starts_at").first()
    assert done["Location"] == f"/dashboard/g/{guild.id}/events/{first.id}/"
    assert (made.rule, made.occurrences.count(), made.channel_id) == ("FREQ=WEEKLY;COUNT=4", 4, CHANNEL)
