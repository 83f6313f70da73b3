"""Sheets API v4 routing: path parsing, bearer auth, scopes, quotas and per-method counters.

Paths are read from the raw (still percent-encoded) path so a range or sheet title holding
``/`` or ``:`` survives: googleapiclient encodes ``{range}`` with every reserved character
escaped.
"""

from __future__ import annotations

import json
from urllib.parse import unquote

from aiohttp import web

from sandbox.sheets import contract, spreadsheets, values, view
from sandbox.sheets import metadata as md
from sandbox.sheets.auth import READ_SCOPES, WRITE_SCOPES, bearer
from sandbox.sheets.errors import ApiError, invalid
from sandbox.sheets.metadata import project_of
from sandbox.sheets.quota import quota_exceeded
from sandbox.sheets.state import SheetsState

PREFIX = "/v4/spreadsheets"
WRITES = {
    "spreadsheets.create",
    "spreadsheets.batchUpdate",
    "spreadsheets.values.update",
    "spreadsheets.values.append",
    "spreadsheets.values.clear",
    "spreadsheets.values.batchUpdate",
    "spreadsheets.values.batchClear",
}
UNAUTHENTICATED = (
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or "
    "other valid authentication credential. See "
    "https://developers.google.com/identity/sign-in/web/devconsole-project."
)

NO_PERMISSION = "The caller does not have permission"


def route(method: str, raw_path: str) -> tuple[str, str | None, str | None]:
    """(method name, spreadsheetId, range) for a request under /v4/spreadsheets."""
    rest = raw_path[len(PREFIX) :]
    if rest in ("", "/") and method == "POST":
        return "spreadsheets.create", None, None
    parts = rest.lstrip("/").split("/")
    head = unquote(parts[0])
    if len(parts) == 1:
        if method == "GET":
            return "spreadsheets.get", head, None
        for verb in ("batchUpdate", "getByDataFilter"):
            if method == "POST" and head.endswith(":" + verb):
                return f"spreadsheets.{verb}", head.rsplit(":", 1)[0], None
    elif len(parts) == 2:
        target = unquote(parts[1])
        for verb in ("batchGet", "batchUpdate", "batchClear"):
            if target == f"values:{verb}" and method == ("GET" if verb == "batchGet" else "POST"):
                return f"spreadsheets.values.{verb}", head, None
        if target == "developerMetadata:search" and method == "POST":
            return "spreadsheets.developerMetadata.search", head, None
    elif len(parts) == 3 and unquote(parts[1]) == "developerMetadata" and method == "GET":
        return "spreadsheets.developerMetadata.get", head, unquote(parts[2])
    elif len(parts) == 3 and unquote(parts[1]) == "values":
        text = unquote(parts[2])
        if method == "GET":
            return "spreadsheets.values.get", head, text
        if method == "PUT":
            return "spreadsheets.values.update", head, text
        for verb in ("clear", "append"):
            if method == "POST" and text.endswith(":" + verb):
                return f"spreadsheets.values.{verb}", head, text[: -len(verb) - 1]
    raise ApiError(404, f"Method not found: {method} {unquote(raw_path)}", "NOT_FOUND")


async def _json_body(request: web.Request) -> dict:
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise invalid("Invalid JSON payload received.") from None
    if not isinstance(body, dict):
        raise invalid("Invalid JSON payload received. Expected an object.")
    return body


def _authorize(request: web.Request, state: SheetsState, method: str) -> str:
    """The caller's service-account email, after auth, scope and quota checks."""
    token = bearer(request, state.tokens)
    if token is None:
        raise ApiError(401, UNAUTHENTICATED, "UNAUTHENTICATED")
    needed = WRITE_SCOPES if method in WRITES else READ_SCOPES
    if not token.scopes & needed:
        raise ApiError(403, "Request had insufficient authentication scopes.", "PERMISSION_DENIED")
    quota, kind = (state.write_quota, "Write") if method in WRITES else (state.read_quota, "Read")
    if not quota.take(token.email):
        state.requests["quota_exceeded"] += 1
        raise quota_exceeded(kind, quota.limit)
    return token.email


async def dispatch(request: web.Request) -> web.Response:
    """Every /v4/spreadsheets request; ``fields`` selects what the answer carries."""
    state: SheetsState = request.app["state"]
    method, spreadsheet_id, text = route(request.method, request.raw_path.split("?", 1)[0])
    state.requests[method] += 1
    email = _authorize(request, state, method)
    q = request.query
    contract.check_query(method, q)
    tree = view.parse_fields(q["fields"]) if q.get("fields") else None
    body = await _json_body(request) if request.method in ("POST", "PUT") else {}
    contract.check_body(method, body)
    result, cells = _answer(state, method, spreadsheet_id, text, q, body, email, tree)
    if method in WRITES:
        state.count_write(result.get("spreadsheetId") or spreadsheet_id, email, cells)
    return web.json_response(view.select(result, tree) if tree else result)


def _answer(state, method, spreadsheet_id, text, q, body, email, tree) -> tuple[dict, int]:
    """(response body, cells written) for one authorised request."""
    project = project_of(email)
    if method == "spreadsheets.create":
        return spreadsheets.create(state, body, owner=email).resource(project), 0
    book = state.spreadsheets.get(spreadsheet_id)
    if book is None:
        raise ApiError(404, "Requested entity was not found.", "NOT_FOUND")
    role = book.role_of(email)
    if role is None or (role == "reader" and method in WRITES):
        raise ApiError(403, NO_PERMISSION, "PERMISSION_DENIED")
    grid = q.get("includeGridData", "false").lower() in ("true", "1")
    if method == "spreadsheets.get":
        ranges = q.getall("ranges", [])
        rects = [view.a1_rect(book, r) for r in ranges] if ranges else None
        return view.spreadsheet(book, project, rects, grid, tree), 0
    if method == "spreadsheets.getByDataFilter":
        filters = body.get("dataFilters") or []
        rects = view.filter_rects(book, filters, project) if filters else None
        grid = bool(body.get("includeGridData"))
        return view.spreadsheet(book, project, rects, grid, tree), 0
    if method == "spreadsheets.developerMetadata.get":
        wanted = int(text) if text.isdigit() else None
        found = next((m for m in book.metadata if m.metadata_id == wanted and m.visible_to(project)), None)
        if found is None:
            raise ApiError(404, f"No developer metadata with ID: {text}", "NOT_FOUND")
        return found.resource(), 0
    if method == "spreadsheets.developerMetadata.search":
        matched = md.select(book, body.get("dataFilters") or [], project, "Invalid dataFilters")
        if not matched:
            return {}, 0
        return {
            "matchedDeveloperMetadata": [{"developerMetadata": m.resource(), "dataFilters": f} for m, f in matched]
        }, 0
    if method == "spreadsheets.batchUpdate":
        return spreadsheets.batch_update(state, book, body, project)
    date_time = q.get("dateTimeRenderOption")
    if method == "spreadsheets.values.get":
        return values.get_range(book, text, q.get("majorDimension"), q.get("valueRenderOption"), date_time), 0
    if method == "spreadsheets.values.batchGet":
        ranges = [
            values.get_range(book, r, q.get("majorDimension"), q.get("valueRenderOption"), date_time)
            for r in q.getall("ranges", [])
        ]
        return {"spreadsheetId": book.spreadsheet_id, "valueRanges": ranges}, 0
    echo = q.get("includeValuesInResponse", "false").lower() == "true"
    if method == "spreadsheets.values.update":
        result = values.update(book, text, body, q.get("valueInputOption"), state.cell_limit)
        if echo:
            values.with_updated_data(book, result, q.get("responseValueRenderOption"))
        return result, result.get("updatedCells", 0)
    if method == "spreadsheets.values.append":
        result = values.append(book, text, body, q.get("valueInputOption"), state.cell_limit)
        if echo:
            values.with_updated_data(book, result["updates"], q.get("responseValueRenderOption"))
        return result, result["updates"].get("updatedCells", 0)
    if method == "spreadsheets.values.batchUpdate":
        result = values.batch_update(book, body, state.cell_limit)
        return result, result["totalUpdatedCells"]
    if method == "spreadsheets.values.clear":
        return {"spreadsheetId": book.spreadsheet_id, "clearedRange": values.clear(book, text)}, 0
    # values.batchClear: clear only once every range has parsed
    ranges = body.get("ranges") or []
    for r in ranges:
        values.locate(book, r)
    cleared = [values.clear(book, r) for r in ranges]
    return {"spreadsheetId": book.spreadsheet_id, "clearedRanges": cleared}, 0


def add_routes(app: web.Application) -> None:
    """Register /v4/spreadsheets (all methods, dispatched by ``route``)."""
    app.router.add_route("*", PREFIX, dispatch)
    app.router.add_route("*", PREFIX + "/{tail:.*}", dispatch)
