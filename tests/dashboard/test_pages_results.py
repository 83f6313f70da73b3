"""The archive, an event's results (typed or a CSV file), the standings and a member's attendance."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.models import OrganiserAction, OutboundMessage
from results.models import CheckIn, ResultEntry, Season
from teams.models import Team
from tests.events.factories import EventFactory, RegistrationFactory

from .conftest import csrf_post, log_in

pytestmark = pytest.mark.django_db


def url(world, tail: str = "") -> str:
    return f"/dashboard/g/{world.cast.guild.id}/{tail}"


@pytest.fixture
def relay(world):
    """A past event of the cast's guild with alice and olivia going, alice checked in, and a team."""
    cast = world.cast
    event = EventFactory(guild=cast.guild, title="Spring relay", starts_at=timezone.now() - timedelta(days=2))
    RegistrationFactory(event=event, member=cast.member.member)
    RegistrationFactory(event=event, member=cast.organiser.member)
    CheckIn.objects.create(event=event, guild=cast.guild, member=cast.member.member)
    Team.objects.create(event=event, guild=cast.guild, name="Team Red")
    return event


def test_an_organiser_posts_results_typed_and_they_go_to_discord(world, relay):
    olivia = log_in(world, "olivia")
    page = url(world, f"archive/events/{relay.id}/")
    done = csrf_post(olivia, page, {"entries": "1. team red 25 — pole\n2. Guests 10", "season": "Spring"})
    assert (done.status_code, done["Location"]) == (302, page)
    assert list(ResultEntry.objects.values_list("position", "name", "points")) == [
        (1, "Team Red", 25),
        (2, "Guests", 10),
    ]
    assert OutboundMessage.objects.filter(channel_id=relay.channel_id).count() == 1
    assert OrganiserAction.objects.get().action == "posted results"
    shown = olivia.get(page).content.decode()
    assert "2 going, 1 checked in" not in shown  # check-in was not turned on for this event
    assert "Team Red" in shown and "season Spring" in shown
    assert "1. Team Red 25 — pole\n2. Guests 10</textarea>" in shown  # the form holds them, to edit


def test_a_csv_upload_with_a_bad_line_is_a_form_error_naming_it(world, relay):
    olivia = log_in(world, "olivia")
    page = url(world, f"archive/events/{relay.id}/")
    bad = SimpleUploadedFile("results.csv", b"position,name,points\n1,Red,10\n2,Blue,many\n", content_type="text/csv")
    answer = csrf_post(olivia, page, {"entries": "", "season": "", "csv_file": bad})
    assert answer.status_code == 400
    assert "Line 3: the points must be a whole number from -100000 to 100000." in answer.content.decode()
    assert not ResultEntry.objects.exists()
    good = SimpleUploadedFile("results.csv", b"1,Red,10,fast\n=1,Blue,10\n", content_type="text/csv")
    assert csrf_post(olivia, page, {"entries": "", "season": "", "csv_file": good}).status_code == 302
    assert list(ResultEntry.objects.values_list("position", "name", "note")) == [(1, "Red", "fast"), (1, "Blue", "")]


def test_the_archive_shows_attendance_and_searches_by_title_date_and_season(world, relay):
    cast = world.cast
    other = EventFactory(guild=cast.guild, title="Autumn quiz", starts_at=timezone.now() - timedelta(days=40))
    EventFactory(guild=cast.guild, title="Future picnic", starts_at=timezone.now() + timedelta(days=4))
    olivia = log_in(world, "olivia")
    csrf_post(olivia, url(world, f"archive/events/{relay.id}/"), {"entries": "1. Red 5", "season": "Spring"})
    listed = olivia.get(url(world, "archive/")).content.decode()
    assert "Spring relay" in listed and "Autumn quiz" in listed and "Future picnic" not in listed
    assert "<td>2</td><td>1</td>" in listed  # two going, one checked in
    by_title = olivia.get(url(world, "archive/"), {"q": "quiz"}).content.decode()
    assert "Autumn quiz" in by_title and "Spring relay" not in by_title
    since = (timezone.now() - timedelta(days=10)).date().isoformat()
    by_date = olivia.get(url(world, "archive/"), {"since": since}).content.decode()
    assert "Spring relay" in by_date and "Autumn quiz" not in by_date
    spring = Season.objects.get(name="Spring")
    by_season = olivia.get(url(world, "archive/"), {"season": str(spring.id)}).content.decode()
    assert "Spring relay" in by_season and other.title not in by_season


def test_standings_and_their_tie_breaks(world, relay):
    olivia = log_in(world, "olivia")
    csrf_post(olivia, url(world, f"archive/events/{relay.id}/"), {"entries": "1. Red 5\n1. Blue 5", "season": "Spring"})
    season = Season.objects.get()
    shown = olivia.get(url(world, "standings/")).content.decode()
    assert "<td>=1</td><td>Blue</td>" in shown and "<td>=1</td><td>Red</td>" in shown
    tie_breaks = url(world, f"standings/{season.id}/tie-breaks/")
    refused = csrf_post(olivia, tie_breaks, {"first": "wins", "second": "wins"}, page=url(world, "standings/"))
    assert refused.status_code == 400
    assert "Name each tie-break once." in refused.content.decode()
    saved = csrf_post(olivia, tie_breaks, {"first": "h2h", "second": "best"}, page=url(world, "standings/"))
    assert saved.status_code == 302
    season.refresh_from_db()
    assert season.tie_breaks == ["h2h", "best"]


def test_a_members_attendance_page(world, relay):
    olivia = log_in(world, "olivia")
    page = olivia.get(url(world, f"archive/members/{world.cast.member.member_id}/")).content.decode()
    assert "Going to 1 past events, checked in to 1." in page
    assert "Spring relay" in page


def test_members_and_outsiders_see_none_of_it(world, relay):
    for who in ("alice", "oscar"):
        client = log_in(world, who)
        for tail in ("archive/", f"archive/events/{relay.id}/", "standings/"):
            assert client.get(url(world, tail)).status_code == 404
        refused = client.post(url(world, f"archive/events/{relay.id}/"), {"entries": "1. Red 5"})
        assert refused.status_code in (403, 404)
    assert not ResultEntry.objects.exists()
