"""Scheduled messages through the API: community's rules, next occurrences, pause and resume."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from community.models import ScheduledMessage
from tests.api.conftest import error
from tests.cast import CHANNEL_ID

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def tomorrow_at_nine() -> datetime:
    day = (timezone.now().astimezone(PARIS) + timedelta(days=1)).date()
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=PARIS)


def weekly(**fields) -> dict:
    return {
        "channel_id": str(CHANNEL_ID),
        "starts_at": tomorrow_at_nine().isoformat(),
        "repeat": "daily",
        "content": "Good morning!",
        **fields,
    }


def create(api, **fields):
    return api.send("POST", api.url("/scheduled-messages"), weekly(**fields))


def test_it_schedules_a_daily_message_and_shows_the_next_five_at_nine_paris_time(api):
    response = create(api)
    assert response.status_code == 201
    body = response.json()
    assert (body["repeat"], body["timezone"], body["status"]) == ("daily", "Europe/Paris", "active")
    times = [datetime.fromisoformat(moment).astimezone(PARIS) for moment in body["next_occurrences"]]
    assert [(moment.hour, moment.minute) for moment in times] == [(9, 0)] * 5
    assert [(b.date() - a.date()).days for a, b in itertools.pairwise(times)] == [1, 1, 1, 1]
    assert ScheduledMessage.objects.count() == 1


def test_the_preview_saves_nothing(api):
    response = api.send("POST", api.url("/scheduled-messages/preview"), weekly(repeat="weekly mon"))
    assert response.status_code == 200
    assert len(response.json()) == 5
    assert {datetime.fromisoformat(moment).astimezone(PARIS).weekday() for moment in response.json()} == {0}
    assert ScheduledMessage.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "loc", "detail"),
    [
        (
            {"repeat": "fortnightly"},
            ["body", "repeat"],
            "'fortnightly' is not a repetition Muster knows. Write once, daily, weekly (or \"weekly mon,thu\"), "
            'monthly (or "monthly 2nd tue", "monthly last fri").',
        ),
        (
            {"timezone": "Paris"},
            ["body", "timezone"],
            "Paris is not a time zone name; did you mean Europe/Paris?",
        ),
        (
            {"starts_at": "2020-01-01T09:00:00+01:00"},
            ["body"],
            "The first time is in the past; give a time from now on.",
        ),
        (
            {"repeat": "once", "ends_on": "2030-01-01"},
            ["body"],
            "A message sent once has no end date; leave it empty, or make it repeat.",
        ),
        (
            {"channel_id": "123456789012345678"},
            ["body", "channel_id"],
            "is not a channel Muster knows in this server: use the announcement channel "
            "or one an event, poll or scheduled message was posted in",
        ),
    ],
)
def test_a_refusal_is_422_naming_what_to_change(api, fields, loc, detail):
    response = create(api, **fields)
    assert response.status_code == 422
    body = error(response)
    assert body["errors"][0]["loc"] == loc
    assert body["errors"][0]["msg"] == detail
    assert ScheduledMessage.objects.count() == 0


def test_it_replaces_pauses_resumes_and_deletes(api):
    schedule_id = create(api).json()["id"]
    path = api.url(f"/scheduled-messages/{schedule_id}")
    replaced = api.send("PUT", path, weekly(repeat="weekly mon,thu", content="Standup"))
    assert (replaced.status_code, replaced.json()["repeat"], replaced.json()["content"]) == (
        200,
        "weekly on mon, thu",
        "Standup",
    )
    paused = api.send("POST", f"{path}/pause").json()
    assert (paused["status"], paused["paused_reason"], paused["next_occurrences"]) == (
        "paused",
        "paused through the API",
        [],
    )
    assert api.send("POST", f"{path}/pause").status_code == 200  # pausing twice changes nothing
    resumed = api.send("POST", f"{path}/resume")
    assert (resumed.status_code, resumed.json()["status"], len(resumed.json()["next_occurrences"])) == (
        200,
        "active",
        5,
    )
    again = api.send("POST", f"{path}/resume")
    assert again.status_code == 409
    assert error(again)["detail"] == "That schedule is not paused."
    assert [s["id"] for s in api.get(api.url("/scheduled-messages"), status="active").json()["items"]] == [schedule_id]
    assert api.send("DELETE", path).status_code == 204
    assert ScheduledMessage.objects.count() == 0


def test_another_guilds_schedule_is_404(api, elsewhere, cast):
    cast.outsider.guild.announcement_channel_id = 700_000_000_000_000_099
    cast.outsider.guild.save()
    theirs = create(elsewhere, channel_id="700000000000000099").json()["id"]
    path = api.url(f"/scheduled-messages/{theirs}")
    assert error(api.get(path)) == {"detail": "There is no such scheduled message in this guild.", "errors": []}
    assert api.send("POST", f"{path}/pause").status_code == 404
    assert api.send("DELETE", path).status_code == 404
    assert ScheduledMessage.objects.get(id=theirs).status == "active"
