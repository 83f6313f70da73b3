"""``/_control/``: the test-only side door into the Sheets stand-in (no auth, no quota)."""

from __future__ import annotations

from aiohttp import web

from sandbox.sheets import spreadsheets
from sandbox.sheets.auth import generate_service_account, key_file
from sandbox.sheets.cells import render
from sandbox.sheets.errors import ApiError
from sandbox.sheets.quota import MinuteQuota

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
    r.add_get(PREFIX + "/counters", counters)
    r.add_get(PREFIX + "/service-account", service_account)
    r.add_post(PREFIX + "/service-accounts", new_service_account)
    r.add_post(PREFIX + "/quota", quota)
