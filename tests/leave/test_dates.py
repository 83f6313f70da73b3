"""core.timeparse.parse_local_date: the dates of /leave request, read like an event's."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from core.timeparse import TimeParseError, parse_local_date

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)  # already Wednesday 2 December in Paris


@pytest.mark.parametrize(
    ("typed", "day_first", "read"),
    [
        ("today", True, date(2026, 12, 2)),
        ("tomorrow", True, date(2026, 12, 3)),
        ("friday", True, date(2026, 12, 4)),
        ("next wednesday", True, date(2026, 12, 9)),
        ("2027-01-04", True, date(2027, 1, 4)),
        ("04.01.2027", True, date(2027, 1, 4)),
        ("5/1", True, date(2027, 1, 5)),
        ("5/1", False, date(2027, 5, 1)),
        ("dec 24", True, date(2026, 12, 24)),
        ("1 December", True, date(2027, 12, 1)),  # past this year: next year's
        ("2026-11-30", True, date(2026, 11, 30)),  # in full: as typed, the caller judges
    ],
)
def test_dates_are_read_in_the_zone_given(typed, day_first, read):
    assert parse_local_date(typed, PARIS, now=NOW, day_first=day_first) == read


@pytest.mark.parametrize(("typed", "refusal"), [("someday", "could not read"), ("31.02.2027", "does not exist")])
def test_what_is_not_a_date_is_refused_with_the_field(typed, refusal):
    with pytest.raises(TimeParseError, match=refusal):
        parse_local_date(typed, PARIS, now=NOW, field="from date")
