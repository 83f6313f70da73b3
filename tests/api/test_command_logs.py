"""The command log through the API: filters, pages, and redacted rows as redacted as stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.interactions.dispatcher import REDACTED_OPTIONS
from core.models import CommandLog
from tests.api.conftest import error

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def log(guild, member, command="event list", outcome="ok", at=T0, **fields) -> CommandLog:
    next_id = 1_000 + CommandLog.objects.count()
    fields.setdefault("options", {"page": 1})
    return CommandLog.objects.create(
        interaction_id=fields.pop("interaction_id", next_id),
        guild=guild,
        member=member,
        kind="command",
        command=command,
        outcome=outcome,
        received_at=at,
        **fields,
    )


@pytest.fixture
def rows(cast):
    guild = cast.guild
    return {
        "list": log(guild, cast.member.member, at=T0),
        "create": log(guild, cast.organiser.member, "event create", at=T0 + timedelta(minutes=5)),
        "refused": log(guild, cast.member.member, "event create", "refused", at=T0 + timedelta(minutes=10)),
        "vote": log(guild, None, "poll:vote", options=REDACTED_OPTIONS, interaction_id=-42, at=T0),
        "elsewhere": log(cast.outsider.guild, cast.outsider.member, at=T0),
    }


def ids(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["items"]]


def test_it_lists_the_guilds_log_newest_first(api, rows):
    r = rows
    assert ids(api.get(api.url("/command-logs"))) == [
        str(r["refused"].pk),
        str(r["create"].pk),
        str(r["list"].pk),
        str(r["vote"].pk),
    ]


def test_it_filters_by_command_member_outcome_and_time(api, cast, rows):
    url = api.url("/command-logs")
    assert ids(api.get(url, command="event create")) == [str(rows["refused"].pk), str(rows["create"].pk)]
    assert ids(api.get(url, member_id=str(cast.member.member_id))) == [str(rows["refused"].pk), str(rows["list"].pk)]
    assert ids(api.get(url, outcome="refused")) == [str(rows["refused"].pk)]
    since, until = (T0 + timedelta(minutes=1)).isoformat(), (T0 + timedelta(minutes=10)).isoformat()
    assert ids(api.get(url, since=since, until=until)) == [str(rows["create"].pk)]
    assert api.get(url, limit=2, offset=2).json() | {"items": None} == {
        "items": None,
        "count": 4,
        "limit": 2,
        "offset": 2,
    }


def test_a_redacted_row_stays_redacted(api, rows):
    row = next(item for item in api.get(api.url("/command-logs")).json()["items"] if item["id"] == "-42")
    assert row["redacted"] is True
    assert row["member_id"] is None
    assert row["options"] == {"redacted": True}
    assert row["received_at"].startswith("2026-11-30T12:00:00")
    assert set(row) == {
        "id",
        "kind",
        "command",
        "member_id",
        "options",
        "outcome",
        "redacted",
        "received_at",
        "answered_at",
        "ack_latency_ms",
        "completion_latency_ms",
        "attempts",
        "reference",
    }


@pytest.mark.parametrize(
    ("params", "loc"),
    [
        ({"since": "2026-11-30T12:00:00"}, ["query", "since"]),
        ({"outcome": "fine"}, ["query", "outcome"]),
        ({"member_id": "alice"}, ["query", "member_id"]),
        ({"command": "x" * 101}, ["query", "command"]),
    ],
)
def test_a_bad_filter_is_422_naming_it(api, params, loc):
    response = api.get(api.url("/command-logs"), **params)
    assert response.status_code == 422
    assert error(response)["errors"][0]["loc"] == loc


def test_a_time_with_an_offset_postgresql_cannot_store_is_read_as_the_instant_it_names(api, rows):
    # Found by schemathesis: a -22:44 offset is a valid ISO 8601 time that PostgreSQL refuses (±15:59).
    response = api.get(api.url("/command-logs"), until="2026-11-29T13:22:00-22:44")  # 12:06 UTC
    assert ids(response) == [str(rows["create"].pk), str(rows["list"].pk), str(rows["vote"].pk)]
