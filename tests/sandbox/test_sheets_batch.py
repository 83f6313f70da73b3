"""The Sheets stand-in's batchUpdate requests, driven through googleapiclient: cells, number
formats, dimensions, sorting, protections, atomicity and size limits.
"""

from __future__ import annotations

import json
import time

import httpx
import pytest
from google.auth.transport.requests import Request
from google.oauth2 import service_account
from googleapiclient.errors import HttpError

from sandbox.runner import ServerThread
from sandbox.sheets import create_app

from .test_sheets import sheets_for

DATE_TIME = {"numberFormat": {"type": "DATE_TIME"}}
SERIAL = 46357.75  # 2026-12-01 18:00, days since 1899-12-30


def text(value: str) -> dict:
    return {"userEnteredValue": {"stringValue": value}}


def number(value, fmt: dict | None = None) -> dict:
    cell = {"userEnteredValue": {"numberValue": value}}
    if fmt:
        cell["userEnteredFormat"] = fmt
    return cell


def row(*cells) -> dict:
    return {"values": list(cells)}


@pytest.fixture
def sheets(sheets_service):
    return sheets_service.spreadsheets()


@pytest.fixture
def sid(sheets):
    body = {"sheets": [{"properties": {"title": "Events", "sheetId": 7}}]}
    return sheets.create(body=body).execute()["spreadsheetId"]


def batch(sheets, sid, *requests) -> list[dict]:
    return sheets.batchUpdate(spreadsheetId=sid, body={"requests": list(requests)}).execute()["replies"]


def refused(call) -> tuple[int, str]:
    with pytest.raises(HttpError) as caught:
        call.execute()
    return caught.value.status_code, caught.value.reason


def read(sheets, sid, a1="Events", **options) -> list[list]:
    return sheets.values().get(spreadsheetId=sid, range=a1, **options).execute().get("values", [])


def test_update_cells_stores_typed_values_and_number_formats(sheets, sid):
    rows = [
        row(text("Muster ID"), text("Name"), text("Starts"), text("Paid"), text("Seats")),
        row(
            text("e1"),
            text('=IMPORTXML("x")'),
            number(SERIAL, DATE_TIME),
            {"userEnteredValue": {"boolValue": True}},
            {"userEnteredValue": {"formulaValue": "=1+1"}},
        ),
    ]
    replies = batch(
        sheets,
        sid,
        {
            "updateCells": {
                "start": {"sheetId": 7, "rowIndex": 0, "columnIndex": 0},
                "rows": rows,
                "fields": "userEnteredValue,userEnteredFormat.numberFormat",
            }
        },
    )

    assert replies == [{}]
    assert read(sheets, sid) == [
        ["Muster ID", "Name", "Starts", "Paid", "Seats"],
        ["e1", '=IMPORTXML("x")', "12/1/2026 18:00:00", "TRUE", "=1+1"],
    ]
    assert read(sheets, sid, "Events!A2:E2", valueRenderOption="UNFORMATTED_VALUE") == [
        ["e1", '=IMPORTXML("x")', SERIAL, True, "=1+1"]
    ]
    assert read(
        sheets, sid, "Events!C2", valueRenderOption="UNFORMATTED_VALUE", dateTimeRenderOption="FORMATTED_STRING"
    ) == [["12/1/2026 18:00:00"]]
    assert read(sheets, sid, "Events!C2", valueRenderOption="FORMULA") == [[SERIAL]]


def test_number_format_patterns_render_as_sheets_does(sheets, sid):
    formats = [
        {"type": "DATE_TIME", "pattern": "yyyy-mm-dd hh:mm"},
        {"type": "DATE", "pattern": "dddd d mmmm yyyy"},
        {"type": "TIME"},
        {"type": "DATE"},
        {"type": "NUMBER", "pattern": "#,##0.00"},
        {"type": "PERCENT", "pattern": "0%"},
    ]
    values = [SERIAL, SERIAL, SERIAL, SERIAL, 1234.5, 0.25]
    cells = [number(v, {"numberFormat": f}) for v, f in zip(values, formats, strict=True)]
    batch(sheets, sid, {"updateCells": {"start": {"sheetId": 7}, "rows": [row(*cells)], "fields": "*"}})

    assert read(sheets, sid) == [
        ["2026-12-01 18:00", "Tuesday 1 December 2026", "6:00:00 PM", "12/1/2026", "1,234.50", "25%"]
    ]


def test_update_cells_with_a_range_clears_what_the_rows_do_not_cover_and_keeps_unmasked_fields(sheets, sid):
    sheets.values().update(
        spreadsheetId=sid,
        range="Events!A1:C2",
        valueInputOption="RAW",
        body={"values": [["a", "b", "c"], ["d", "e", "f"]]},
    ).execute()
    batch(
        sheets,
        sid,
        {
            "repeatCell": {
                "range": {"sheetId": 7},
                "cell": {"userEnteredFormat": DATE_TIME},
                "fields": "userEnteredFormat",
            }
        },
    )
    batch(
        sheets,
        sid,
        {
            "updateCells": {
                "range": {
                    "sheetId": 7,
                    "startRowIndex": 0,
                    "endRowIndex": 2,
                    "startColumnIndex": 0,
                    "endColumnIndex": 2,
                },
                "rows": [row(number(SERIAL))],
                "fields": "userEnteredValue",
            }
        },
    )

    assert read(sheets, sid) == [["12/1/2026 18:00:00", "", "c"], ["", "", "f"]]


def test_append_cells_goes_below_the_last_row_with_data_and_grows_the_grid(sheets, sid):
    batch(
        sheets,
        sid,
        {
            "updateSheetProperties": {
                "properties": {"sheetId": 7, "gridProperties": {"rowCount": 2}},
                "fields": "gridProperties.rowCount",
            }
        },
    )
    sheets.values().update(
        spreadsheetId=sid, range="Events!A1", valueInputOption="RAW", body={"values": [["head"]]}
    ).execute()

    batch(
        sheets,
        sid,
        {
            "appendCells": {
                "sheetId": 7,
                "rows": [row(text("r1")), row(text("r2")), row(text("r3"))],
                "fields": "userEnteredValue",
            }
        },
    )
    grid = sheets.get(spreadsheetId=sid).execute()["sheets"][0]["properties"]["gridProperties"]

    assert read(sheets, sid) == [["head"], ["r1"], ["r2"], ["r3"]]
    assert grid == {"rowCount": 4, "columnCount": 26}


def test_insert_and_delete_dimension_move_cells_with_their_rows_and_columns(sheets, sid):
    sheets.values().update(
        spreadsheetId=sid,
        range="Events!A1:B3",
        valueInputOption="RAW",
        body={"values": [["id", "name"], ["1", "a"], ["2", "b"]]},
    ).execute()

    batch(
        sheets,
        sid,
        {"insertDimension": {"range": {"sheetId": 7, "dimension": "COLUMNS", "startIndex": 1, "endIndex": 2}}},
        {"insertDimension": {"range": {"sheetId": 7, "dimension": "ROWS", "startIndex": 1, "endIndex": 3}}},
        {"deleteDimension": {"range": {"sheetId": 7, "dimension": "ROWS", "startIndex": 3, "endIndex": 4}}},
    )
    grid = sheets.get(spreadsheetId=sid).execute()["sheets"][0]["properties"]["gridProperties"]

    assert read(sheets, sid) == [["id", "", "name"], [], [], ["2", "", "b"]]
    assert grid == {"rowCount": 1001, "columnCount": 27}


def test_sort_range_orders_rows_numbers_then_text_empty_last(sheets, sid):
    sheets.values().update(
        spreadsheetId=sid,
        range="Events!A1:B6",
        valueInputOption="USER_ENTERED",
        body={"values": [["id", "k"], ["1", "b"], ["2", ""], ["3", "10"], ["4", "A"], ["5", "2"]]},
    ).execute()

    batch(
        sheets, sid, {"sortRange": {"range": {"sheetId": 7, "startRowIndex": 1}, "sortSpecs": [{"dimensionIndex": 1}]}}
    )
    ascending = read(sheets, sid)
    batch(
        sheets,
        sid,
        {
            "sortRange": {
                "range": {"sheetId": 7, "startRowIndex": 1},
                "sortSpecs": [{"dimensionIndex": 1, "sortOrder": "DESCENDING"}],
            }
        },
    )

    assert ascending == [["id", "k"], ["5", "2"], ["3", "10"], ["4", "A"], ["1", "b"], ["2"]]
    assert read(sheets, sid) == [["id", "k"], ["1", "b"], ["4", "A"], ["3", "10"], ["5", "2"], ["2"]]


def test_frozen_rows_and_warning_only_protection_show_in_the_sheet(sheets, sid):
    replies = batch(
        sheets,
        sid,
        {
            "updateSheetProperties": {
                "properties": {"sheetId": 7, "gridProperties": {"frozenRowCount": 1}},
                "fields": "gridProperties.frozenRowCount",
            }
        },
        {
            "addProtectedRange": {
                "protectedRange": {
                    "protectedRangeId": 41,
                    "range": {"sheetId": 7, "startRowIndex": 0, "endRowIndex": 1},
                    "description": "Muster header",
                    "warningOnly": True,
                }
            }
        },
    )
    sheet = sheets.get(spreadsheetId=sid).execute()["sheets"][0]

    protected = {
        "protectedRangeId": 41,
        "range": {"sheetId": 7, "endRowIndex": 1},
        "description": "Muster header",
        "warningOnly": True,
        "requestingUserCanEdit": True,
    }
    assert replies == [{}, {"addProtectedRange": {"protectedRange": protected}}]
    assert sheet["properties"]["gridProperties"] == {"rowCount": 1000, "columnCount": 26, "frozenRowCount": 1}
    assert sheet["protectedRanges"] == [protected]


def test_one_invalid_request_applies_none_and_names_its_index(sheets, sid):
    sheets.values().update(
        spreadsheetId=sid, range="Events!A1", valueInputOption="RAW", body={"values": [["keep"]]}
    ).execute()
    requests = [
        {"addSheet": {"properties": {"title": "Rides"}}},
        {"updateCells": {"start": {"sheetId": 7}, "rows": [row(text("overwritten"))], "fields": "userEnteredValue"}},
        {"insertDimension": {"range": {"sheetId": 7, "dimension": "ROWS", "startIndex": 1, "endIndex": 2}}},
        {"deleteDimension": {"range": {"sheetId": 99, "dimension": "ROWS", "startIndex": 0, "endIndex": 1}}},
    ]

    answer = refused(sheets.batchUpdate(spreadsheetId=sid, body={"requests": requests}))
    after = sheets.get(spreadsheetId=sid).execute()["sheets"]

    assert answer == (400, "Invalid requests[3].deleteDimension: No grid with id: 99")
    assert [s["properties"]["title"] for s in after] == ["Events"]
    assert after[0]["properties"]["gridProperties"] == {"rowCount": 1000, "columnCount": 26}
    assert read(sheets, sid) == [["keep"]]


def test_update_cells_past_the_grid_is_refused(sheets, sid):
    call = sheets.batchUpdate(
        spreadsheetId=sid,
        body={
            "requests": [
                {
                    "updateCells": {
                        "start": {"sheetId": 7, "rowIndex": 999},
                        "rows": [row(), row(text("x"))],
                        "fields": "*",
                    }
                }
            ]
        },
    )

    assert refused(call) == (
        400,
        "Invalid requests[0].updateCells: Range (Events!A1000:A1001) exceeds grid limits. "
        "Max rows: 1000, max columns: 26",
    )


def test_grid_size_limits_are_400_as_google_answers():
    with ServerThread(create_app(cell_limit=30_000)) as server:
        info = httpx.get(f"{server.url}/_control/service-account", timeout=5).json()
        sheets = sheets_for(server.url, info).spreadsheets()
        sid = sheets.create(body={}).execute()["spreadsheetId"]  # 1000 x 26 cells
        rows = {"insertDimension": {"range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 0, "endIndex": 200}}}
        columns = {"appendDimension": {"sheetId": 0, "dimension": "COLUMNS", "length": 18_253}}

        too_many_cells = refused(sheets.batchUpdate(spreadsheetId=sid, body={"requests": [rows]}))
        too_many_columns = refused(sheets.batchUpdate(spreadsheetId=sid, body={"requests": [columns]}))

    assert too_many_cells == (
        400,
        "This action would increase the number of cells in the workbook above the limit of 30000 cells.",
    )
    assert too_many_columns == (
        400,
        "This action would increase the number of columns in the sheet above the limit of 18278.",
    )


@pytest.mark.timeout(180)
def test_a_100000_row_update_cells_takes_seconds(sheets_server, sheets, sid, sheets_control):
    batch(sheets, sid, {"appendDimension": {"sheetId": 7, "dimension": "ROWS", "length": 99_001}})
    rows = [
        row(
            text(f"reg-{i}"),
            text(f"Member {i}"),
            number(SERIAL + i / 1440, DATE_TIME),
            *(number(i * k) for k in range(7)),
        )
        for i in range(100_000)
    ]
    request = {
        "updateCells": {
            "start": {"sheetId": 7},
            "rows": rows,
            "fields": "userEnteredValue,userEnteredFormat.numberFormat",
        }
    }
    payload = json.dumps({"requests": [request]}).encode()  # ~56 MB, encoded before the clock starts
    credentials = service_account.Credentials.from_service_account_info(
        sheets_control.service_account_info(), scopes=["https://www.googleapis.com/auth/spreadsheets"]
    )
    credentials.refresh(Request())
    headers = {"Authorization": f"Bearer {credentials.token}", "Content-Type": "application/json"}

    started = time.monotonic()
    response = httpx.post(
        f"{sheets_server.url}/v4/spreadsheets/{sid}:batchUpdate", content=payload, headers=headers, timeout=170
    )
    elapsed = time.monotonic() - started
    last = read(sheets, sid, "Events!A100000:D100000", valueRenderOption="UNFORMATTED_VALUE")

    assert response.json() == {"spreadsheetId": sid, "replies": [{}]}
    assert last == [["reg-99999", "Member 99999", SERIAL + 99_999 / 1440, 0]]
    assert sheets_control.writes(sid) == {
        "muster-export@muster-sandbox.iam.gserviceaccount.com": {"requests": 3, "cells": 1_000_000}
    }
    assert elapsed < 30, f"the stand-in took {elapsed:.1f} s for 100,000 rows"
