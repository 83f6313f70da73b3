"""``/_control/``: the test-only side door into the Jira stand-in (no auth, never counted)."""

from __future__ import annotations

import random
from datetime import date, datetime

from aiohttp import web

from sandbox.jira.model import PRIORITY_RANK, STATUS_BY_NAME, Issue, User
from sandbox.jira.seed import account_id
from sandbox.jira.state import RateLimit

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
    removed = request.app["state"].issues.pop(request.match_info["key"].upper(), None)
    return web.json_response({"deleted": removed is not None}, status=200 if removed else 404)


def add_routes(app: web.Application) -> None:
    """Register the control endpoints."""
    r = app.router
    r.add_get(PREFIX, overview)
    r.add_post(PREFIX + "/reset", reset)
    r.add_post(PREFIX + "/seed", seed)
    r.add_post(PREFIX + "/rate-limit", rate_limit)
    r.add_post(PREFIX + "/clock", clock)
    r.add_get(PREFIX + "/counters", counters)
    r.add_get(PREFIX + "/users", list_users)
    r.add_post(PREFIX + "/users", add_user)
    r.add_get(PREFIX + "/issues", list_issues)
    r.add_put(PREFIX + "/issues/{key}", put_issue)
    r.add_delete(PREFIX + "/issues/{key}", delete_issue)
