"""Generate a deterministic Jira site: the same seed and clock give the same site."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources

from sandbox.jira.model import PRIORITIES, STATUSES, Issue, Project, User

# Names, time zones, projects and issue nouns the site is generated from.
_DATA = json.loads((resources.files("sandbox.jira") / "seed_data.json").read_text())
FIRST_NAMES: list[str] = _DATA["first_names"]
LAST_NAMES: list[str] = _DATA["last_names"]
TIME_ZONES: list[str] = _DATA["time_zones"]
PROJECTS: list[tuple[str, str]] = [tuple(p) for p in _DATA["projects"]]
NOUNS: list[str] = _DATA["nouns"]
VERBS = ["Fix", "Draft", "Review", "Book", "Update", "Plan", "Order", "Publish", "Confirm", "Audit"]
STATUS_WEIGHTS = [30, 25, 10, 5, 30]  # To Do, In Progress, In Review, Blocked, Done
PRIORITY_WEIGHTS = [5, 20, 50, 20, 5]


@dataclass
class Site:
    """Everything a seeded Jira site holds."""

    users: list[User]
    projects: list[Project]
    issues: list[Issue]
    myself: User


def account_id(rng: random.Random) -> str:
    """A Cloud-style account id (24 hex digits, as Atlassian accounts have)."""
    return f"{rng.getrandbits(96):024x}"


def generate_site(*, user: str, issues: int, seed: int, now: datetime, users: int = 20, projects: int = 3) -> Site:
    """Build users, projects and ``issues`` issues from ``seed``, with times relative to ``now``.

    ``user`` (the API user's email) becomes the site's authenticated account. Issue ids,
    keys and every field depend only on the arguments.
    """
    rng = random.Random(seed)
    myself = User(account_id(rng), "Sandbox API User", user, "Etc/UTC")
    people = []
    for n in range(users):
        first = FIRST_NAMES[n % len(FIRST_NAMES)]
        last = LAST_NAMES[(n * 7 + n // len(FIRST_NAMES)) % len(LAST_NAMES)]
        email = f"{first.lower()}.{last.lower()}{n}@example.org"
        people.append(User(account_id(rng), f"{first} {last}", email, TIME_ZONES[n % len(TIME_ZONES)]))
    if not 1 <= projects <= len(PROJECTS):
        raise ValueError(f"projects must be between 1 and {len(PROJECTS)}")
    site_projects = [
        Project(str(10000 + i), key, name, people[i % len(people)].account_id if people else None)
        for i, (key, name) in enumerate(PROJECTS[:projects])
    ]
    counters = {p.key: 0 for p in site_projects}
    site_issues = []
    for n in range(issues):
        project = site_projects[n % len(site_projects)]
        counters[project.key] += 1
        site_issues.append(_issue(rng, n, project, counters[project.key], people, now))
    return Site(users=people, projects=site_projects, issues=site_issues, myself=myself)


def _issue(rng: random.Random, n: int, project: Project, number: int, people: list[User], now: datetime) -> Issue:
    created = now - timedelta(minutes=rng.randint(24 * 60, 180 * 24 * 60))
    updated = created + (now - created) * rng.random()
    updated = updated.replace(microsecond=0)
    status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
    assignee = rng.choice(people).account_id if people and rng.random() < 0.85 else None
    due = (now + timedelta(days=rng.randint(-20, 30))).date() if rng.random() < 0.6 else None
    return Issue(
        id=str(10000 + n),
        key=f"{project.key}-{number}",
        project_key=project.key,
        summary=f"{rng.choice(VERBS)} the {rng.choice(NOUNS)}",
        status=status,
        created=created.replace(microsecond=0),
        updated=updated,
        priority=rng.choices(PRIORITIES, PRIORITY_WEIGHTS)[0][1],
        issue_type=rng.choice(["Task", "Task", "Bug", "Story"]),
        assignee_id=assignee,
        reporter_id=rng.choice(people).account_id if people else None,
        duedate=due,
    )
