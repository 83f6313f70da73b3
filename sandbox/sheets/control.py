"""A small synchronous client for the Sheets stand-in's ``/_control/`` API (tests, benchmarks)."""

from __future__ import annotations

from sandbox.control_client import ControlClient


class SheetsControl(ControlClient):
    """Drive a running Sheets stand-in at ``base_url``: key files, read-back, quotas, counters."""

    def service_account_info(self) -> dict:
        """The default service account's key file (``token_uri`` on the sandbox)."""
        return self._call("GET", "/service-account")

    def new_service_account(self, client_email: str | None = None) -> dict:
        """Register another service account with a fresh key; returns its key file."""
        return self._call("POST", "/service-accounts", json={"client_email": client_email})

    def reset(self) -> None:
        """Drop every spreadsheet and forget counters and quota use (keys stay valid)."""
        self._call("POST", "/reset")

    def set_quota(self, *, write_per_minute: int | None = 60, read_per_minute: int | None = 60) -> None:
        """Change per-user per-minute limits (None: unlimited) and forget quota use."""
        self._call("POST", "/quota", json={"write_per_minute": write_per_minute, "read_per_minute": read_per_minute})

    def create_spreadsheet(
        self, title: str, sheets: list[str] | None = None, shared_with: dict[str, str] | None = None
    ) -> dict:
        """A spreadsheet a person made (no quota, no counters), shared with ``shared_with``
        (``{email: "editor" | "reader"}``; None: the default service account as editor;
        ``{}``: nobody). Returns its resource.
        """
        body = {"title": title, "sheets": sheets or [], "shared_with": shared_with}
        return self._call("POST", "/spreadsheets", json=body)

    def delete_spreadsheet(self, spreadsheet_id: str) -> None:
        """A person deletes it: API calls on it are 404 ``NOT_FOUND`` from now on."""
        self._call("DELETE", f"/spreadsheets/{spreadsheet_id}")

    def share(self, spreadsheet_id: str, email: str, role: str = "editor") -> dict:
        """Share with ``email`` as ``"editor"`` or ``"reader"``; returns owner and shares."""
        return self._call("POST", f"/spreadsheets/{spreadsheet_id}/permissions", json={"shared_with": {email: role}})

    def unshare(self, spreadsheet_id: str, email: str) -> dict:
        """Take ``email``'s access away (the creating account, if any, keeps its own)."""
        return self._call("DELETE", f"/spreadsheets/{spreadsheet_id}/permissions/{email}")

    def permissions(self, spreadsheet_id: str) -> dict:
        """``{"owner": email | None, "shared_with": {email: role}}``."""
        return self._call("GET", f"/spreadsheets/{spreadsheet_id}/permissions")

    def spreadsheets(self) -> list[dict]:
        """Every spreadsheet: spreadsheetId, title, sheet titles."""
        return self._call("GET", "/spreadsheets")

    def spreadsheet(self, spreadsheet_id: str) -> dict:
        """One spreadsheet's resource (properties and sheets)."""
        return self._call("GET", f"/spreadsheets/{spreadsheet_id}")

    def values(self, spreadsheet_id: str, sheet: str | None = None) -> list[list]:
        """A sheet's stored values, unformatted, trailing blanks trimmed (first sheet by default)."""
        params = {"sheet": sheet} if sheet else {}
        return self._call("GET", f"/spreadsheets/{spreadsheet_id}/values", params=params)["values"]

    def counters(self) -> dict[str, int]:
        """Requests per API method, e.g. ``{"spreadsheets.values.batchUpdate": 2, "oauth2.token": 1}``."""
        return self._call("GET", "/counters")["requests"]

    def writes(self, spreadsheet_id: str) -> dict[str, dict[str, int]]:
        """Successful write requests and cells written per account (API accounts and people):
        ``{email: {"requests": n, "cells": n}}``.
        """
        return self._call("GET", f"/spreadsheets/{spreadsheet_id}/writes")

    # --- acting as a person at the spreadsheet (counted in ``writes`` under ``as_``) ------

    def edit(self, spreadsheet_id: str, a1: str, rows: list[list], *, sheet: str | None = None, as_: str | None = None):
        """Type ``rows`` from the corner of ``a1`` (e.g. ``"F2"``) as a person types (USER_ENTERED)."""
        body = {"sheet": sheet, "range": a1, "values": rows, "as": as_}
        return self._call("POST", f"/spreadsheets/{spreadsheet_id}/edit", json=body)

    def insert_column(
        self, spreadsheet_id: str, index: int, header: str | None = None, *, sheet: str | None = None, as_=None
    ):
        """Insert a column at ``index`` (0-based; anywhere, between Muster's too) headed ``header``."""
        body = {"sheet": sheet, "index": index, "header": header, "as": as_}
        return self._call("POST", f"/spreadsheets/{spreadsheet_id}/insert-column", json=body)

    def insert_rows(
        self, spreadsheet_id: str, index: int, count: int = 1, rows: list[list] | None = None, *, sheet=None, as_=None
    ):
        """Insert ``count`` rows at ``index`` (0-based), typing ``rows`` into them if given."""
        body = {"sheet": sheet, "index": index, "count": count, "values": rows, "as": as_}
        return self._call("POST", f"/spreadsheets/{spreadsheet_id}/insert-rows", json=body)

    def sort(self, spreadsheet_id: str, column: int | str, *, descending=False, header_rows=None, sheet=None, as_=None):
        """Sort the tab by ``column`` (0-based index or header text) below its frozen rows (or
        ``header_rows``); whole rows move with their developer metadata.
        """
        body = {"sheet": sheet, "column": column, "descending": descending, "as": as_}
        if header_rows is not None:
            body["header_rows"] = header_rows
        return self._call("POST", f"/spreadsheets/{spreadsheet_id}/sort", json=body)

    def rename_header(self, spreadsheet_id: str, old: str, new: str, *, sheet: str | None = None, as_=None):
        """Retype the row-1 header ``old`` as ``new``."""
        body = {"sheet": sheet, "old": old, "new": new, "as": as_}
        return self._call("POST", f"/spreadsheets/{spreadsheet_id}/rename-header", json=body)

    def grid(self, spreadsheet_id: str, sheet: str | None = None) -> dict:
        """The whole tab for assertions: ``values`` (unformatted), ``formatted`` (as shown),
        ``formats`` (``{"C2": CellFormat}``), ``properties``, ``protectedRanges`` and every
        ``developerMetadata`` entry in the spreadsheet.
        """
        params = {"sheet": sheet} if sheet else {}
        return self._call("GET", f"/spreadsheets/{spreadsheet_id}/grid", params=params)
