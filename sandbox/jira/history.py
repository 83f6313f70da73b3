"""Comments and changelogs of an issue, derived from the issue itself.

Nothing is stored: an issue's history follows from its key, reporter, assignee, status and
times, so it stays consistent when a test changes the issue through the control API. The
changelog walks the default workflow from To Do to the current status between ``created``
and ``updated``; comments (0-3 per issue) fall in the same span.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from datetime import datetime

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
class Transition:
    id: str
    author_id: str | None
    created: datetime
    from_status: str
    to_status: str


def _between(issue: Issue, fraction: float) -> datetime:
    return (issue.created + (issue.updated - issue.created) * fraction).replace(microsecond=0)


def comments(issue: Issue) -> list[Comment]:
    """The issue's comments, oldest first."""
    rng = random.Random(f"comments:{issue.key}")
    people = [p for p in (issue.reporter_id, issue.assignee_id) if p] or [None]
    count = rng.randint(0, 3)
    spots = sorted(rng.random() for _ in range(count))
    return [
        Comment(str(int(issue.id) * 10 + n), rng.choice(people), rng.choice(REMARKS), _between(issue, spot))
        for n, spot in enumerate(spots)
    ]


def changelog(issue: Issue) -> list[Transition]:
    """The issue's status changes, oldest first (the last one at ``updated``)."""
    path = PATHS.get(issue.status.name, ["To Do", issue.status.name])
    steps = list(itertools.pairwise(path))
    author = issue.assignee_id or issue.reporter_id
    return [
        Transition(str(int(issue.id) * 10 + n), author, _between(issue, (n + 1) / len(steps)), old, new)
        for n, (old, new) in enumerate(steps)
    ]


def status_id(name: str) -> str:
    return STATUS_BY_NAME[name.lower()].id
