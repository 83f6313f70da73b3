"""The reminder rules, without Jira: due soon, overdue weekly, stale, quiet hours across midnight."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from jira_sync.models import IssueSnapshot, JiraLink
from jira_sync.rules import due_rules, in_quiet_hours, stale_rule


def snapshot(**fields) -> IssueSnapshot:
    values = {"issue_id": "1", "key": "OPS-1", "status_category": "new", "updated": datetime(2026, 12, 1, tzinfo=UTC)}
    return IssueSnapshot(**{**values, **fields})


@pytest.mark.parametrize(
    ("days", "due", "expected"),
    [
        (1, date(2026, 12, 3), [("due_soon", "2026-12-03")]),
        (1, date(2026, 12, 2), [("due_soon", "2026-12-02")]),
        (1, date(2026, 12, 4), []),
        (3, date(2026, 12, 5), [("due_soon", "2026-12-05")]),
        (7, date(2026, 12, 9), [("due_soon", "2026-12-09")]),
        (7, date(2026, 12, 10), []),
    ],
)
def test_due_soon_comes_the_members_number_of_days_before(days, due, expected):
    assert due_rules(JiraLink(due_soon_days=days), snapshot(duedate=due), date(2026, 12, 2)) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 12, 1), [("overdue", "2026-11-30+w0")]),  # the day after
        (date(2026, 12, 7), [("overdue", "2026-11-30+w0")]),  # same week: the same occasion, not sent again
        (date(2026, 12, 8), [("overdue", "2026-11-30+w1")]),  # then weekly
        (date(2026, 12, 15), [("overdue", "2026-11-30+w2")]),
    ],
)
def test_overdue_is_once_on_the_day_after_then_at_most_weekly(today, expected):
    assert due_rules(JiraLink(), snapshot(duedate=date(2026, 11, 30)), today) == expected


def test_done_issues_and_rules_switched_off_remind_nothing():
    due = snapshot(duedate=date(2026, 12, 2))
    assert due_rules(JiraLink(), snapshot(duedate=date(2026, 12, 2), status_category="done"), date(2026, 12, 2)) == []
    assert due_rules(JiraLink(remind_due_soon=False), due, date(2026, 12, 2)) == []
    assert due_rules(JiraLink(remind_overdue=False), due, date(2026, 12, 5)) == []


def test_stale_is_in_progress_untouched_for_n_days():
    link = JiraLink(remind_stale=True, stale_days=5)
    old = snapshot(status_category="indeterminate", updated=datetime(2026, 11, 26, 9, tzinfo=UTC))
    assert stale_rule(link, old, datetime(2026, 12, 1, 10, tzinfo=UTC)) == [("stale", "2026-11-26")]
    assert stale_rule(link, old, datetime(2026, 11, 30, 10, tzinfo=UTC)) == []
    assert stale_rule(link, snapshot(updated=old.updated), datetime(2026, 12, 9, tzinfo=UTC)) == []


@pytest.mark.parametrize(
    ("moment", "quiet"),
    [
        (time(21, 59), False),
        (time(22, 0), True),
        (time(23, 30), True),
        (time(0, 0), True),
        (time(7, 59), True),
        (time(8, 0), False),
        (time(12, 0), False),
    ],
)
def test_quiet_hours_run_across_midnight(moment, quiet):
    assert in_quiet_hours(moment, time(22, 0), time(8, 0)) is quiet


def test_daytime_quiet_hours_and_none():
    assert in_quiet_hours(time(13, 0), time(12, 0), time(14, 0)) is True
    assert in_quiet_hours(time(14, 0), time(12, 0), time(14, 0)) is False
    assert in_quiet_hours(time(3, 0), time(0, 0), time(0, 0)) is False
