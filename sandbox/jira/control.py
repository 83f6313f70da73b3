"""A small synchronous client for the Jira stand-in's ``/_control/`` API (tests, benchmarks)."""

from __future__ import annotations

from datetime import date, datetime

from sandbox.control_client import ControlClient


class JiraControl(ControlClient):
    """Drive a running Jira stand-in at ``base_url``: reseed, inject 429s, read counters."""

    def overview(self) -> dict:
        """The API user, issue count, seed, project keys, the site's clock and its cloud id."""
        return self._call("GET")

    def reset(self) -> None:
        """Reseed with the current options; clear counters, refused writes and injected faults
        (held connections are closed); the API token works again.
        """
        self._call("POST", "/reset")

    def seed(self, *, issues: int | None = None, seed: int | None = None) -> int:
        """Regenerate the site (optionally with a new size or seed); returns the issue count."""
        body = {k: v for k, v in {"issues": issues, "seed": seed}.items() if v is not None}
        return self._call("POST", "/seed", json=body)["issues"]

    def inject_rate_limit(self, count: int = 1, retry_after: int = 1) -> None:
        """Answer the next ``count`` REST requests 429 with ``Retry-After: retry_after``."""
        self._call("POST", "/rate-limit", json={"count": count, "retry_after": retry_after})

    def inject_server_error(self, count: int = 1, status: int = 500) -> None:
        """Answer the next ``count`` REST requests ``status`` (500, 502, 503, 504), Jira's error body."""
        self._call("POST", "/server-error", json={"count": count, "status": status})

    def inject_hang(self, count: int = 1, seconds: float = 30) -> None:
        """Accept the next ``count`` REST requests and never answer: each connection is held
        ``seconds`` (at most 300), then closed without a response.
        """
        self._call("POST", "/hang", json={"count": count, "seconds": seconds})

    def release_hung(self) -> int:
        """Close held connections now and cancel pending hangs; returns how many were held."""
        return self._call("POST", "/hang/release")["released"]

    def revoke_api_token(self) -> None:
        """The API token stops working, as if its owner revoked it (401 on every user route)."""
        self._call("POST", "/api-token", json={"status": "revoked"})

    def expire_api_token(self) -> None:
        """The API token stops working, as if it reached its expiry date (Jira answers as for revoked)."""
        self._call("POST", "/api-token", json={"status": "expired"})

    def restore_api_token(self) -> None:
        """The API token works again."""
        self._call("POST", "/api-token", json={"status": "valid"})

    def register_oauth_app(self, client_id: str, client_secret: str, redirect_uris: list[str]) -> None:
        """Register (or replace) an OAuth 2.0 (3LO) app, as the developer console would."""
        body = {"client_id": client_id, "client_secret": client_secret, "redirect_uris": redirect_uris}
        self._call("POST", "/oauth/apps", json=body)

    def oauth(self) -> dict:
        """``cloud_id``, ``site_name``, ``apps``, ``grants``, ``live_access_tokens``, ``refreshes``."""
        return self._call("GET", "/oauth")

    def revoke_oauth_grant(self, account_id: str, client_id: str | None = None) -> int:
        """The user revokes the app's access (every app's, without ``client_id``): their refresh
        tokens answer ``invalid_grant`` and their access tokens 401. Returns grants revoked.
        """
        return self._call("POST", "/oauth/revoke", json={"accountId": account_id, "client_id": client_id})["revoked"]

    def expire_access_tokens(self, account_id: str | None = None) -> int:
        """Access tokens (the user's, or all) expire now; refresh tokens still work."""
        return self._call("POST", "/oauth/expire", json={"accountId": account_id})["expired"]

    def set_browse_projects(self, account_id: str, projects: list[str] | None) -> None:
        """Limit what requests acting as the user (OAuth) may see to ``projects`` (None: all)."""
        self._call("PUT", f"/users/{account_id}/browse", json={"projects": projects})

    def set_clock(self, now: datetime | None) -> None:
        """Freeze the site's clock at ``now`` (aware), or back to real time with None."""
        self._call("POST", "/clock", json={"now": now.isoformat() if now else None})

    def counters(self) -> dict[str, int]:
        """Requests per endpoint, e.g. ``{"GET search/jql": 3, "POST issue": 1}``."""
        return self._call("GET", "/counters")["requests"]

    def refused_writes(self) -> list[dict]:
        """Every refused write: ``{"method", "path", "body"}``."""
        return self._call("GET", "/counters")["refused_writes"]

    def users(self) -> list[dict]:
        """All accounts (the API user first): accountId, displayName, emailAddress, timeZone."""
        return self._call("GET", "/users")

    def add_user(self, display_name: str, email: str = "", time_zone: str = "Etc/UTC", **extra) -> dict:
        """Add an account; returns it with its generated accountId."""
        body = {"displayName": display_name, "emailAddress": email, "timeZone": time_zone, **extra}
        return self._call("POST", "/users", json=body)

    def issues(self) -> list[dict]:
        """Every issue, flattened (key, status, statusCategory, assignee, duedate, updated, ...)."""
        return self._call("GET", "/issues")

    def put_issue(self, key: str, **fields) -> dict:
        """Create or change issue ``key``: summary, status, assignee, duedate, updated, created, priority."""
        return self._call("PUT", f"/issues/{key}", json=fields)

    def reassign(self, key: str, assignee: str | None, *, by: str, at: datetime | None = None) -> dict:
        """As user ``by``: assign issue ``key`` to ``assignee`` (None: unassign)."""
        return self._person(key, "assign", by, at, assignee=assignee)

    def transition(self, key: str, status: str, *, by: str, at: datetime | None = None) -> dict:
        """As user ``by``: move issue ``key`` to ``status`` (its statusCategory follows)."""
        return self._person(key, "transition", by, at, status=status)

    def set_due_date(self, key: str, duedate: date | None, *, by: str, at: datetime | None = None) -> dict:
        """As user ``by``: set issue ``key``'s due date (None: clear it)."""
        return self._person(key, "duedate", by, at, duedate=duedate.isoformat() if duedate else None)

    def comment(self, key: str, text: str, *, by: str, at: datetime | None = None) -> str:
        """As user ``by``: comment on issue ``key``; returns the comment's id."""
        return self._person(key, "comments", by, at, text=text)["id"]

    def _person(self, key: str, action: str, by: str, at: datetime | None, **fields) -> dict:
        body = {"by": by, **fields, **({"at": at.isoformat()} if at else {})}
        return self._call("POST", f"/issues/{key}/{action}", json=body)

    def delete_issue(self, key: str) -> None:
        """Remove issue ``key``."""
        self._call("DELETE", f"/issues/{key}")
