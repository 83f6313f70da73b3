"""Jira Cloud REST (v2, v3 and "latest" paths) as the ``jira`` library and Muster call it.

Read endpoints only. Every write (any method but GET, except the POST reads) is
answered 405 and recorded, so tests can prove Muster never writes to Jira.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import replace

from aiohttp import web

from sandbox.jira import history, render
from sandbox.jira.jql import JQLError, parse
from sandbox.jira.jql_eval import Context, compile_query, sort_issues
from sandbox.jira.model import User
from sandbox.jira.oauth import VIEWER
from sandbox.jira.state import JiraState

API = "/rest/api/{version:(2|3|latest)}"
READ_POSTS = {"search/jql", "search/approximate-count", "changelog/bulkfetch"}
DEFAULT_PAGE = 50
MAX_PAGE_WITH_FIELDS = 100
MAX_PAGE_IDS_ONLY = 5000


def jira_error(status: int, *messages: str, headers: dict | None = None) -> web.Response:
    """Jira's error body: ``{"errorMessages": [...], "errors": {}}``."""
    return web.json_response({"errorMessages": list(messages), "errors": {}}, status=status, headers=headers)


def _state(request: web.Request) -> JiraState:
    return request.app["state"]


def viewer(request: web.Request) -> User:
    """Who is asking: the API user (basic auth) or the OAuth token's user."""
    return request.get(VIEWER) or _state(request).myself


def visible(request: web.Request, issue) -> bool:
    """Whether the caller may browse ``issue`` (the service account sees every project)."""
    return _state(request).may_browse(viewer(request), issue.project_key)


def visible_projects(request: web.Request) -> list:
    state, who = _state(request), viewer(request)
    return [p for p in state.projects if state.may_browse(who, p.key)]


def _base(request: web.Request) -> str:
    """The API's base URL as the caller reached it (the site, or the OAuth gateway)."""
    gateway = f"/ex/jira/{request.match_info['cloudid']}" if "cloudid" in request.match_info else ""
    return f"{request.url.origin()}{gateway}/rest/api/{request.match_info.get('version', '3')}"


def _context(request: web.Request) -> Context:
    state = _state(request)
    return Context(
        users=state.users,
        projects=visible_projects(request),
        issue_keys={i.key for i in state.issues.values() if visible(request, i)},
        now=state.now(),
        tz=state.tz(),
        current_account_id=viewer(request).account_id,
    )


async def server_info(request: web.Request) -> web.Response:
    state = _state(request)
    return web.json_response(render.server_info(str(request.url.origin()), state.now(), state.tz()))


async def myself(request: web.Request) -> web.Response:
    body = render.user_json(viewer(request), _base(request))
    body.update(
        expand="groups,applicationRoles",
        groups={"size": 1, "items": []},
        applicationRoles={"size": 1, "items": []},
    )
    return web.json_response(body)


async def projects(request: web.Request) -> web.Response:
    base = _base(request)
    return web.json_response([render.project_json(p, base) for p in visible_projects(request)])


async def project(request: web.Request) -> web.Response:
    wanted = request.match_info["project"]
    for p in visible_projects(request):
        if wanted.upper() == p.key or wanted == p.id:
            return web.json_response(render.project_json(p, _base(request)))
    return jira_error(404, f"No project could be found with key '{wanted}'.")


async def project_search(request: web.Request) -> web.Response:
    """``GET project/search``: a page of projects, filtered by ``query`` and ``keys``, by key."""
    q = request.query
    start = max(_int_param(q, "startAt", 0), 0)
    limit = min(max(_int_param(q, "maxResults", 50), 0), 100)  # Jira caps a page at 100 projects
    text = q.get("query", "").lower()
    keys = {k.upper() for entry in q.getall("keys", []) for k in entry.split(",") if k}
    found = [
        p
        for p in sorted(visible_projects(request), key=lambda p: p.key)
        if (not text or text in p.key.lower() or text in p.name.lower()) and (not keys or p.key in keys)
    ]
    base = _base(request)
    listed = [render.project_json(p, base) for p in found]
    filters = {k: v for k, v in q.items() if k in ("query", "keys", "orderBy")}
    return web.json_response(render.page(listed, start=start, limit=limit, url=f"{base}/project/search", query=filters))


def _issue_or_404(request: web.Request):
    found = _state(request).find_issue(request.match_info["issue"])
    if found is None or not visible(request, found):
        raise web.HTTPNotFound(
            text=json.dumps(
                {"errorMessages": ["Issue does not exist or you do not have permission to see it."], "errors": {}}
            ),
            content_type="application/json",
        )
    return found


def _author(state: JiraState, account_id: str | None, base: str) -> dict | None:
    """A ``UserDetails`` bean: the user without ``locale``, which that schema does not have."""
    if account_id not in state.users:
        return None
    details = render.user_json(state.users[account_id], base)
    del details["locale"]
    return details


async def issue_comments(request: web.Request) -> web.Response:
    """``GET issue/{key}/comment``: ``PageOfComments``, oldest first unless ``orderBy=-created``."""
    state, found = _state(request), _issue_or_404(request)
    start = _int_param(request.query, "startAt", 0)
    limit = _int_param(request.query, "maxResults", 100)
    order = request.query.get("orderBy", "created")
    if order not in ("created", "-created", "+created"):
        return jira_error(400, f"Invalid orderBy value '{order}'.")
    items = state.comments_of(found)
    if order == "-created":
        items.reverse()
    base, version, tz = _base(request), request.match_info["version"], state.tz()
    rendered = [
        {
            "self": f"{base}/issue/{found.id}/comment/{c.id}",
            "id": c.id,
            "author": _author(state, c.author_id, base),
            "body": render.rich_text(c.text, version),
            "updateAuthor": _author(state, c.author_id, base),
            "created": render.jira_time(c.created, tz),
            "updated": render.jira_time(c.created, tz),
            "jsdPublic": True,
        }
        for c in items
    ]
    return web.json_response(
        {"startAt": start, "maxResults": limit, "total": len(rendered), "comments": rendered[start : start + limit]}
    )


def change_json(state: JiraState, change: history.Change, base: str) -> dict:
    """A ``Changelog`` bean: author, time and the changed fields (``ChangeDetails``)."""
    return {
        "id": change.id,
        "author": _author(state, change.author_id, base),
        "created": render.jira_time(change.created, state.tz()),
        "items": [
            {
                "field": item.field,
                "fieldtype": "jira",
                "fieldId": item.field,
                "from": item.from_,
                "fromString": item.from_string,
                "to": item.to,
                "toString": item.to_string,
            }
            for item in change.items
        ],
    }


async def issue_changelog(request: web.Request) -> web.Response:
    """``GET issue/{key}/changelog``: a ``PageBeanChangelog`` of status changes, oldest first."""
    state, found = _state(request), _issue_or_404(request)
    start = _int_param(request.query, "startAt", 0)
    limit = _int_param(request.query, "maxResults", 100)
    base = _base(request)
    entries = [change_json(state, c, base) for c in state.changelog_of(found)]
    url = f"{base}/issue/{found.key}/changelog"
    return web.json_response(render.page(entries, start=start, limit=limit, url=url, query={}))


BULK_MAX_ISSUES = 1000
BULK_MAX_FIELDS = 10
BULK_MAX_RESULTS = 10000


def _bulk_request(body) -> tuple[list[str], set[str] | None, int, str | None] | str:
    """A ``BulkChangelogRequestBean``'s values, or what is wrong with it."""
    if not isinstance(body, dict):
        return "The request body must be a JSON object."
    unknown = sorted(set(body) - {"issueIdsOrKeys", "fieldIds", "maxResults", "nextPageToken"})
    if unknown:
        return f"Unrecognized field '{unknown[0]}'."
    wanted = body.get("issueIdsOrKeys")
    if not isinstance(wanted, list) or not all(isinstance(k, str) for k in wanted):
        return "issueIdsOrKeys must be a list of issue IDs or keys."
    if not 1 <= len(wanted) <= BULK_MAX_ISSUES:
        return f"issueIdsOrKeys must contain between 1 and {BULK_MAX_ISSUES} issue IDs or keys."
    field_ids = body.get("fieldIds")
    if field_ids is not None and (not isinstance(field_ids, list) or len(field_ids) > BULK_MAX_FIELDS):
        return f"fieldIds must be a list of at most {BULK_MAX_FIELDS} field IDs."
    limit = body.get("maxResults", BULK_MAX_ISSUES)
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= BULK_MAX_RESULTS:
        return f"maxResults must be between 1 and {BULK_MAX_RESULTS}."
    token = body.get("nextPageToken")
    if token is not None and not isinstance(token, str):
        return "nextPageToken must be a string."
    return wanted, set(field_ids) if field_ids else None, limit, token


async def bulk_changelog(request: web.Request) -> web.Response:
    """``POST changelog/bulkfetch``: the changelogs of up to 1,000 issues, a page at a time.

    Entries are paged oldest first (then by issue id), at most ``maxResults`` per page, and
    grouped per issue (``IssueChangeLog``) in issue-id order within a page. ``fieldIds``
    keeps only entries (and items) of those fields. Issues that do not exist or that the
    caller may not browse are left out, as are issues without entries.
    """
    state = _state(request)
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return jira_error(400, "Unexpected character in the request body.")
    parsed = _bulk_request(body)
    if isinstance(parsed, str):
        return jira_error(400, parsed)
    wanted, field_ids, limit, token = parsed
    issues = {}
    for id_or_key in wanted:
        found = state.find_issue(id_or_key)
        if found is not None and visible(request, found):
            issues[found.id] = found
    entries = []
    for issue in issues.values():
        for change in state.changelog_of(issue):
            items = tuple(i for i in change.items if field_ids is None or i.field in field_ids)
            if items:
                entries.append((change.created, int(issue.id), int(change.id), issue.id, change, items))
    entries.sort(key=lambda e: e[:3])
    binding = json.dumps([sorted(issues), sorted(field_ids or ())])
    offset = 0
    if token:
        offset = _read_page_token(token, binding)
        if offset is None:
            return jira_error(400, "The provided next page token is invalid or expired.")
    page = entries[offset : offset + limit]
    base = _base(request)
    grouped: dict[str, list] = {}
    for *_, issue_id, change, items in page:
        grouped.setdefault(issue_id, []).append(change_json(state, replace(change, items=items), base))
    answer: dict = {
        "issueChangeLogs": [
            {"issueId": issue_id, "changeHistories": grouped[issue_id]} for issue_id in sorted(grouped, key=int)
        ]
    }
    if offset + limit < len(entries):
        answer["nextPageToken"] = _page_token(offset + limit, binding)
    return web.json_response(answer)


async def fields(request: web.Request) -> web.Response:
    return web.json_response(render.fields_json())


def _int_param(params, name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise web.HTTPBadRequest(
            text=json.dumps({"errorMessages": [f"Invalid value '{raw}' for '{name}'."], "errors": {}}),
            content_type="application/json",
        ) from None


async def user_search(request: web.Request) -> web.Response:
    state = _state(request)
    query = request.query.get("query", "").strip().lower()
    account_id = request.query.get("accountId")
    if not query and not account_id:
        return jira_error(400, "One of 'query' or 'accountId' parameters must be provided.")
    start = _int_param(request.query, "startAt", 0)
    limit = min(_int_param(request.query, "maxResults", 50), 1000)
    found = [
        u
        for u in state.users.values()
        if (account_id and u.account_id == account_id)
        or (
            query
            and (
                u.email.lower().startswith(query)
                or any(w.lower().startswith(query) for w in u.display_name.split())
                or u.display_name.lower().startswith(query)
            )
        )
    ]
    base = _base(request)
    return web.json_response([render.user_json(u, base) for u in found[start : start + limit]])


async def user(request: web.Request) -> web.Response:
    account_id = request.query.get("accountId")
    found = _state(request).users.get(account_id) if account_id else None
    if found is None:
        return jira_error(404, "Specified user does not exist or you do not have required permissions")
    return web.json_response(render.user_json(found, _base(request)))


async def issue(request: web.Request) -> web.Response:
    state = _state(request)
    found = state.find_issue(request.match_info["issue"])
    if found is None or not visible(request, found):
        return jira_error(404, "Issue does not exist or you do not have permission to see it.")
    requested = request.query.getall("fields", None)
    return web.json_response(
        render.issue_json(
            found,
            base=_base(request),
            version=request.match_info["version"],
            fields=render.selected_fields(requested, render.ALL_FIELDS),
            users=state.users,
            projects=state.projects,
            tz=state.tz(),
        )
    )


async def _search_params(request: web.Request) -> dict:
    """The search parameters from the query string (GET) or the JSON body (POST)."""
    if request.method == "GET":
        q = request.query
        return {
            "jql": q.get("jql"),
            "nextPageToken": q.get("nextPageToken"),
            "maxResults": q.get("maxResults"),
            "fields": q.getall("fields", None),
        }
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise web.HTTPBadRequest(
            text=json.dumps({"errorMessages": ["Unexpected character in the request body."], "errors": {}}),
            content_type="application/json",
        ) from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(
            text=json.dumps({"errorMessages": ["The request body must be a JSON object."], "errors": {}}),
            content_type="application/json",
        )
    return body


def _page_token(offset: int, jql: str) -> str:
    raw = json.dumps({"o": offset, "q": hashlib.sha1(jql.encode()).hexdigest()[:12]})  # noqa: S324
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _read_page_token(token: str, jql: str) -> int | None:
    try:
        raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if raw["q"] != hashlib.sha1(jql.encode()).hexdigest()[:12]:  # noqa: S324
            return None
        return int(raw["o"])
    except (binascii.Error, ValueError, KeyError, TypeError):
        return None


def _matching(request: web.Request, jql: str | None):
    """Parse, validate and run ``jql`` over what the caller may see; raise ``JQLError``."""
    query = parse(jql or "")
    ctx = _context(request)
    predicate = compile_query(query, ctx)
    issues = [i for i in _state(request).issues.values() if predicate(i) and visible(request, i)]
    return sort_issues(issues, query, ctx)


async def search_jql(request: web.Request) -> web.Response:
    state = _state(request)
    params = await _search_params(request)
    jql = params.get("jql") or ""
    try:
        matching = _matching(request, jql)
    except JQLError as exc:
        return jira_error(400, str(exc))
    requested = params.get("fields")
    if isinstance(requested, str):
        requested = [requested]
    chosen = render.selected_fields(requested, [])  # /search/jql returns only ids by default
    limit = _int_param(params, "maxResults", DEFAULT_PAGE)
    if limit < 0:
        return jira_error(400, "'maxResults' must not be negative.")
    limit = min(limit or DEFAULT_PAGE, MAX_PAGE_WITH_FIELDS if chosen else MAX_PAGE_IDS_ONLY)
    offset = 0
    if params.get("nextPageToken"):
        offset = _read_page_token(params["nextPageToken"], jql)
        if offset is None:
            return jira_error(400, "The provided next page token is invalid or expired.")
    page = matching[offset : offset + limit]
    base = _base(request)
    body: dict = {
        "issues": [
            render.issue_json(
                i,
                base=base,
                version=request.match_info["version"],
                fields=chosen,
                users=state.users,
                projects=state.projects,
                tz=state.tz(),
            )
            for i in page
        ],
    }
    is_last = offset + limit >= len(matching)
    if not is_last:
        body["nextPageToken"] = _page_token(offset + limit, jql)
    body["isLast"] = is_last
    return web.json_response(body)


async def approximate_count(request: web.Request) -> web.Response:
    params = await _search_params(request)
    try:
        matching = _matching(request, params.get("jql"))
    except JQLError as exc:
        return jira_error(400, str(exc))
    return web.json_response({"count": len(matching)})


async def not_found(request: web.Request) -> web.Response:
    return jira_error(404, "null for uri: " + str(request.url))


def add_routes(app: web.Application) -> None:
    """Register the read endpoints under /rest/api/{2,3,latest}/ on the site and under
    /ex/jira/{cloudid}/rest/api/{2,3,latest}/ (the OAuth gateway's addressing)."""
    r = app.router
    for prefix in (API, "/ex/jira/{cloudid}" + API):
        r.add_get(prefix + "/serverInfo", server_info)
        r.add_get(prefix + "/myself", myself)
        r.add_get(prefix + "/project", projects)
        r.add_get(prefix + "/project/search", project_search)
        r.add_get(prefix + "/project/{project}", project)
        r.add_get(prefix + "/field", fields)
        r.add_get(prefix + "/user/search", user_search)
        r.add_get(prefix + "/user", user)
        r.add_get(prefix + "/issue/{issue}", issue)
        r.add_get(prefix + "/issue/{issue}/comment", issue_comments)
        r.add_get(prefix + "/issue/{issue}/changelog", issue_changelog)
        r.add_get(prefix + "/search/jql", search_jql)
        r.add_post(prefix + "/search/jql", search_jql)
        r.add_post(prefix + "/search/approximate-count", approximate_count)
        r.add_post(prefix + "/changelog/bulkfetch", bulk_changelog)
    r.add_route("*", "/rest/{tail:.*}", not_found)
    r.add_route("*", "/ex/{tail:.*}", not_found)
