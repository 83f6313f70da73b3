"""The Jira stand-in's mutable state: the seeded site, the clock, counters and injected faults."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sandbox.jira import history
from sandbox.jira.history import History
from sandbox.jira.model import Issue, Project, User
from sandbox.jira.oauth import OAuthRegistry
from sandbox.jira.seed import generate_site


@dataclass
class RateLimit:
    """``count`` more requests are answered 429 with ``Retry-After: retry_after``."""

    count: int = 0
    retry_after: int = 1


@dataclass
class ServerError:
    """``count`` more requests are answered ``status`` (500, 502, 503 or 504)."""

    count: int = 0
    status: int = 500


@dataclass
class Hang:
    """``count`` more requests are accepted and never answered: each connection is held for
    ``seconds`` (or until a reset or ``release``) and then closed without a response.
    """

    count: int = 0
    seconds: float = 30.0
    released: asyncio.Event = field(default_factory=asyncio.Event)
    held: int = 0  # connections being held right now


@dataclass
class JiraState:
    """Everything the server knows; handlers and the control API share it via ``app["state"]``."""

    user: str
    token: str
    issues_count: int
    seed: int
    users_count: int
    projects_count: int
    frozen_now: datetime | None
    oauth: OAuthRegistry
    users: dict[str, User] = field(default_factory=dict)
    projects: list[Project] = field(default_factory=list)
    issues: dict[str, Issue] = field(default_factory=dict)
    myself: User | None = None
    requests: Counter = field(default_factory=Counter)  # "GET /rest/api/3/search/jql" -> n
    refused_writes: list[dict] = field(default_factory=list)
    rate_limit: RateLimit = field(default_factory=RateLimit)
    server_error: ServerError = field(default_factory=ServerError)
    hang: Hang = field(default_factory=Hang)
    api_token_status: str = "valid"  # "revoked" or "expired": the API token no longer works
    browse: dict[str, set[str]] = field(default_factory=dict)  # accountId -> project keys it may browse
    histories: dict[str, History] = field(default_factory=dict)  # issue key -> stored history
    last_history_id: int = 90_000_000

    def now(self) -> datetime:
        """The site's clock: frozen when the app was created with ``now=``, else real time."""
        return self.frozen_now or datetime.now(UTC)

    def tz(self) -> ZoneInfo:
        """The API user's zone, in which JQL reads absolute dates."""
        return ZoneInfo(self.myself.time_zone if self.myself else "Etc/UTC")

    def reseed(self, *, issues: int | None = None, seed: int | None = None) -> None:
        """Replace the site with a freshly generated one (optionally new size or seed)."""
        if issues is not None:
            self.issues_count = issues
        if seed is not None:
            self.seed = seed
        site = generate_site(
            user=self.user,
            issues=self.issues_count,
            seed=self.seed,
            now=self.now().replace(microsecond=0),
            users=self.users_count,
            projects=self.projects_count,
        )
        self.myself = site.myself
        self.users = {u.account_id: u for u in [site.myself, *site.users]}
        self.projects = site.projects
        self.issues = {i.key: i for i in site.issues}
        self.histories.clear()
        self.browse.clear()
        self.oauth.forget_tokens()

    def reset(self) -> None:
        """Reseed with the current options; forget counters and injected faults, restore the token."""
        self.reseed()
        self.requests.clear()
        self.refused_writes.clear()
        self.rate_limit = RateLimit()
        self.server_error = ServerError()
        self.release_hung()
        self.api_token_status = "valid"

    def release_hung(self) -> None:
        """Stop hanging: close every held connection now and forget pending hangs."""
        self.hang.released.set()
        self.hang = Hang()

    def find_issue(self, id_or_key: str) -> Issue | None:
        """An issue by key (any case) or numeric id."""
        issue = self.issues.get(id_or_key.upper())
        if issue is None and id_or_key.isdigit():
            issue = next((i for i in self.issues.values() if i.id == id_or_key), None)
        return issue

    def next_issue_id(self) -> str:
        """An id past every existing one, for issues added through the control API."""
        return str(max((int(i.id) for i in self.issues.values()), default=9999) + 1)

    def comments_of(self, issue: Issue) -> list[history.Comment]:
        """The issue's comments, oldest first: stored once a person wrote, else derived."""
        stored = self.histories.get(issue.key)
        return list(stored.comments) if stored else history.comments(issue)

    def changelog_of(self, issue: Issue) -> list[history.Change]:
        """The issue's changelog, oldest first: stored once a person wrote, else derived."""
        stored = self.histories.get(issue.key)
        return list(stored.changes) if stored else history.changelog(issue)

    def history_of(self, issue: Issue) -> History:
        """The issue's stored history, derived and stored first if nobody wrote to it yet."""
        if issue.key not in self.histories:
            self.histories[issue.key] = History(history.comments(issue), history.changelog(issue))
        return self.histories[issue.key]

    def next_history_id(self) -> str:
        """A comment or changelog id no derived one can take."""
        self.last_history_id += 1
        return str(self.last_history_id)

    def may_browse(self, viewer: User | None, project_key: str) -> bool:
        """Whether ``viewer`` may see ``project_key``: the API user sees all, others what
        ``browse`` grants them (every project when not restricted).
        """
        if viewer is None or viewer is self.myself or viewer.account_id not in self.browse:
            return True
        return project_key in self.browse[viewer.account_id]
