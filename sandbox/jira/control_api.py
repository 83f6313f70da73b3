"""``/_control/``: the test-only side door into the Jira stand-in (no auth, never counted)."""

from __future__ import annotations

import random
from datetime import date, datetime

from aiohttp import web

from sandbox.jira import history, oauth
from sandbox.jira.guard import SERVER_ERRORS
from sandbox.jira.model import PRIORITY_RANK, STATUS_BY_NAME, Issue, User
from sandbox.jira.seed import account_id
from sandbox.jira.state import Hang, RateLimit, ServerError

PREFIX = "/_control"


def _bad(message: str) -> web.Response:
    return web.json_response({"error": message}, status=400)


def issue_summary(issue: Issue) -> dict:
    """A flat view of an issue for assertions."""
    return {
        "id": issue.id,
        "key": issue.key,
        "project": issue.project_key,
        "summary": issue.summary,
        "status": issue.status.name,
        "statusCategory": issue.status.category.key,
        "assignee": issue.assignee_id,
        "reporter": issue.reporter_id,
        "duedate": issue.duedate.isoformat() if issue.duedate else None,
        "created": issue.created.isoformat(),
        "updated": issue.updated.isoformat(),
        "priority": issue.priority,
        "issuetype": issue.issue_type,
    }


def user_summary(user: User) -> dict:
    """The user fields tests care about."""
    return {
        "accountId": user.account_id,
        "displayName": user.display_name,
        "emailAddress": user.email,
        "timeZone": user.time_zone,
    }


async def overview(request: web.Request) -> web.Response:
    state = request.app["state"]
    return web.json_response(
        {
            "user": state.user,
            "myself": user_summary(state.myself),
            "issues": len(state.issues),
            "seed": state.seed,
            "projects": [p.key for p in state.projects],
            "now": state.now().isoformat(),
            "cloud_id": state.oauth.cloud_id,
        }
    )


async def reset(request: web.Request) -> web.Response:
    request.app["state"].reset()
    return web.json_response({"ok": True})


async def seed(request: web.Request) -> web.Response:
    body = await request.json() if request.can_read_body else {}
    request.app["state"].reseed(issues=body.get("issues"), seed=body.get("seed"))
    return web.json_response({"ok": True, "issues": len(request.app["state"].issues)})


async def rate_limit(request: web.Request) -> web.Response:
    body = await request.json()
    request.app["state"].rate_limit = RateLimit(int(body.get("count", 1)), int(body.get("retry_after", 1)))
    return web.json_response({"ok": True})


def _count(body: dict) -> int | str:
    count = body.get("count", 1)
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        return f"count must be a whole number of requests, not {count!r}"
    return count


async def server_error(request: web.Request) -> web.Response:
    """``POST /_control/server-error`` ``{"count", "status"}``: the next ``count`` REST calls fail."""
    body = await request.json()
    count, status = _count(body), body.get("status", 500)
    if isinstance(count, str):
        return _bad(count)
    if status not in SERVER_ERRORS:
        return _bad(f"status must be one of {sorted(SERVER_ERRORS)}, not {status!r}")
    request.app["state"].server_error = ServerError(count, status)
    return web.json_response({"ok": True})


MAX_HANG_SECONDS = 300


async def hang(request: web.Request) -> web.Response:
    """``POST /_control/hang`` ``{"count", "seconds"}``: hold the next ``count`` REST calls."""
    body = await request.json()
    count, seconds = _count(body), body.get("seconds", 30)
    if isinstance(count, str):
        return _bad(count)
    if not isinstance(seconds, int | float) or isinstance(seconds, bool) or not 0 < seconds <= MAX_HANG_SECONDS:
        return _bad(f"seconds must be more than 0 and at most {MAX_HANG_SECONDS}, not {seconds!r}")
    state = request.app["state"]
    state.release_hung()
    state.hang = Hang(count, float(seconds))
    return web.json_response({"ok": True})


async def release(request: web.Request) -> web.Response:
    """``POST /_control/hang/release``: drop held connections now, cancel pending hangs."""
    state = request.app["state"]
    held = state.hang.held
    state.release_hung()
    return web.json_response({"ok": True, "released": held})


TOKEN_STATUSES = ("valid", "revoked", "expired")


async def api_token(request: web.Request) -> web.Response:
    """``POST /_control/api-token`` ``{"status"}``: revoke, expire or restore the API token."""
    status = (await request.json()).get("status")
    if status not in TOKEN_STATUSES:
        return _bad(f"status must be one of {list(TOKEN_STATUSES)}, not {status!r}")
    request.app["state"].api_token_status = status
    return web.json_response({"ok": True})


async def oauth_overview(request: web.Request) -> web.Response:
    """``GET /_control/oauth``: cloud id, apps, grants, live token count, refreshes made."""
    state = request.app["state"]
    return web.json_response(oauth.summary(state.oauth, state.now()))


async def oauth_app(request: web.Request) -> web.Response:
    """``POST /_control/oauth/apps`` ``{"client_id", "client_secret", "redirect_uris"}``."""
    registered = oauth.register_app(request.app["state"].oauth, await request.json())
    if isinstance(registered, str):
        return _bad(registered)
    return web.json_response({"client_id": registered.client_id, "redirect_uris": registered.redirect_uris}, status=201)


async def oauth_revoke(request: web.Request) -> web.Response:
    """``POST /_control/oauth/revoke`` ``{"accountId", "client_id"?}``: the user revokes access."""
    body = await request.json()
    state = request.app["state"]
    if body.get("accountId") not in state.users:
        return _bad(f"unknown accountId {body.get('accountId')!r}")
    return web.json_response({"revoked": state.oauth.revoke(body["accountId"], body.get("client_id"))})


async def oauth_expire(request: web.Request) -> web.Response:
    """``POST /_control/oauth/expire`` ``{"accountId"?}``: access tokens expire now."""
    body = await request.json() if request.can_read_body else {}
    state = request.app["state"]
    return web.json_response({"expired": state.oauth.expire_access(state.now(), body.get("accountId"))})


async def browse(request: web.Request) -> web.Response:
    """``PUT /_control/users/{accountId}/browse`` ``{"projects": [...] | null}``: what the user
    may see when a request acts as them (OAuth); null lifts the restriction.
    """
    state = request.app["state"]
    account = request.match_info["account_id"]
    if account not in state.users:
        return web.json_response({"error": f"no user {account}"}, status=404)
    projects = (await request.json()).get("projects")
    if projects is None:
        state.browse.pop(account, None)
        return web.json_response({"ok": True})
    known = {p.key for p in state.projects}
    if not isinstance(projects, list) or not set(projects) <= known:
        return _bad(f"projects must be a list of project keys from {sorted(known)}, or null")
    state.browse[account] = set(projects)
    return web.json_response({"ok": True})


async def clock(request: web.Request) -> web.Response:
    body = await request.json()
    raw = body.get("now")
    request.app["state"].frozen_now = datetime.fromisoformat(raw) if raw else None
    return web.json_response({"ok": True})


async def counters(request: web.Request) -> web.Response:
    state = request.app["state"]
    return web.json_response({"requests": dict(state.requests), "refused_writes": state.refused_writes})


async def list_users(request: web.Request) -> web.Response:
    return web.json_response([user_summary(u) for u in request.app["state"].users.values()])


async def add_user(request: web.Request) -> web.Response:
    body = await request.json()
    state = request.app["state"]
    new = User(
        body.get("accountId") or account_id(random.Random(len(state.users) * 7919 + state.seed)),
        body["displayName"],
        body.get("emailAddress", ""),
        body.get("timeZone", "Etc/UTC"),
        body.get("active", True),
    )
    state.users[new.account_id] = new
    return web.json_response(user_summary(new), status=201)


async def list_issues(request: web.Request) -> web.Response:
    issues = sorted(request.app["state"].issues.values(), key=lambda i: (i.project_key, i.number))
    return web.json_response([issue_summary(i) for i in issues])


def _apply(issue: Issue, body: dict, state) -> str | None:
    """Copy writable fields from ``body`` onto ``issue``; an error message or None."""
    if "status" in body:
        if body["status"].lower() not in STATUS_BY_NAME:
            return f"unknown status {body['status']!r}"
        issue.status = STATUS_BY_NAME[body["status"].lower()]
    if "assignee" in body:
        if body["assignee"] is not None and body["assignee"] not in state.users:
            return f"unknown accountId {body['assignee']!r}"
        issue.assignee_id = body["assignee"]
    if "priority" in body:
        if body["priority"].lower() not in PRIORITY_RANK:
            return f"unknown priority {body['priority']!r}"
        issue.priority = body["priority"].capitalize()
    for name in ("created", "updated"):
        if name in body:
            when = datetime.fromisoformat(body[name])
            if when.tzinfo is None:
                return f"{name} must carry a UTC offset"
            setattr(issue, name, when)
    if "duedate" in body:
        issue.duedate = date.fromisoformat(body["duedate"]) if body["duedate"] else None
    for name, attr in (("summary", "summary"), ("description", "description"), ("issuetype", "issue_type")):
        if name in body:
            setattr(issue, attr, body[name])
    return None


async def put_issue(request: web.Request) -> web.Response:
    """Create or change an issue: ``PUT /_control/issues/OPS-7`` with the fields to set."""
    state = request.app["state"]
    key = request.match_info["key"].upper()
    body = await request.json()
    issue = state.issues.get(key)
    created = issue is None
    if created:
        project_key = key.rsplit("-", 1)[0]
        if project_key not in {p.key for p in state.projects} or not key.rsplit("-", 1)[-1].isdigit():
            return _bad(f"{key} is not a key in one of the projects {[p.key for p in state.projects]}")
        now = state.now()
        issue = Issue(state.next_issue_id(), key, project_key, "", STATUS_BY_NAME["to do"], now, now)
    error = _apply(issue, body, state)
    if error:
        return _bad(error)
    state.issues[key] = issue
    return web.json_response(issue_summary(issue), status=201 if created else 200)


async def delete_issue(request: web.Request) -> web.Response:
    key = request.match_info["key"].upper()
    removed = request.app["state"].issues.pop(key, None)
    request.app["state"].histories.pop(key, None)
    return web.json_response({"deleted": removed is not None}, status=200 if removed else 404)


class _Refused(Exception):
    """A person's write the stand-in cannot make; ``response`` says why."""

    def __init__(self, response: web.Response):
        self.response = response


async def _as_person(request: web.Request) -> tuple[Issue, User, dict, datetime]:
    """The issue, the acting user (``by``), the body and the time of a person's write."""
    state = request.app["state"]
    issue = state.issues.get(request.match_info["key"].upper())
    if issue is None:
        raise _Refused(web.json_response({"error": f"no issue {request.match_info['key']}"}, status=404))
    try:
        body = await request.json()
    except ValueError:
        raise _Refused(_bad("the body must be a JSON object")) from None
    if not isinstance(body, dict):
        raise _Refused(_bad("the body must be a JSON object"))
    by = state.users.get(body.get("by"))
    if by is None:
        raise _Refused(_bad(f"'by' must be the accountId of a user on the site, not {body.get('by')!r}"))
    when = state.now().replace(microsecond=0)
    if body.get("at"):
        when = datetime.fromisoformat(body["at"])
        if when.tzinfo is None:
            raise _Refused(_bad("at must carry a UTC offset"))
    return issue, by, body, when


def _record(state, issue: Issue, by: User, when: datetime, item: history.Item) -> web.Response:
    """Store a changelog entry by ``by`` and bump ``updated``, as Jira does on an edit."""
    state.history_of(issue).changes.append(history.Change(state.next_history_id(), by.account_id, when, (item,)))
    issue.updated = when
    return web.json_response(issue_summary(issue))


async def _person_write(request: web.Request, write) -> web.Response:
    try:
        issue, by, body, when = await _as_person(request)
        return write(request.app["state"], issue, by, body, when)
    except _Refused as refused:
        return refused.response


def _assign(state, issue: Issue, by: User, body: dict, when: datetime) -> web.Response:
    if "assignee" not in body:
        return _bad("'assignee' is required: an accountId, or null to unassign")
    new = body["assignee"]
    if new is not None and new not in state.users:
        return _bad(f"unknown accountId {new!r}")
    old = issue.assignee_id
    if new == old:
        return web.json_response(issue_summary(issue))  # Jira records nothing for a no-op
    issue.assignee_id = new

    def name(account: str | None) -> str | None:
        return state.users[account].display_name if account in state.users else None

    return _record(state, issue, by, when, history.assignee_item(old, name(old), new, name(new)))


def _transition(state, issue: Issue, by: User, body: dict, when: datetime) -> web.Response:
    wanted = str(body.get("status", "")).lower()
    if wanted not in STATUS_BY_NAME:
        return _bad(f"unknown status {body.get('status')!r}; one of {[s.title() for s in STATUS_BY_NAME]}")
    old, new = issue.status, STATUS_BY_NAME[wanted]
    if new == old:
        return web.json_response(issue_summary(issue))
    issue.status = new
    return _record(state, issue, by, when, history.status_item(old.name, new.name))


def _due(state, issue: Issue, by: User, body: dict, when: datetime) -> web.Response:
    if "duedate" not in body:
        return _bad("'duedate' is required: YYYY-MM-DD, or null to clear it")
    try:
        new = date.fromisoformat(body["duedate"]) if body["duedate"] else None
    except (TypeError, ValueError):
        return _bad(f"duedate must be YYYY-MM-DD, not {body['duedate']!r}")
    old = issue.duedate
    if new == old:
        return web.json_response(issue_summary(issue))
    issue.duedate = new
    return _record(state, issue, by, when, history.duedate_item(old, new))


def _comment(state, issue: Issue, by: User, body: dict, when: datetime) -> web.Response:
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        return _bad("'text' is required: the comment's plain text")
    comment = history.Comment(state.next_history_id(), by.account_id, text, when)
    state.history_of(issue).comments.append(comment)
    issue.updated = when  # a comment bumps updated but, as in Jira, is not a changelog entry
    return web.json_response({"id": comment.id, "issue": issue_summary(issue)}, status=201)


async def assign(request: web.Request) -> web.Response:
    """``POST /_control/issues/{key}/assign`` ``{"by", "assignee"}``: reassign or unassign."""
    return await _person_write(request, _assign)


async def transition(request: web.Request) -> web.Response:
    """``POST /_control/issues/{key}/transition`` ``{"by", "status"}``: move the issue."""
    return await _person_write(request, _transition)


async def due(request: web.Request) -> web.Response:
    """``POST /_control/issues/{key}/duedate`` ``{"by", "duedate"}``: set or clear the due date."""
    return await _person_write(request, _due)


async def comment(request: web.Request) -> web.Response:
    """``POST /_control/issues/{key}/comments`` ``{"by", "text"}``: comment as a user."""
    return await _person_write(request, _comment)


def add_routes(app: web.Application) -> None:
    """Register the control endpoints."""
    r = app.router
    r.add_get(PREFIX, overview)
    r.add_post(PREFIX + "/reset", reset)
    r.add_post(PREFIX + "/seed", seed)
    r.add_post(PREFIX + "/rate-limit", rate_limit)
    r.add_post(PREFIX + "/clock", clock)
    r.add_post(PREFIX + "/server-error", server_error)
    r.add_post(PREFIX + "/hang", hang)
    r.add_post(PREFIX + "/hang/release", release)
    r.add_post(PREFIX + "/api-token", api_token)
    r.add_get(PREFIX + "/counters", counters)
    r.add_get(PREFIX + "/users", list_users)
    r.add_put(PREFIX + "/users/{account_id}/browse", browse)
    r.add_get(PREFIX + "/oauth", oauth_overview)
    r.add_post(PREFIX + "/oauth/apps", oauth_app)
    r.add_post(PREFIX + "/oauth/revoke", oauth_revoke)
    r.add_post(PREFIX + "/oauth/expire", oauth_expire)
    r.add_post(PREFIX + "/users", add_user)
    r.add_get(PREFIX + "/issues", list_issues)
    r.add_put(PREFIX + "/issues/{key}", put_issue)
    r.add_delete(PREFIX + "/issues/{key}", delete_issue)
    r.add_post(PREFIX + "/issues/{key}/assign", assign)
    r.add_post(PREFIX + "/issues/{key}/transition", transition)
    r.add_post(PREFIX + "/issues/{key}/duedate", due)
    r.add_post(PREFIX + "/issues/{key}/comments", comment)
