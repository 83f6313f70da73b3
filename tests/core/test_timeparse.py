"""Reading typed times in the member's zone, refusing gaps, folds and the past."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.timeparse import TimeParseError, parse_local_time, parse_offsets

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)  # a Friday


@pytest.mark.parametrize(
    ("text", "zone", "expected"),
    [
        ("2026-06-01 18:30", PARIS, datetime(2026, 6, 1, 16, 30, tzinfo=UTC)),
        ("2026-06-01T18:30", NEW_YORK, datetime(2026, 6, 1, 22, 30, tzinfo=UTC)),
        ("01.06.2026 18:30", PARIS, datetime(2026, 6, 1, 16, 30, tzinfo=UTC)),
        ("2027-01-15 09:00", PARIS, datetime(2027, 1, 15, 8, 0, tzinfo=UTC)),
        ("today 18:00", PARIS, datetime(2026, 3, 20, 17, 0, tzinfo=UTC)),
        ("Tomorrow 6pm", NEW_YORK, datetime(2026, 3, 21, 22, 0, tzinfo=UTC)),
        ("tomorrow 12am", PARIS, datetime(2026, 3, 20, 23, 0, tzinfo=UTC)),
        ("monday at 7:15 pm", PARIS, datetime(2026, 3, 23, 18, 15, tzinfo=UTC)),
        ("2026-06-01 18:30 +05:30", PARIS, datetime(2026, 6, 1, 13, 0, tzinfo=UTC)),
        ("2026-06-01 18:30 Z", NEW_YORK, datetime(2026, 6, 1, 18, 30, tzinfo=UTC)),
    ],
)
def test_it_reads_times_in_the_given_zone(text, zone, expected):
    assert parse_local_time(text, zone, now=NOW) == expected


def test_it_reads_the_same_wall_time_across_a_dst_change_as_different_utc_offsets():
    # Paris moves to summer time on 29 March 2026.
    before = parse_local_time("2026-03-28 10:00", PARIS, now=NOW)
    after = parse_local_time("2026-03-30 10:00", PARIS, now=NOW)
    assert (before.hour, after.hour) == (9, 8)


def test_it_refuses_a_time_skipped_by_the_clocks_going_forward():
    with pytest.raises(TimeParseError) as error:
        parse_local_time("2026-03-29 02:30", PARIS, now=NOW, field="start")
    assert str(error.value) == (
        "The start Sunday 29 March 2026 02:30 (Europe/Paris) does not exist: the clocks go forward "
        "that night. Pick a time an hour later or earlier."
    )


def test_it_refuses_a_time_that_happens_twice_and_offers_both_offsets():
    with pytest.raises(TimeParseError) as error:
        parse_local_time("2026-11-01 01:30", NEW_YORK, now=NOW, field="start")
    assert str(error.value) == (
        "The start Sunday 1 November 2026 01:30 (America/New_York) happens twice: the clocks go back "
        "that night. Add the offset you mean: 2026-11-01 01:30 -04:00 (the first) "
        "or 2026-11-01 01:30 -05:00 (the second)."
    )


def test_it_accepts_an_ambiguous_time_once_the_offset_is_given():
    moment = parse_local_time("2026-11-01 01:30 -05:00", NEW_YORK, now=NOW)
    assert moment == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)


def test_it_refuses_a_past_time_saying_what_it_read():
    with pytest.raises(TimeParseError) as error:
        parse_local_time("today 9:00", PARIS, now=NOW, field="start")
    assert str(error.value) == "The start Friday 20 March 2026 09:00 (Europe/Paris) is in the past."


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "next week",
            "I could not read the time 'next week'. Write it like 2026-06-01 18:30, "
            "tomorrow 6pm, next friday 19:00, dec 5 18:30 or in 2 hours.",
        ),
        ("2026-02-30 10:00", "In the time '2026-02-30 10:00', the date does not exist."),
        ("2026-06-01 25:00", "In the time '2026-06-01 25:00', 25:00 is not a time of day."),
        ("tomorrow 13pm", "In the time 'tomorrow 13pm', 13pm is not a time of day."),
        ("25:00", "In the time '25:00', 25:00 is not a time of day."),
        ("dec 5", "In the time 'dec 5', I read the day but not the time of day: add one, like 19:00 or 7pm."),
        ("dec 32 10:00", "In the time 'dec 32 10:00', the date does not exist."),
        (
            "in 2 fortnights",
            "I could not read the time 'in 2 fortnights'. Write it like 2026-06-01 18:30, "
            "tomorrow 6pm, next friday 19:00, dec 5 18:30 or in 2 hours.",
        ),
    ],
)
def test_it_refuses_what_it_cannot_read(text, message):
    with pytest.raises(TimeParseError) as error:
        parse_local_time(text, PARIS, now=NOW)
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("next friday 7pm", datetime(2026, 3, 27, 18, 0, tzinfo=UTC)),
        ("in 2 hours", datetime(2026, 3, 20, 14, 0, tzinfo=UTC)),
        ("in 30 minutes", datetime(2026, 3, 20, 12, 30, tzinfo=UTC)),
        ("in a week", datetime(2026, 3, 27, 12, 0, tzinfo=UTC)),
        ("tomorrow at noon", datetime(2026, 3, 21, 11, 0, tzinfo=UTC)),
        ("dec 5 18:30", datetime(2026, 12, 5, 17, 30, tzinfo=UTC)),
        ("December 5th, 2026 6:30pm", datetime(2026, 12, 5, 17, 30, tzinfo=UTC)),
        ("5 dec 18h30", datetime(2026, 12, 5, 17, 30, tzinfo=UTC)),
        ("5/12 6pm", datetime(2026, 12, 5, 17, 0, tzinfo=UTC)),
        ("7pm tomorrow", datetime(2026, 3, 21, 18, 0, tzinfo=UTC)),
        ("18:30", datetime(2026, 3, 20, 17, 30, tzinfo=UTC)),  # still ahead today
        ("at 10:00", datetime(2026, 3, 21, 9, 0, tzinfo=UTC)),  # past today: tomorrow
        ("friday 9:00", datetime(2026, 3, 27, 8, 0, tzinfo=UTC)),  # today is Friday, 9:00 has passed
        ("fri 18:00", datetime(2026, 3, 20, 17, 0, tzinfo=UTC)),
        ("jan 10 9:00", datetime(2027, 1, 10, 8, 0, tzinfo=UTC)),  # past this year: next year's
        ("tomorrow midnight", datetime(2026, 3, 20, 23, 0, tzinfo=UTC)),
    ],
)
def test_it_reads_times_as_people_type_them_in_the_members_zone(text, expected):
    assert parse_local_time(text, PARIS, now=NOW) == expected


def test_the_guilds_date_order_says_whether_the_day_or_the_month_comes_first():
    assert parse_local_time("5/12 6pm", PARIS, now=NOW, day_first=True) == datetime(2026, 12, 5, 17, 0, tzinfo=UTC)
    assert parse_local_time("5/12 6pm", PARIS, now=NOW, day_first=False) == datetime(2026, 5, 12, 16, 0, tzinfo=UTC)


def test_natural_times_still_refuse_a_skipped_wall_clock_time():
    with pytest.raises(TimeParseError) as error:
        parse_local_time("march 29 2:30am", PARIS, now=NOW, field="start")
    assert str(error.value) == (
        "The start Sunday 29 March 2026 02:30 (Europe/Paris) does not exist: the clocks go forward "
        "that night. Pick a time an hour later or earlier."
    )


def test_natural_times_still_refuse_a_repeated_wall_clock_time():
    with pytest.raises(
        TimeParseError, match=r"^The start Sunday 1 November 2026 01:30 \(America/New_York\) happens twice"
    ):
        parse_local_time("nov 1 1:30am", NEW_YORK, now=NOW, field="start")


def test_a_zero_reminder_is_read_and_refused_as_zero():
    with pytest.raises(TimeParseError, match=r"^The reminder '0h' is zero: it must be at least 1m before the start\.$"):
        parse_offsets("1d, 0h")


TOO_FAR = "is more than ten years ahead; check the year."


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("9999-12-31 23:00 -05:00", f"The start '9999-12-31 23:00 -05:00' {TOO_FAR}"),
        ("9999-12-31 23:00", f"The start '9999-12-31 23:00' {TOO_FAR}"),
        ("2036-03-21 12:00", f"The start '2036-03-21 12:00' {TOO_FAR}"),
        ("0001-01-01 00:30 +05:00", "The start '0001-01-01 00:30 +05:00' is in the past."),
    ],
)
def test_it_refuses_times_at_the_ends_of_the_calendar_with_a_sentence(text, message):
    with pytest.raises(TimeParseError, match=rf"^{re.escape(message)}$"):
        parse_local_time(text, NEW_YORK, now=NOW, field="start")


def test_it_reads_a_time_just_under_ten_years_ahead():
    assert parse_local_time("2036-03-18 12:00 Z", PARIS, now=NOW) == datetime(2036, 3, 18, 12, 0, tzinfo=UTC)


def test_reminders_are_at_most_eight_weeks_before_the_start():
    assert parse_offsets("8w, 30m") == [timedelta(minutes=30), timedelta(weeks=8)]
    at_most = r"^A reminder goes at most 8 weeks before the start: "
    with pytest.raises(TimeParseError, match=at_most + r"'9999w' is longer\.$"):
        parse_offsets("1h, 9999w")
    with pytest.raises(TimeParseError, match=at_most + r"'57d' is longer\.$"):
        parse_offsets("57d")
