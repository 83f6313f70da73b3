"""Comments and changelogs of an issue: derived from the issue until a person changes it.

A seeded issue's history follows from its key, reporter, assignee, status and times, so it
stays consistent when a test rewrites the issue through ``PUT /_control/issues/{key}``. The
changelog walks the default workflow from To Do to the current status between ``created``
and ``updated``; comments (0-3 per issue) fall in the same span.

The first write a person makes through the control API (reassign, transition, due date,
comment) stores the derived history (``JiraState.history_of``) and appends to it from then on.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from datetime import date, datetime

from sandbox.jira.model import STATUS_BY_NAME, Issue

# The default workflow's path to each status.
PATHS = {
    "To Do": ["To Do"],
    "In Progress": ["To Do", "In Progress"],
    "In Review": ["To Do", "In Progress", "In Review"],
    "Blocked": ["To Do", "In Progress", "Blocked"],
    "Done": ["To Do", "In Progress", "In Review", "Done"],
}
REMARKS = [
    "Picked this up today.",
    "Waiting on the venue to confirm.",
    "Draft is in the shared folder.",
    "Can someone double-check the numbers?",
    "Done on my side, over to review.",
]


@dataclass(frozen=True)
class Comment:
    id: str
    author_id: str | None
    text: str
    created: datetime


@dataclass(frozen=True)
class Item:
    """One changed field of a changelog entry (``ChangeDetails``); None renders as JSON null."""

    field: str
    from_: str | None
    from_string: str | None
    to: str | None
    to_string: str | None


@dataclass(frozen=True)
class Change:
    """One changelog entry: who changed what, when."""

    id: str
    author_id: str | None
    created: datetime
    items: tuple[Item, ...]


@dataclass
class History:
    """An issue's stored comments and changelog, oldest first."""

    comments: list[Comment]
    changes: list[Change]


def _between(issue: Issue, fraction: float) -> datetime:
    return (issue.created + (issue.updated - issue.created) * fraction).replace(microsecond=0)


def comments(issue: Issue) -> list[Comment]:
    """The issue's derived comments, oldest first."""
    rng = random.Random(f"comments:{issue.key}")
    people = [p for p in (issue.reporter_id, issue.assignee_id) if p] or [None]
    count = rng.randint(0, 3)
    spots = sorted(rng.random() for _ in range(count))
    return [
        Comment(str(int(issue.id) * 10 + n), rng.choice(people), rng.choice(REMARKS), _between(issue, spot))
        for n, spot in enumerate(spots)
    ]


def status_item(old: str, new: str) -> Item:
    return Item("status", status_id(old), old, status_id(new), new)


def assignee_item(old: str | None, old_name: str | None, new: str | None, new_name: str | None) -> Item:
    return Item("assignee", old, old_name, new, new_name)


def duedate_item(old: date | None, new: date | None) -> Item:
    """Jira writes a due date change as ``2026-11-21`` / ``2026-11-21 00:00:00.0``."""

    def shown(day: date | None) -> str | None:
        return f"{day.isoformat()} 00:00:00.0" if day else None

    return Item("duedate", old.isoformat() if old else None, shown(old), new.isoformat() if new else None, shown(new))


def changelog(issue: Issue) -> list[Change]:
    """The issue's derived status changes, oldest first (the last one at ``updated``)."""
    path = PATHS.get(issue.status.name, ["To Do", issue.status.name])
    steps = list(itertools.pairwise(path))
    author = issue.assignee_id or issue.reporter_id
    return [
        Change(str(int(issue.id) * 10 + n), author, _between(issue, (n + 1) / len(steps)), (status_item(old, new),))
        for n, (old, new) in enumerate(steps)
    ]


def status_id(name: str) -> str:
    return STATUS_BY_NAME[name.lower()].id
