"""The reminder rules: which (rule, occasion) pairs an issue snapshot earns a linked member.

Pure functions of a snapshot, the member's settings and the day, so every rule is tested
without Jira. The occasion names the day a reminder is about, which makes it unique: a
re-run finds the same occasion, a moved due date is a new one.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from jira_sync.models import IssueSnapshot, JiraLink, Reminder

Rule = Reminder.Rule


def due_rules(link: JiraLink, snapshot: IssueSnapshot, today: date) -> list[tuple[str, str]]:
    """*Due soon* (the member's 1, 2, 3 or 7 days before, once per due date) and *overdue*
    (the day after, then once a week), for an open issue; ``today`` is the site's date."""
    if snapshot.status_category == "done" or snapshot.duedate is None:
        return []
    days_left = (snapshot.duedate - today).days
    if 0 <= days_left <= link.due_soon_days and link.remind_due_soon:
        return [(Rule.DUE_SOON, snapshot.duedate.isoformat())]
    if days_left < 0 and link.remind_overdue:
        week = (-days_left - 1) // 7
        return [(Rule.OVERDUE, f"{snapshot.duedate.isoformat()}+w{week}")]
    return []


def stale_rule(link: JiraLink, snapshot: IssueSnapshot, now: datetime) -> list[tuple[str, str]]:
    """*Stale*: in progress and untouched for the member's N days, once per untouched stretch."""
    if not link.remind_stale or snapshot.status_category != "indeterminate":
        return []
    if now - snapshot.updated < timedelta(days=link.stale_days):
        return []
    return [(Rule.STALE, snapshot.updated.date().isoformat())]


def in_quiet_hours(moment: time, start: time, end: time) -> bool:
    """Whether a wall-clock time falls in quiet hours that may run across midnight (22:00-08:00)."""
    if start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end
