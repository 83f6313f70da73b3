"""The repetition grammar of series and its expansion on the wall clock, across DST."""

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from core.errors import RuleError
from core.recurrence import RULE_HELP, Rule, count_before, expand, parse_rule, with_end

BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("weekly", Rule("weekly")),
        ("weekly on tue,thu", Rule("weekly", weekdays=(1, 3))),
        ("every 2 weeks on Tue, Thu", Rule("weekly", 2, (1, 3))),
        ("every week on friday", Rule("weekly", weekdays=(4,))),
        ("every monday", Rule("weekly", weekdays=(0,))),
        ("daily for 5 times", Rule("daily", count=5)),
        ("monthly on the 15th", Rule("monthly", month_day=15)),
        ("monthly on the last Friday", Rule("monthly", weekdays=(4,), month_week=-1)),
        ("monthly 2nd tue count 10", Rule("monthly", weekdays=(1,), month_week=2, count=10)),
        ("every 3 months", Rule("monthly", 3)),
        ("weekly on wed until 2027-06-30", Rule("weekly", weekdays=(2,), until=date(2027, 6, 30))),
        ("weekly for 10 times", Rule("weekly", count=10)),
    ],
)
def test_it_reads_the_rules_organisers_write(text, rule):
    assert parse_rule(text) == rule


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("fortnightly", f"I did not understand 'fortnightly' in 'fortnightly'. {RULE_HELP}"),
        ("weekly on funday", f"I did not understand 'funday' in 'weekly on funday'. {RULE_HELP}"),
        ("monthly on the 2nd", None),
        ("monthly on the 40th", f"I did not understand '40th' in 'monthly on the 40th'. {RULE_HELP}"),
        ("weekly until soon", "'soon' is not a date; write it as 2027-06-30."),
        ("weekly for 0 times", "A series has between 1 and 500 occurrences; 0 is not."),
        ("every 60 weeks", "Repeat every 1 to 52 weeks; 60 is not."),
        ("", f"Say how the event repeats. {RULE_HELP}"),
    ],
)
def test_it_names_what_it_did_not_understand(text, message):
    if message is None:  # "the 2nd" alone is a day of the month
        assert parse_rule(text) == Rule("monthly", month_day=2)
        return
    with pytest.raises(RuleError, match=rf"^{re.escape(message)}$"):
        parse_rule(text)


def test_the_rrule_text_reads_back_the_rule():
    rule = parse_rule("every 2 weeks on tue,thu until 2027-06-30")
    assert rule.rrule_text() == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;UNTIL=20270630T235959"
    assert rule.describe() == "every 2 weeks on tue, thu until 2027-06-30"
    assert parse_rule("monthly on the last fri for 3 times").rrule_text() == "FREQ=MONTHLY;BYDAY=-1FR;COUNT=3"


@pytest.mark.parametrize(
    ("zone", "first"), [(BERLIN, datetime(2027, 3, 16, 17, 0)), (NEW_YORK, datetime(2027, 3, 2, 23, 0))]
)
def test_a_weekly_18_00_stays_18_00_local_across_the_spring_change(zone, first):
    start = first.replace(tzinfo=UTC)
    starts = expand("FREQ=WEEKLY", start, zone, after=start, until=start.replace(month=4, day=20))
    local = [moment.astimezone(zone) for moment in starts]
    assert {(m.hour, m.minute) for m in local} == {(first.replace(tzinfo=UTC).astimezone(zone).hour, 0)}
    # the UTC hour moves by one across the change: the wall clock stays
    assert len({moment.hour for moment in starts}) == 2


def test_a_weekly_18_00_stays_18_00_in_berlin_across_the_autumn_change():
    start = datetime(2027, 10, 19, 16, 0, tzinfo=UTC)  # 18:00 CEST
    starts = expand("FREQ=WEEKLY", start, BERLIN, after=start, until=datetime(2027, 11, 10, tzinfo=UTC))
    assert [m.astimezone(BERLIN).strftime("%m-%d %H:%M %Z") for m in starts] == [
        "10-26 18:00 CEST",
        "11-02 18:00 CET",  # clocks went back on 31 October
        "11-09 18:00 CET",
    ]
    assert starts[:2] == [datetime(2027, 10, 26, 16, 0, tzinfo=UTC), datetime(2027, 11, 2, 17, 0, tzinfo=UTC)]


def test_monthly_on_the_last_friday_and_the_ends():
    start = datetime(2027, 1, 29, 18, 0, tzinfo=UTC)
    rule = parse_rule("monthly on the last fri for 3 times").rrule_text()
    starts = expand(rule, start, BERLIN, after=start.replace(day=1), until=datetime(2028, 1, 1, tzinfo=UTC))
    assert [m.astimezone(BERLIN).date() for m in starts] == [date(2027, 1, 29), date(2027, 2, 26), date(2027, 3, 26)]
    until = parse_rule("weekly until 2027-02-12").rrule_text()
    starts = expand(until, start, BERLIN, after=start.replace(day=1), until=datetime(2028, 1, 1, tzinfo=UTC))
    assert [m.astimezone(BERLIN).date() for m in starts] == [date(2027, 1, 29), date(2027, 2, 5), date(2027, 2, 12)]


def test_an_end_is_replaced_for_a_split():
    start = datetime(2027, 1, 5, 17, 0, tzinfo=UTC)
    assert count_before("FREQ=WEEKLY;COUNT=10", start, BERLIN, datetime(2027, 1, 19, 17, 0, tzinfo=UTC)) == 2
    assert with_end("FREQ=WEEKLY;COUNT=10", count=2) == "FREQ=WEEKLY;COUNT=2"
    assert with_end("FREQ=WEEKLY;UNTIL=20270630T235959", until_local=datetime(2027, 1, 19, 17, 59, 59)) == (
        "FREQ=WEEKLY;UNTIL=20270119T175959"
    )


def test_counting_the_starts_before_a_moment_stops_there_for_a_series_without_an_end():
    # An endless weekly series: the count must stop at the moment, not run the rule out to year 9999.
    start = datetime(2027, 1, 5, 17, 0, tzinfo=UTC)
    assert count_before("FREQ=WEEKLY", start, BERLIN, datetime(2027, 1, 19, 17, 0, tzinfo=UTC)) == 2
    assert count_before("FREQ=WEEKLY", start, BERLIN, start) == 0
