"""Developer metadata, field masks, grid data and a person's edits in the Sheets stand-in,
through googleapiclient and the control API.
"""

from __future__ import annotations

import time

import pytest

from .test_sheets import sheets_for
from .test_sheets_batch import DATE_TIME, SERIAL, batch, number, read, refused, row, text

MUSTER = "muster-export@muster-sandbox.iam.gserviceaccount.com"


@pytest.fixture
def sheets(sheets_service):
    return sheets_service.spreadsheets()


@pytest.fixture
def sid(sheets_control):
    """A tab "Events" a person shared with Muster: header, three rows, a frozen header row."""
    sid = sheets_control.create_spreadsheet("Board", sheets=["Events"])["spreadsheetId"]
    sheets_control.edit(sid, "A1", [["Muster ID", "Name"], ["r1", "Carol"], ["r2", "alice"], ["r3", "Bob"]])
    return sid


def row_metadata(sid, row_index, key="muster:row", value=None, metadata_id=None, visibility="DOCUMENT") -> dict:
    body = {
        "metadataKey": key,
        "metadataValue": value,
        "visibility": visibility,
        "location": {
            "dimensionRange": {"sheetId": 0, "dimension": "ROWS", "startIndex": row_index, "endIndex": row_index + 1}
        },
    }
    if metadata_id is not None:
        body["metadataId"] = metadata_id
    return {"createDeveloperMetadata": {"developerMetadata": body}}


def rows_of(sheets_control, sid) -> dict[str, int]:
    """metadataValue -> the row its metadata is on now."""
    found = sheets_control.grid(sid)["developerMetadata"]
    return {
        m["metadataValue"]: m["location"]["dimensionRange"]["startIndex"]
        for m in found
        if m["location"]["locationType"] == "ROW"
    }


def test_create_get_and_search_developer_metadata_in_every_location(sheets, sid):
    replies = batch(
        sheets,
        sid,
        {
            "createDeveloperMetadata": {
                "developerMetadata": {
                    "metadataId": 11,
                    "metadataKey": "muster:export",
                    "metadataValue": "run-1",
                    "location": {"spreadsheet": True},
                    "visibility": "PROJECT",
                }
            }
        },
        {
            "createDeveloperMetadata": {
                "developerMetadata": {
                    "metadataId": 12,
                    "metadataKey": "muster:tab",
                    "metadataValue": "events",
                    "location": {"sheetId": 0},
                    "visibility": "DOCUMENT",
                }
            }
        },
        {
            "createDeveloperMetadata": {
                "developerMetadata": {
                    "metadataId": 13,
                    "metadataKey": "muster:column",
                    "metadataValue": "name",
                    "location": {
                        "dimensionRange": {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 1, "endIndex": 2}
                    },
                    "visibility": "DOCUMENT",
                }
            }
        },
        row_metadata(sid, 2, value="r2", metadata_id=14),
    )
    got = sheets.developerMetadata().get(spreadsheetId=sid, metadataId=13).execute()
    by_key = (
        sheets.developerMetadata()
        .search(spreadsheetId=sid, body={"dataFilters": [{"developerMetadataLookup": {"metadataKey": "muster:row"}}]})
        .execute()
    )
    on_row_2 = (
        sheets.developerMetadata()
        .search(
            spreadsheetId=sid,
            body={
                "dataFilters": [
                    {
                        "developerMetadataLookup": {
                            "metadataLocation": {
                                "dimensionRange": {"sheetId": 0, "dimension": "ROWS", "startIndex": 0, "endIndex": 3}
                            },
                            "locationMatchingStrategy": "INTERSECTING_LOCATION",
                            "locationType": "ROW",
                        }
                    }
                ]
            },
        )
        .execute()
    )
    nothing = (
        sheets.developerMetadata()
        .search(spreadsheetId=sid, body={"dataFilters": [{"developerMetadataLookup": {"metadataKey": "nope"}}]})
        .execute()
    )
    missing = refused(sheets.developerMetadata().get(spreadsheetId=sid, metadataId=99))
    book = sheets.get(spreadsheetId=sid, fields="developerMetadata,sheets(developerMetadata)").execute()

    column = {
        "metadataId": 13,
        "metadataKey": "muster:column",
        "metadataValue": "name",
        "location": {
            "locationType": "COLUMN",
            "dimensionRange": {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 1, "endIndex": 2},
        },
        "visibility": "DOCUMENT",
    }
    row_2 = {
        "metadataId": 14,
        "metadataKey": "muster:row",
        "metadataValue": "r2",
        "location": {
            "locationType": "ROW",
            "dimensionRange": {"sheetId": 0, "dimension": "ROWS", "startIndex": 2, "endIndex": 3},
        },
        "visibility": "DOCUMENT",
    }
    assert replies[2] == {"createDeveloperMetadata": {"developerMetadata": column}}
    assert got == column
    assert by_key == {
        "matchedDeveloperMetadata": [
            {"developerMetadata": row_2, "dataFilters": [{"developerMetadataLookup": {"metadataKey": "muster:row"}}]}
        ]
    }
    assert [m["developerMetadata"]["metadataId"] for m in on_row_2["matchedDeveloperMetadata"]] == [14]
    assert nothing == {}
    assert missing == (404, "No developer metadata with ID: 99")
    assert book == {
        "developerMetadata": [
            {
                "metadataId": 11,
                "metadataKey": "muster:export",
                "metadataValue": "run-1",
                "location": {"locationType": "SPREADSHEET", "spreadsheet": True},
                "visibility": "PROJECT",
            }
        ],
        "sheets": [
            {
                "developerMetadata": [
                    {
                        "metadataId": 12,
                        "metadataKey": "muster:tab",
                        "metadataValue": "events",
                        "location": {"locationType": "SHEET", "sheetId": 0},
                        "visibility": "DOCUMENT",
                    }
                ]
            }
        ],
    }


def test_project_metadata_is_hidden_from_other_projects(sheets_server, sheets, sid, sheets_control):
    sheets_control.share(sid, "viewer@other-project.iam.gserviceaccount.com", "reader")
    other = sheets_for(
        sheets_server.url, sheets_control.new_service_account("viewer@other-project.iam.gserviceaccount.com")
    )
    batch(
        sheets,
        sid,
        row_metadata(sid, 1, value="mine", metadata_id=21, visibility="PROJECT"),
        row_metadata(sid, 2, value="all", metadata_id=22),
    )
    lookup = {"dataFilters": [{"developerMetadataLookup": {"locationType": "ROW"}}]}

    mine = sheets.developerMetadata().search(spreadsheetId=sid, body=lookup).execute()
    theirs = other.spreadsheets().developerMetadata().search(spreadsheetId=sid, body=lookup).execute()

    assert [m["developerMetadata"]["metadataId"] for m in mine["matchedDeveloperMetadata"]] == [21, 22]
    assert [m["developerMetadata"]["metadataId"] for m in theirs["matchedDeveloperMetadata"]] == [22]
    assert refused(other.spreadsheets().developerMetadata().get(spreadsheetId=sid, metadataId=21)) == (
        404,
        "No developer metadata with ID: 21",
    )


def test_row_metadata_moves_with_its_row_when_rows_are_inserted_sorted_and_deleted(sheets, sid, sheets_control):
    batch(
        sheets,
        sid,
        row_metadata(sid, 1, value="r1"),
        row_metadata(sid, 2, value="r2"),
        row_metadata(sid, 3, value="r3"),
    )

    batch(
        sheets, sid, {"insertDimension": {"range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 1, "endIndex": 3}}}
    )
    after_api_insert = rows_of(sheets_control, sid)
    sheets_control.insert_rows(sid, 4, 1, [["typed by a person"]])
    after_person_insert = rows_of(sheets_control, sid)
    sheets_control.sort(sid, "Name", header_rows=1)
    after_sort = rows_of(sheets_control, sid)
    values_after_sort = sheets_control.grid(sid)["values"]
    batch(
        sheets,
        sid,
        {
            "sortRange": {
                "range": {"sheetId": 0, "startRowIndex": 1},
                "sortSpecs": [{"dimensionIndex": 0, "sortOrder": "DESCENDING"}],
            }
        },
    )
    after_api_sort = rows_of(sheets_control, sid)
    r2 = after_api_sort["r2"]
    batch(
        sheets,
        sid,
        {"deleteDimension": {"range": {"sheetId": 0, "dimension": "ROWS", "startIndex": r2, "endIndex": r2 + 1}}},
    )

    assert after_api_insert == {"r1": 3, "r2": 4, "r3": 5}
    assert after_person_insert == {"r1": 3, "r2": 5, "r3": 6}
    assert values_after_sort == [
        ["Muster ID", "Name"],
        ["r2", "alice"],
        ["r3", "Bob"],
        ["r1", "Carol"],
        [],
        [],
        ["typed by a person"],
    ]
    assert after_sort == {"r2": 1, "r3": 2, "r1": 3}
    assert after_api_sort == {"r3": 2, "r2": 3, "r1": 4}  # "typed by a person" sorts first, descending
    assert rows_of(sheets_control, sid) == {"r3": 2, "r1": 3}
    assert [row[0] for row in sheets_control.grid(sid)["values"]] == ["Muster ID", "typed by a person", "r3", "r1"]


def test_column_metadata_moves_when_a_person_inserts_a_column_before_it(sheets, sid, sheets_control):
    column = {"dimensionRange": {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 1, "endIndex": 2}}
    batch(
        sheets,
        sid,
        {
            "createDeveloperMetadata": {
                "developerMetadata": {
                    "metadataKey": "muster:column",
                    "metadataValue": "name",
                    "location": column,
                    "visibility": "DOCUMENT",
                }
            }
        },
    )

    sheets_control.insert_column(sid, 1, "Paid")
    found = (
        sheets.developerMetadata()
        .search(spreadsheetId=sid, body={"dataFilters": [{"developerMetadataLookup": {"metadataValue": "name"}}]})
        .execute()
    )

    assert found["matchedDeveloperMetadata"][0]["developerMetadata"]["location"]["dimensionRange"] == {
        "sheetId": 0,
        "dimension": "COLUMNS",
        "startIndex": 2,
        "endIndex": 3,
    }
    assert sheets_control.grid(sid)["values"][:2] == [["Muster ID", "Paid", "Name"], ["r1", "", "Carol"]]


def test_update_and_delete_developer_metadata_by_data_filter(sheets, sid):
    batch(
        sheets, sid, row_metadata(sid, 1, value="r1", metadata_id=31), row_metadata(sid, 2, value="r2", metadata_id=32)
    )
    by_value = {"developerMetadataLookup": {"metadataValue": "r1"}}

    updated = batch(
        sheets,
        sid,
        {
            "updateDeveloperMetadata": {
                "dataFilters": [by_value],
                "developerMetadata": {"metadataValue": "r1-renamed"},
                "fields": "metadataValue",
            }
        },
    )
    deleted = batch(
        sheets, sid, {"deleteDeveloperMetadata": {"dataFilter": {"developerMetadataLookup": {"metadataId": 32}}}}
    )
    left = (
        sheets.developerMetadata()
        .search(spreadsheetId=sid, body={"dataFilters": [{"developerMetadataLookup": {"metadataKey": "muster:row"}}]})
        .execute()
    )

    assert [m["metadataValue"] for m in updated[0]["updateDeveloperMetadata"]["developerMetadata"]] == ["r1-renamed"]
    assert [m["metadataId"] for m in deleted[0]["deleteDeveloperMetadata"]["deletedDeveloperMetadata"]] == [32]
    assert [m["developerMetadata"]["metadataValue"] for m in left["matchedDeveloperMetadata"]] == ["r1-renamed"]


def test_creating_metadata_with_a_taken_id_or_no_visibility_fails_the_batch(sheets, sid):
    batch(sheets, sid, row_metadata(sid, 1, metadata_id=41))
    taken = {"requests": [row_metadata(sid, 2, metadata_id=42), row_metadata(sid, 3, metadata_id=41)]}
    no_visibility = {
        "requests": [
            {"createDeveloperMetadata": {"developerMetadata": {"metadataKey": "k", "location": {"sheetId": 0}}}}
        ]
    }

    assert refused(sheets.batchUpdate(spreadsheetId=sid, body=taken)) == (
        400,
        "Invalid requests[1].createDeveloperMetadata: Developer metadata with ID 41 already exists.",
    )
    assert refused(sheets.batchUpdate(spreadsheetId=sid, body=no_visibility)) == (
        400,
        "Invalid requests[0].createDeveloperMetadata: visibility must be DOCUMENT or PROJECT.",
    )
    assert refused(sheets.developerMetadata().get(spreadsheetId=sid, metadataId=42)) == (
        404,
        "No developer metadata with ID: 42",
    )


def test_get_by_data_filter_returns_the_rows_metadata_points_at(sheets, sid):
    batch(sheets, sid, row_metadata(sid, 2, value="r2"))

    got = sheets.getByDataFilter(
        spreadsheetId=sid,
        body={"dataFilters": [{"developerMetadataLookup": {"metadataValue": "r2"}}], "includeGridData": True},
        fields="sheets(properties/title,data(startRow,rowData/values/formattedValue))",
    ).execute()

    assert got == {
        "sheets": [
            {
                "properties": {"title": "Events"},
                "data": [
                    {"startRow": 2, "rowData": [{"values": [{"formattedValue": "r2"}, {"formattedValue": "alice"}]}]}
                ],
            }
        ]
    }


# --- spreadsheets.get -----------------------------------------------------------------------


def test_get_returns_only_what_the_field_mask_asks_for(sheets, sid):
    batch(
        sheets,
        sid,
        {
            "updateSheetProperties": {
                "properties": {"sheetId": 0, "gridProperties": {"frozenRowCount": 1}},
                "fields": "gridProperties.frozenRowCount",
            }
        },
        {
            "addProtectedRange": {
                "protectedRange": {
                    "protectedRangeId": 5,
                    "range": {"sheetId": 0, "endRowIndex": 1},
                    "warningOnly": True,
                }
            }
        },
    )

    masked = sheets.get(
        spreadsheetId=sid, fields="sheets(properties(title,gridProperties/frozenRowCount),protectedRanges)"
    ).execute()
    titles = sheets.get(spreadsheetId=sid, fields="sheets.properties.title,spreadsheetId").execute()

    assert masked == {
        "sheets": [
            {
                "properties": {"title": "Events", "gridProperties": {"frozenRowCount": 1}},
                "protectedRanges": [
                    {
                        "protectedRangeId": 5,
                        "range": {"endRowIndex": 1},
                        "warningOnly": True,
                        "requestingUserCanEdit": True,
                    }
                ],
            }
        ]
    }
    assert titles == {"spreadsheetId": sid, "sheets": [{"properties": {"title": "Events"}}]}


def test_get_with_grid_data_for_ranges_shows_values_and_number_formats(sheets, sid, sheets_control):
    batch(
        sheets,
        sid,
        {
            "updateCells": {
                "start": {"sheetId": 0, "rowIndex": 1, "columnIndex": 2},
                "rows": [row(number(SERIAL, DATE_TIME), text("=SUM(1)"))],
                "fields": "*",
            }
        },
    )

    got = sheets.get(
        spreadsheetId=sid,
        ranges=["Events!A1:D2"],
        includeGridData=True,
        fields="sheets(properties/title,data(rowData/values(userEnteredValue,formattedValue,userEnteredFormat/numberFormat)))",
    ).execute()
    plain = sheets.get(spreadsheetId=sid, includeGridData=False).execute()

    assert got == {
        "sheets": [
            {
                "properties": {"title": "Events"},
                "data": [
                    {
                        "rowData": [
                            {
                                "values": [
                                    {"userEnteredValue": {"stringValue": "Muster ID"}, "formattedValue": "Muster ID"},
                                    {"userEnteredValue": {"stringValue": "Name"}, "formattedValue": "Name"},
                                ]
                            },
                            {
                                "values": [
                                    {"userEnteredValue": {"stringValue": "r1"}, "formattedValue": "r1"},
                                    {"userEnteredValue": {"stringValue": "Carol"}, "formattedValue": "Carol"},
                                    {
                                        "userEnteredValue": {"numberValue": SERIAL},
                                        "formattedValue": "12/1/2026 18:00:00",
                                        "userEnteredFormat": {"numberFormat": {"type": "DATE_TIME"}},
                                    },
                                    {"userEnteredValue": {"stringValue": "=SUM(1)"}, "formattedValue": "=SUM(1)"},
                                ]
                            },
                        ]
                    }
                ],
            }
        ]
    }
    assert "data" not in plain["sheets"][0]


# --- a person at the spreadsheet ------------------------------------------------------------


def test_a_person_edits_inserts_a_column_renames_a_header_and_every_write_is_counted(sheets, sid, sheets_control):
    sheets.values().update(
        spreadsheetId=sid, range="Events!A2:B2", valueInputOption="RAW", body={"values": [["r1", "Carol M."]]}
    ).execute()
    sheets_control.insert_column(sid, 1, "Paid", as_="treasurer@example.org")
    sheets_control.edit(sid, "B2", [["yes"], ["no"]], as_="treasurer@example.org")
    sheets_control.rename_header(sid, "Name", "Member")
    grid = sheets_control.grid(sid)

    assert grid["values"] == [
        ["Muster ID", "Paid", "Member"],
        ["r1", "yes", "Carol M."],
        ["r2", "no", "alice"],
        ["r3", "", "Bob"],
    ]
    assert grid["properties"]["gridProperties"] == {"rowCount": 1000, "columnCount": 27}
    assert sheets_control.writes(sid) == {
        "stakeholder@example.org": {"requests": 2, "cells": 9},  # the fixture's 8 cells, then one header
        MUSTER: {"requests": 1, "cells": 2},
        "treasurer@example.org": {"requests": 2, "cells": 3},
    }


def test_the_grid_shows_formatted_values_and_formats(sheets, sid, sheets_control):
    batch(
        sheets,
        sid,
        {
            "updateCells": {
                "start": {"sheetId": 0, "rowIndex": 1, "columnIndex": 2},
                "rows": [row(number(SERIAL, DATE_TIME))],
                "fields": "*",
            }
        },
    )

    grid = sheets_control.grid(sid)

    assert grid["formatted"][1] == ["r1", "Carol", "12/1/2026 18:00:00"]
    assert grid["values"][1] == ["r1", "Carol", SERIAL]
    assert grid["formats"] == {"C2": {"numberFormat": {"type": "DATE_TIME"}}}
    assert read(
        sheets, sid, "Events!C2", valueRenderOption="UNFORMATTED_VALUE", dateTimeRenderOption="FORMATTED_STRING"
    ) == [["12/1/2026 18:00:00"]]


@pytest.mark.timeout(180)
def test_metadata_for_30000_rows_is_created_in_one_batch_in_seconds(sheets, sid):
    batch(sheets, sid, {"appendDimension": {"sheetId": 0, "dimension": "ROWS", "length": 30_000}})
    requests = [row_metadata(sid, i + 1, value=f"r{i}") for i in range(30_000)]
    body = sheets.batchUpdate(spreadsheetId=sid, body={"requests": requests})

    started = time.monotonic()
    replies = body.execute()["replies"]
    elapsed = time.monotonic() - started

    assert len({r["createDeveloperMetadata"]["developerMetadata"]["metadataId"] for r in replies}) == 30_000
    assert elapsed < 20, f"30,000 createDeveloperMetadata took {elapsed:.1f} s"
