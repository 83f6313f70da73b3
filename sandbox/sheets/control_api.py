"""``/_control/``: the test-only side door into the Sheets stand-in (no auth, no quota)."""

from __future__ import annotations

from aiohttp import web

from sandbox.sheets import spreadsheets, updates, values
from sandbox.sheets.a1 import column_letters, quote_sheet
from sandbox.sheets.auth import generate_service_account, key_file
from sandbox.sheets.cells import read_input, render
from sandbox.sheets.errors import ApiError
from sandbox.sheets.quota import MinuteQuota
from sandbox.sheets.workbook import Rect

PREFIX = "/_control"


def _origin(request: web.Request) -> str:
    return str(request.url.origin())


def _book(request: web.Request):
    book = request.app["state"].spreadsheets.get(request.match_info["spreadsheet_id"])
    if book is None:
        raise ApiError(404, "no such spreadsheet", "NOT_FOUND")
    return book


async def overview(request: web.Request) -> web.Response:
    state = request.app["state"]
    return web.json_response(
        {
            "spreadsheets": len(state.spreadsheets),
            "service_accounts": sorted(state.service_accounts),
            "write_quota_per_minute": state.write_quota.limit,
            "read_quota_per_minute": state.read_quota.limit,
            "cell_limit": state.cell_limit,
        }
    )


async def reset(request: web.Request) -> web.Response:
    request.app["state"].reset()
    return web.json_response({"ok": True})


async def list_spreadsheets(request: web.Request) -> web.Response:
    books = request.app["state"].spreadsheets.values()
    return web.json_response(
        [{"spreadsheetId": b.spreadsheet_id, "title": b.title, "sheets": [s.title for s in b.sheets]} for b in books]
    )


ROLES = ("editor", "reader")


def _checked_shares(shares) -> dict[str, str]:
    if not isinstance(shares, dict) or any(role not in ROLES for role in shares.values()):
        raise ApiError(400, 'shared_with maps emails to "editor" or "reader"', "INVALID_ARGUMENT")
    return dict(shares)


async def create_spreadsheet(request: web.Request) -> web.Response:
    """Make a spreadsheet as a person would, shared with the accounts in ``shared_with``
    (``{email: "editor" | "reader"}``; absent or null: the default service account as editor).
    """
    body = await request.json() if request.can_read_body else {}
    state = request.app["state"]
    shares = body.get("shared_with")
    if shares is None:
        shares = {state.default_account.client_email: "editor"}
    shares = _checked_shares(shares)
    sheets = [{"properties": {"title": t}} for t in body.get("sheets", [])] or None
    book = spreadsheets.create(state, {"properties": {"title": body.get("title")}, "sheets": sheets})
    book.shared = shares
    return web.json_response(book.resource(), status=201)


async def delete_spreadsheet(request: web.Request) -> web.Response:
    """A person deletes the spreadsheet: every API call on it is 404 from now on."""
    book = _book(request)
    del request.app["state"].spreadsheets[book.spreadsheet_id]
    return web.json_response({"ok": True})


async def permissions(request: web.Request) -> web.Response:
    book = _book(request)
    return web.json_response({"owner": book.owner, "shared_with": book.shared})


async def share(request: web.Request) -> web.Response:
    """Share with ``{email: role}`` (adds or changes roles; others keep theirs)."""
    book = _book(request)
    body = await request.json() if request.can_read_body else {}
    book.shared.update(_checked_shares(body.get("shared_with") or {}))
    return web.json_response({"owner": book.owner, "shared_with": book.shared})


async def unshare(request: web.Request) -> web.Response:
    book = _book(request)
    book.shared.pop(request.match_info["email"], None)
    return web.json_response({"owner": book.owner, "shared_with": book.shared})


async def get_spreadsheet(request: web.Request) -> web.Response:
    return web.json_response(_book(request).resource())


async def sheet_values(request: web.Request) -> web.Response:
    """A sheet's stored values, unformatted, trailing blanks trimmed (``?sheet=`` title)."""
    book = _book(request)
    title = request.query.get("sheet")
    sheet = book.sheet_titled(title) if title else book.first_sheet()
    if sheet is None:
        raise ApiError(404, f"no sheet titled {title!r}", "NOT_FOUND")
    rows = [[render(v, "UNFORMATTED_VALUE") if v != "" else "" for v in row] for row in sheet.values()]
    return web.json_response({"title": sheet.title, "properties": sheet.properties(), "values": rows})


# --- a person at the spreadsheet ----------------------------------------------------------

PERSON = "stakeholder@example.org"


async def _person(request: web.Request):
    """(book, sheet, body, email) for a person's edit; sheet by ``sheet`` title (default: first)."""
    book = _book(request)
    body = await request.json() if request.can_read_body else {}
    title = body.get("sheet")
    sheet = book.sheet_titled(title) if title else book.first_sheet()
    if sheet is None:
        raise ApiError(404, f"no sheet titled {title!r}", "NOT_FOUND")
    return book, sheet, body, body.get("as") or PERSON


def _column(sheet, body) -> int:
    """``column``: a 0-based index or a header (row 1) text."""
    column = body.get("column")
    if isinstance(column, int):
        return column
    headers = sheet.cells.row(0) or []
    for c, value in enumerate(headers):
        if value == column:
            return c
    raise ApiError(404, f"no header {column!r} in row 1 of {sheet.title!r}", "NOT_FOUND")


def _done(request, book, sheet, email: str, cells: int) -> web.Response:
    request.app["state"].count_write(book.spreadsheet_id, email, cells)
    return web.json_response({"title": sheet.title, "properties": sheet.properties()})


async def person_edit(request: web.Request) -> web.Response:
    """Type ``values`` (rows, as a person types them: USER_ENTERED) from ``range``'s corner."""
    book, sheet, body, email = await _person(request)
    text = f"{quote_sheet(sheet.title)}!{body.get('range') or 'A1'}"
    limit = request.app["state"].cell_limit
    result = values.write_from(book, text, body.get("values") or [], "USER_ENTERED", limit)
    return _done(request, book, sheet, email, result.get("updatedCells", 0))


async def person_insert_column(request: web.Request) -> web.Response:
    """Insert a column at ``index`` (0-based, anywhere) with ``header`` in row 1."""
    book, sheet, body, email = await _person(request)
    index = body.get("index", sheet.column_count)
    if not isinstance(index, int) or not 0 <= index <= sheet.column_count:
        raise ApiError(400, f"index must be 0..{sheet.column_count}", "INVALID_ARGUMENT")
    updates.insert_rows_or_columns(book, sheet, "COLUMNS", index, 1)
    if body.get("header") is not None:
        sheet.cells.set(0, index, read_input(body["header"], "USER_ENTERED"))
    return _done(request, book, sheet, email, 1 if body.get("header") is not None else 0)


async def person_insert_rows(request: web.Request) -> web.Response:
    """Insert ``count`` rows at ``index`` (0-based), optionally typing ``values`` into them."""
    book, sheet, body, email = await _person(request)
    index, count = body.get("index", sheet.row_count), body.get("count", 1)
    if not isinstance(index, int) or not 0 <= index <= sheet.row_count or not isinstance(count, int) or count < 1:
        raise ApiError(400, f"index must be 0..{sheet.row_count} and count at least 1", "INVALID_ARGUMENT")
    updates.insert_rows_or_columns(book, sheet, "ROWS", index, count)
    cells = 0
    if body.get("values"):
        text = f"{quote_sheet(sheet.title)}!A{index + 1}"
        limit = request.app["state"].cell_limit
        cells = values.write_from(book, text, body["values"], "USER_ENTERED", limit).get("updatedCells", 0)
    return _done(request, book, sheet, email, cells)


async def person_sort(request: web.Request) -> web.Response:
    """Sort the tab by ``column`` (index or header) below its header rows, as Data > Sort sheet
    does: whole rows move, with their developer metadata. ``header_rows`` defaults to the
    frozen rows; ``descending`` to false.
    """
    book, sheet, body, email = await _person(request)
    column = _column(sheet, body)
    start = body.get("header_rows", sheet.frozen_row_count)
    rect = Rect(sheet, start, 0, sheet.row_count, sheet.column_count)
    updates.sort_rows(book, rect, [(column, bool(body.get("descending")))])
    return _done(request, book, sheet, email, 0)


async def person_rename_header(request: web.Request) -> web.Response:
    """Retype the row-1 header ``old`` as ``new``."""
    book, sheet, body, email = await _person(request)
    column = _column(sheet, {"column": body.get("old")})
    sheet.cells.set(0, column, read_input(body.get("new") or "", "USER_ENTERED") or None)
    return _done(request, book, sheet, email, 1)


async def grid(request: web.Request) -> web.Response:
    """Everything a test asserts on: values (unformatted and as shown), formats, frozen rows,
    protected ranges and every developer metadata entry (a person sees all visibilities).
    """
    book = _book(request)
    title = request.query.get("sheet")
    sheet = book.sheet_titled(title) if title else book.first_sheet()
    if sheet is None:
        raise ApiError(404, f"no sheet titled {title!r}", "NOT_FOUND")
    raw = sheet.values()
    shown = [
        [render(v, "FORMATTED_VALUE", sheet.cells.get_format(r, c)) if v != "" else "" for c, v in enumerate(row)]
        for r, row in enumerate(raw)
    ]
    formats = {
        f"{column_letters(c)}{r + 1}": fmt
        for r, row_formats in enumerate(sheet.cells.formats)
        if row_formats
        for c, fmt in sorted(row_formats.items())
    }
    return web.json_response(
        {
            "title": sheet.title,
            "properties": sheet.properties(),
            "values": [[render(v, "UNFORMATTED_VALUE") if v != "" else "" for v in row] for row in raw],
            "formatted": shown,
            "formats": formats,
            "protectedRanges": sheet.protected_ranges,
            "developerMetadata": [m.resource() for m in book.metadata],
        }
    )


async def writes(request: web.Request) -> web.Response:
    """Successful writes per account on one spreadsheet: ``{email: {"requests", "cells"}}``."""
    spreadsheet_id = request.match_info["spreadsheet_id"]
    return web.json_response(request.app["state"].writes.get(spreadsheet_id, {}))


async def counters(request: web.Request) -> web.Response:
    return web.json_response({"requests": dict(request.app["state"].requests)})


async def service_account(request: web.Request) -> web.Response:
    """The default service account's key file, ``token_uri`` on this server."""
    return web.json_response(key_file(request.app["state"].default_account, _origin(request)))


async def new_service_account(request: web.Request) -> web.Response:
    body = await request.json() if request.can_read_body else {}
    state = request.app["state"]
    email = body.get("client_email") or f"sa{len(state.service_accounts)}@muster-sandbox.iam.gserviceaccount.com"
    account = generate_service_account(email)
    state.register(account)
    return web.json_response(key_file(account, _origin(request)), status=201)


async def quota(request: web.Request) -> web.Response:
    """Set per-minute limits (``write_per_minute``, ``read_per_minute``; null: unlimited)."""
    body = await request.json() if request.can_read_body else {}
    state = request.app["state"]
    if "write_per_minute" in body:
        state.write_quota = MinuteQuota(body["write_per_minute"])
    if "read_per_minute" in body:
        state.read_quota = MinuteQuota(body["read_per_minute"])
    state.write_quota.reset()
    state.read_quota.reset()
    return web.json_response({"ok": True})


def add_routes(app: web.Application) -> None:
    """Register the control endpoints."""
    r = app.router
    r.add_get(PREFIX, overview)
    r.add_post(PREFIX + "/reset", reset)
    r.add_get(PREFIX + "/spreadsheets", list_spreadsheets)
    r.add_post(PREFIX + "/spreadsheets", create_spreadsheet)
    r.add_get(PREFIX + "/spreadsheets/{spreadsheet_id}", get_spreadsheet)
    r.add_delete(PREFIX + "/spreadsheets/{spreadsheet_id}", delete_spreadsheet)
    r.add_get(PREFIX + "/spreadsheets/{spreadsheet_id}/permissions", permissions)
    r.add_post(PREFIX + "/spreadsheets/{spreadsheet_id}/permissions", share)
    r.add_delete(PREFIX + "/spreadsheets/{spreadsheet_id}/permissions/{email}", unshare)
    r.add_get(PREFIX + "/spreadsheets/{spreadsheet_id}/values", sheet_values)
    r.add_get(PREFIX + "/spreadsheets/{spreadsheet_id}/writes", writes)
    r.add_get(PREFIX + "/spreadsheets/{spreadsheet_id}/grid", grid)
    r.add_post(PREFIX + "/spreadsheets/{spreadsheet_id}/edit", person_edit)
    r.add_post(PREFIX + "/spreadsheets/{spreadsheet_id}/insert-column", person_insert_column)
    r.add_post(PREFIX + "/spreadsheets/{spreadsheet_id}/insert-rows", person_insert_rows)
    r.add_post(PREFIX + "/spreadsheets/{spreadsheet_id}/sort", person_sort)
    r.add_post(PREFIX + "/spreadsheets/{spreadsheet_id}/rename-header", person_rename_header)
    r.add_get(PREFIX + "/counters", counters)
    r.add_get(PREFIX + "/service-account", service_account)
    r.add_post(PREFIX + "/service-accounts", new_service_account)
    r.add_post(PREFIX + "/quota", quota)
