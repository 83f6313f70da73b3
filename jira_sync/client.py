"""The one Jira client: read-only by construction, with timeouts, and errors in one sentence.

Built on the ``jira`` library, whose requests session gets :class:`ReadOnlyAdapter` as its
transport: every request that is not a GET (or one of the three read-only POSTs: the JQL
search, the changelog bulk fetch, the OAuth token endpoint) is refused before it leaves
the process, and every request carries a timeout (the library's default is none). The
library's own retries are off; this module honours ``Retry-After`` on 429, backs off on
5xx and says what a 401 means.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

import requests
from django.conf import settings
from jira import JIRA, JIRAError
from requests.adapters import HTTPAdapter

log = logging.getLogger(__name__)

READ_POSTS = ("/search/jql", "/changelog/bulkfetch", "/oauth/token")
FIELDS = ["summary", "status", "statusCategory", "duedate", "assignee", "priority", "updated", "project"]
MAX_TRIES = 3
MAX_RETRY_AFTER_S = 30.0


class WriteRefused(RuntimeError):
    """Muster tried to write to Jira: a bug, never sent."""


class JiraFailure(Exception):
    """Jira did not answer as asked; ``sentence`` says why for an organiser, ``status`` is the HTTP status or None."""

    def __init__(self, sentence: str, status: int | None = None):
        super().__init__(sentence)
        self.sentence = sentence
        self.status = status


def allowed(method: str, url: str) -> bool:
    """Whether the read-only transport lets this request out."""
    path = urlsplit(url).path.rstrip("/")
    return method.upper() in ("GET", "HEAD") or (method.upper() == "POST" and path.endswith(READ_POSTS))


class ReadOnlyAdapter(HTTPAdapter):
    """A requests transport that sends only reads, each with a timeout, and counts them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sent = 0

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        if not allowed(request.method, request.url):
            raise WriteRefused(f"refused {request.method} {urlsplit(request.url).path}: Muster never writes to Jira")
        self.sent += 1
        timeout = timeout or request_timeout()
        return super().send(request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=proxies)


def request_timeout() -> tuple[float, float]:
    """(connect, read) seconds for every Jira request: JIRA_REQUEST_TIMEOUT."""
    read = settings.JIRA_REQUEST_TIMEOUT_S
    return (min(5.0, read), read)


def read_only_session() -> requests.Session:
    """A plain requests session behind the read-only transport (the OAuth token exchange uses it)."""
    session = requests.Session()
    adapter = ReadOnlyAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


@dataclass
class Credentials:
    """Basic auth (service account) or a bearer token (a member's OAuth access token)."""

    server: str
    email: str = ""
    api_token: str = ""
    bearer: str = ""
    sleep: object = field(default=time.sleep, repr=False)


def sentence_for(status: int | None, text: str = "") -> str:
    """What an organiser reads in the admin for a failed request."""
    if status == 401:
        return "401: the API token was rejected — it may have expired"
    if status == 403:
        return "403: the account may not read this — check its project permissions"
    if status == 404:
        return "404: nothing there — check the site's URL"
    if status == 400:
        detail = _jira_message(text)
        return f"400: Jira refused the query — {detail}" if detail else "400: Jira refused the query"
    if status == 429:
        return "429: Jira's rate limit held us back for too long; the next cycle tries again"
    if status is not None and status >= 500:
        return f"{status}: Jira had a server error; the next cycle tries again"
    if status is not None:
        return f"{status}: Jira refused the request"
    return "Jira did not answer in time; the next cycle tries again"


def _jira_message(text: str) -> str:
    try:
        body = json.loads(text or "{}")
    except ValueError:
        return text.strip()[:200]  # the library already reduced the body to Jira's messages
    if not isinstance(body, dict):
        return ""
    messages = list(body.get("errorMessages") or []) + [str(v) for v in (body.get("errors") or {}).values()]
    return " ".join(messages)[:200]


def jira_time(text: str | None) -> datetime:
    """A time as Jira writes it (``2026-12-01T13:55:31.000+0000``); now when missing."""
    if not text:
        return datetime.now(UTC)
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")


class JiraClient:
    """Reads of one site. ``requests`` counts what was sent (retries included)."""

    def __init__(self, credentials: Credentials):
        self._sleep = credentials.sleep
        auth = {"basic_auth": (credentials.email, credentials.api_token)} if credentials.api_token else {}
        if credentials.bearer:
            auth = {"token_auth": credentials.bearer}
        self._jira = JIRA(
            server=credentials.server,
            options={"rest_api_version": "3", "check_update": False},
            timeout=request_timeout(),
            max_retries=0,
            get_server_info=False,
            **auth,
        )
        self._adapter = ReadOnlyAdapter()
        self._jira._session.mount("http://", self._adapter)
        self._jira._session.mount("https://", self._adapter)

    @property
    def requests(self) -> int:
        return self._adapter.sent

    def _call(self, fn):
        """Run one request: Retry-After honoured on 429, 5xx backed off, anything else one sentence."""
        for attempt in range(1, MAX_TRIES + 1):
            try:
                return fn()
            except JIRAError as exc:
                status = exc.status_code
                retryable = status == 429 or (status is not None and status >= 500)
                if not retryable or attempt == MAX_TRIES:
                    raise JiraFailure(sentence_for(status, exc.text or ""), status) from None
                self._sleep(self._retry_delay(exc, attempt))
            except requests.RequestException:
                if attempt == MAX_TRIES:
                    raise JiraFailure(sentence_for(None)) from None
                self._sleep(2 ** (attempt - 1))
        raise AssertionError("unreachable")

    @staticmethod
    def _retry_delay(exc: JIRAError, attempt: int) -> float:
        headers = exc.response.headers if exc.response is not None else {}
        try:
            retry_after = float(headers.get("Retry-After", ""))
        except ValueError:
            retry_after = None
        if retry_after is not None:
            if retry_after > MAX_RETRY_AFTER_S:
                raise JiraFailure(sentence_for(429), 429) from None
            return retry_after
        return float(2 ** (attempt - 1))

    def search_page(self, jql: str, page_token: str | None = None, extra: tuple[str, ...] = ()) -> dict:
        """One page (≤ 100 issues) of ``POST search/jql`` with only the fields reminders use (and ``extra``)."""
        body = {"jql": jql, "fields": [*FIELDS, *extra], "maxResults": 100}
        if page_token:
            body["nextPageToken"] = page_token
        return self._post_search(body)

    def _post_search(self, body: dict) -> dict:
        # The library's request helper rather than enhanced_search_issues, which first reads
        # /field to translate field names (a request per cycle for names we already use).
        return self._call(lambda: self._jira._get_json("search/jql", params=body, use_post=True))

    def search(self, jql: str, extra: tuple[str, ...] = ()) -> list[dict]:
        """Every issue matching ``jql``, page after page (``nextPageToken``)."""
        issues, token = [], None
        while True:
            page = self.search_page(jql, token, extra)
            issues.extend(page.get("issues") or [])
            token = page.get("nextPageToken")
            if not token or page.get("isLast"):
                return issues

    def check_jql(self, jql: str) -> None:
        """A dry-run search of one issue: JiraFailure with Jira's reason when the JQL is refused."""
        self._post_search({"jql": jql, "fields": ["key"], "maxResults": 1})

    def comments(self, issue_key: str) -> list[dict]:
        """The newest 100 comments of an issue, newest first (with their authors' accountId)."""
        path = f"issue/{issue_key}/comment"
        params = {"orderBy": "-created", "maxResults": 100}
        return self._call(lambda: self._jira._get_json(path, params=params)).get("comments") or []

    def myself(self) -> dict:
        return self._call(lambda: self._jira.myself())

    def assignee_changes(self, issue_ids: list[str]) -> dict[str, list[dict]]:
        """``POST changelog/bulkfetch`` for the assignee field: issue id -> its changes, oldest first."""
        url = self._jira._get_url("changelog/bulkfetch")
        found: dict[str, list[dict]] = {}
        for start in range(0, len(issue_ids), 1000):
            body = {"issueIdsOrKeys": issue_ids[start : start + 1000], "fieldIds": ["assignee"], "maxResults": 1000}
            token = None
            while True:
                if token:
                    body["nextPageToken"] = token
                page = self._call(lambda body=body: self._jira._session.post(url, data=json.dumps(body)).json())
                for entry in page.get("issueChangeLogs") or []:
                    found.setdefault(str(entry.get("issueId")), []).extend(entry.get("changeHistories") or [])
                token = page.get("nextPageToken")
                if not token:
                    break
        return found
