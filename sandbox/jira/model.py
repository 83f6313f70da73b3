"""The Jira site's data: users, projects and issues, plus Jira Cloud's fixed catalogues."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class StatusCategory:
    id: int
    key: str
    name: str
    color: str


# Jira Cloud's built-in status categories, with the ids Cloud gives them.
CATEGORIES = {
    "new": StatusCategory(2, "new", "To Do", "blue-gray"),
    "indeterminate": StatusCategory(4, "indeterminate", "In Progress", "yellow"),
    "done": StatusCategory(3, "done", "Done", "green"),
}


@dataclass(frozen=True)
class Status:
    id: str
    name: str
    category: StatusCategory


STATUSES = [
    Status("10000", "To Do", CATEGORIES["new"]),
    Status("3", "In Progress", CATEGORIES["indeterminate"]),
    Status("10001", "In Review", CATEGORIES["indeterminate"]),
    Status("10002", "Blocked", CATEGORIES["indeterminate"]),
    Status("10003", "Done", CATEGORIES["done"]),
]
STATUS_BY_NAME = {s.name.lower(): s for s in STATUSES}

# (id, name) as Jira Cloud ships its default priority scheme.
PRIORITIES = [("1", "Highest"), ("2", "High"), ("3", "Medium"), ("4", "Low"), ("5", "Lowest")]
PRIORITY_RANK = {name.lower(): int(pid) for pid, name in PRIORITIES}

ISSUE_TYPES = [("10001", "Task"), ("10002", "Bug"), ("10003", "Story")]


@dataclass
class User:
    account_id: str
    display_name: str
    email: str
    time_zone: str = "Etc/UTC"
    active: bool = True


@dataclass
class Project:
    id: str
    key: str
    name: str
    lead_account_id: str | None = None


@dataclass
class Issue:
    id: str
    key: str
    project_key: str
    summary: str
    status: Status
    created: datetime
    updated: datetime
    priority: str = "Medium"
    issue_type: str = "Task"
    assignee_id: str | None = None
    reporter_id: str | None = None
    duedate: date | None = None
    description: str | None = None
    labels: list[str] = field(default_factory=list)

    @property
    def number(self) -> int:
        """The numeric part of the key, which orders keys within a project."""
        return int(self.key.rsplit("-", 1)[1])
