"""The Sheets stand-in against the sheets/v4 discovery document googleapiclient ships.

Success answers are validated against the document's own schemas for each method's
response (converted to JSON Schema at test time by ``discovery.schema``), errors against
Google's JSON error format. Requests the document does not allow are refused.
"""

from __future__ import annotations

import json
import time

import httpx
import pytest
from google.auth import crypt, jwt
from google.auth.transport.requests import Request
from google.oauth2 import service_account
from googleapiclient.errors import HttpError

from .discovery import method, schema
from .schemas import google as G
from .validate import answer, assert_conforms, problems

pytestmark = pytest.mark.timeout(30)
SCOPE = "https://www.googleapis.com/auth/spreadsheets"


def response_schema(dotted: str) -> dict:
    """The JSON Schema of a method's response, as the discovery document names it."""
    return schema(method(dotted)["response"]["$ref"])


@pytest.fixture
def book(sheets_service):
    body = {"properties": {"title": "Muster export"}, "sheets": [{"properties": {"title": "Events"}}]}
    created = sheets_service.spreadsheets().create(body=body).execute()
    assert_conforms(created, response_schema("spreadsheets.create"))
    return created["spreadsheetId"]


@pytest.fixture
def raw(sheets_server, sheets_control):
    """httpx with a bearer token from the stand-in's token endpoint."""
    credentials = service_account.Credentials.from_service_account_info(
        sheets_control.service_account_info(), scopes=[SCOPE]
    )
    credentials.refresh(Request())
    with httpx.Client(
        base_url=f"{sheets_server.url}/v4/spreadsheets", headers={"Authorization": f"Bearer {credentials.token}"}
    ) as http:
        yield http


def test_spreadsheets_methods(sheets_service, book):
    sheets = sheets_service.spreadsheets()
    assert_conforms(sheets.get(spreadsheetId=book).execute(), response_schema("spreadsheets.get"))
    requests = [
        {"addSheet": {"properties": {"title": "My tab"}}},
        {"updateSpreadsheetProperties": {"properties": {"title": "Export"}, "fields": "title"}},
    ]
    replies = sheets.batchUpdate(spreadsheetId=book, body={"requests": requests}).execute()
    assert_conforms(replies, response_schema("spreadsheets.batchUpdate"))
    sheet_id = replies["replies"][0]["addSheet"]["properties"]["sheetId"]
    requests = [
        {"updateSheetProperties": {"properties": {"sheetId": sheet_id, "title": "Renamed"}, "fields": "title"}},
        {"appendDimension": {"sheetId": sheet_id, "dimension": "ROWS", "length": 10}},
        {"deleteSheet": {"sheetId": sheet_id}},
    ]
    replies = sheets.batchUpdate(spreadsheetId=book, body={"requests": requests}).execute()
    assert_conforms(replies, response_schema("spreadsheets.batchUpdate"))
    assert replies["replies"] == [{}, {}, {}]


def test_values_methods(sheets_service, book):
    values = sheets_service.spreadsheets().values()
    rows = {"values": [["Title", "Going", "Open"], ["Picnic", "3", "TRUE"]]}
    written = values.update(
        spreadsheetId=book,
        range="Events!A1:C2",
        valueInputOption="USER_ENTERED",
        includeValuesInResponse=True,
        body=rows,
    ).execute()
    assert_conforms(written, response_schema("spreadsheets.values.update"))
    assert written["updatedData"] == {"range": "Events!A1:C2", "majorDimension": "ROWS", "values": rows["values"]}
    appended = values.append(
        spreadsheetId=book, range="Events!A1", valueInputOption="RAW", body={"values": [["Quiz", "5"]]}
    ).execute()
    assert_conforms(appended, response_schema("spreadsheets.values.append"))
    assert appended["updates"]["updatedRange"] == "Events!A3:B3"
    for render in ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA"):
        got = values.get(
            spreadsheetId=book, range="Events!A1:C9", valueRenderOption=render, majorDimension="COLUMNS"
        ).execute()
        assert_conforms(got, response_schema("spreadsheets.values.get"))
    both = values.batchGet(spreadsheetId=book, ranges=["Events!A1:B2", "Events!C1"]).execute()
    assert_conforms(both, response_schema("spreadsheets.values.batchGet"))
    data = [{"range": "Events!A5", "values": [["x"]]}, {"range": "Events!B6:C6", "values": [["y", "z"]]}]
    many = values.batchUpdate(spreadsheetId=book, body={"valueInputOption": "RAW", "data": data}).execute()
    assert_conforms(many, response_schema("spreadsheets.values.batchUpdate"))
    cleared = values.clear(spreadsheetId=book, range="Events!A5", body={}).execute()
    assert_conforms(cleared, response_schema("spreadsheets.values.clear"))
    all_cleared = values.batchClear(spreadsheetId=book, body={"ranges": ["Events!B6", "Events!C6"]}).execute()
    assert_conforms(all_cleared, response_schema("spreadsheets.values.batchClear"))


def google_error(response: httpx.Response, status: int) -> dict:
    error = answer(response, status, G.ERROR)["error"]
    assert (error["code"], G.HTTP_FOR_CODE[error["status"]]) == (status, status)
    return error


def test_errors_are_googles(raw, book, sheets_server, sheets_control):
    assert google_error(raw.get("/missing"), 404)["message"] == "Requested entity was not found."
    assert google_error(raw.get(f"/{book}/values/Nope!A1"), 400)["message"] == "Unable to parse range: Nope!A1"
    google_error(raw.put(f"/{book}/values/Events!A1", json={"values": [["a"]]}), 400)
    google_error(raw.get(f"/{book}/values/Events!A1:A5000"), 400)
    anonymous = httpx.get(f"{sheets_server.url}/v4/spreadsheets/{book}")
    assert google_error(anonymous, 401)["status"] == "UNAUTHENTICATED"

    sheets_control.set_quota(write_per_minute=0, read_per_minute=0)
    exhausted = google_error(raw.get(f"/{book}"), 429)
    kinds = [d["@type"] for d in exhausted["details"]]
    assert kinds == ["type.googleapis.com/google.rpc.ErrorInfo", "type.googleapis.com/google.rpc.Help"]
    assert_conforms(exhausted["details"][0], G.ERROR_INFO)


def test_requests_the_discovery_document_does_not_allow_are_refused(raw, book):
    unknown_query = google_error(raw.get(f"/{book}/values/Events!A1", params={"frobnicate": "1"}), 400)
    assert unknown_query["message"] == (
        'Invalid JSON payload received. Unknown name "frobnicate": Cannot bind query parameter. '
        "Field 'frobnicate' could not be found in request message."
    )
    wrong_enum = raw.put(
        f"/{book}/values/Events!A1", params={"valueInputOption": "SOMETIMES"}, json={"values": [["a"]]}
    )
    assert google_error(wrong_enum, 400)["message"] == "Invalid value at 'value_input_option' (SOMETIMES)"
    not_bool = raw.get(f"/{book}", params={"includeGridData": "maybe"})
    assert google_error(not_bool, 400)["message"] == "Invalid value at 'include_grid_data' (TYPE_BOOL), \"maybe\""
    extra_field = raw.put(
        f"/{book}/values/Events!A1", params={"valueInputOption": "RAW"}, json={"values": [["a"]], "colour": 1}
    )
    assert (
        google_error(extra_field, 400)["message"]
        == 'Invalid JSON payload received. Unknown name "colour": Cannot find field.'
    )
    nested = raw.post(f"/{book}:batchUpdate", json={"requests": [{"addSheet": {"properties": {"name": "x"}}}]})
    assert google_error(nested, 400)["message"] == (
        "Invalid JSON payload received. Unknown name \"name\" at 'requests[0].add_sheet.properties': Cannot find field."
    )
    # the document's global parameters are all accepted
    fine = raw.get(
        f"/{book}", params={"fields": "sheets.properties", "prettyPrint": "false", "alt": "json", "quotaUser": "m"}
    )
    answer(fine, 200, response_schema("spreadsheets.get"))


def test_the_token_endpoint_answers_as_googles(sheets_server, sheets_control):
    key = sheets_control.service_account_info()
    now = int(time.time())
    claims = {"iss": key["client_email"], "scope": SCOPE, "aud": key["token_uri"], "iat": now, "exp": now + 3600}
    assertion = jwt.encode(crypt.RSASigner.from_service_account_info(key), claims).decode()
    grant = {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion}
    answer(httpx.post(key["token_uri"], data=grant), 200, G.TOKEN)
    refused = httpx.post(f"{sheets_server.url}/token", data={"grant_type": "password"})
    assert answer(refused, 400, G.TOKEN_ERROR)["error"] == "unsupported_grant_type"
    bad = httpx.post(
        f"{sheets_server.url}/token",
        data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": "a.b.c"},
    )
    answer(bad, 400, G.TOKEN_ERROR)


def test_googleapiclient_sees_the_same_errors(sheets_service):
    with pytest.raises(HttpError) as caught:
        sheets_service.spreadsheets().get(spreadsheetId="missing").execute()
    assert caught.value.status_code == 404
    assert_conforms(json.loads(caught.value.content), G.ERROR)


def test_the_converted_schemas_refuse_what_the_document_does_not_describe():
    update = schema("UpdateValuesResponse")
    assert problems({"spreadsheetId": "s", "updatedCells": 1}, update) == []
    assert problems({"spreadsheetId": "s", "updatedCells": "1"}, update) == [
        "updatedCells: '1' is not of type 'integer'"
    ]
    assert problems({"spreadsheetId": "s", "cells": 1}, update) == [
        "(root): Additional properties are not allowed ('cells' was unexpected)"
    ]
    assert problems({"majorDimension": "DIAGONAL"}, schema("ValueRange")) == [
        "majorDimension: 'DIAGONAL' is not one of ['DIMENSION_UNSPECIFIED', 'ROWS', 'COLUMNS']"
    ]


def test_export_requests_and_their_replies_conform(sheets_service, book):
    sheets = sheets_service.spreadsheets()
    dated = {
        "userEnteredValue": {"numberValue": 46357.75},
        "userEnteredFormat": {"numberFormat": {"type": "DATE_TIME", "pattern": "yyyy-mm-dd hh:mm"}},
    }
    rows = [
        {"values": [{"userEnteredValue": {"stringValue": "Muster ID"}}, {"userEnteredValue": {"stringValue": "At"}}]},
        {"values": [{"userEnteredValue": {"stringValue": "r1"}}, dated]},
    ]
    row_location = {"dimensionRange": {"sheetId": 0, "dimension": "ROWS", "startIndex": 1, "endIndex": 2}}
    requests = [
        {"addSheet": {"properties": {"title": "Muster", "gridProperties": {"frozenRowCount": 1}}}},
        {
            "updateSheetProperties": {
                "properties": {"sheetId": 0, "gridProperties": {"frozenRowCount": 1}},
                "fields": "gridProperties.frozenRowCount",
            }
        },
        {
            "addProtectedRange": {
                "protectedRange": {
                    "range": {"sheetId": 0, "endRowIndex": 1},
                    "description": "header",
                    "warningOnly": True,
                }
            }
        },
        {"updateCells": {"start": {"sheetId": 0}, "rows": rows, "fields": "userEnteredValue,userEnteredFormat"}},
        {"appendCells": {"sheetId": 0, "rows": rows[1:], "fields": "userEnteredValue"}},
        {
            "repeatCell": {
                "range": {"sheetId": 0, "startColumnIndex": 1, "endColumnIndex": 2, "startRowIndex": 1},
                "cell": dated,
                "fields": "userEnteredFormat.numberFormat",
            }
        },
        {"insertDimension": {"range": {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 1, "endIndex": 2}}},
        {"appendDimension": {"sheetId": 0, "dimension": "ROWS", "length": 5}},
        {"deleteDimension": {"range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 3, "endIndex": 4}}},
        {
            "sortRange": {
                "range": {"sheetId": 0, "startRowIndex": 1},
                "sortSpecs": [{"dimensionIndex": 0, "sortOrder": "DESCENDING"}],
            }
        },
        {
            "createDeveloperMetadata": {
                "developerMetadata": {
                    "metadataKey": "muster:row",
                    "metadataValue": "r1",
                    "location": row_location,
                    "visibility": "DOCUMENT",
                }
            }
        },
        {
            "createDeveloperMetadata": {
                "developerMetadata": {
                    "metadataKey": "muster:run",
                    "location": {"spreadsheet": True},
                    "visibility": "PROJECT",
                }
            }
        },
        {
            "updateDeveloperMetadata": {
                "dataFilters": [{"developerMetadataLookup": {"metadataKey": "muster:run"}}],
                "developerMetadata": {"metadataValue": "run-2"},
                "fields": "metadataValue",
            }
        },
        {"deleteDeveloperMetadata": {"dataFilter": {"developerMetadataLookup": {"metadataKey": "nothing-here"}}}},
    ]
    replies = sheets.batchUpdate(
        spreadsheetId=book, body={"requests": requests, "includeSpreadsheetInResponse": True}
    ).execute()
    assert_conforms(replies, response_schema("spreadsheets.batchUpdate"))
    assert [list(r) for r in replies["replies"]] == [
        ["addSheet"],
        [],
        ["addProtectedRange"],
        *[[]] * 7,
        ["createDeveloperMetadata"],
        ["createDeveloperMetadata"],
        ["updateDeveloperMetadata"],
        ["deleteDeveloperMetadata"],
    ]
    metadata_id = replies["replies"][10]["createDeveloperMetadata"]["developerMetadata"]["metadataId"]

    full = sheets.get(spreadsheetId=book, includeGridData=True, ranges=["Events!A1:C3"]).execute()
    assert_conforms(full, response_schema("spreadsheets.get"))
    assert full["sheets"][0]["data"][0]["rowMetadata"][1]["developerMetadata"][0]["metadataId"] == metadata_id
    masked = sheets.get(spreadsheetId=book, fields="sheets(properties,protectedRanges,developerMetadata)").execute()
    assert_conforms(masked, response_schema("spreadsheets.get"))
    got = sheets.developerMetadata().get(spreadsheetId=book, metadataId=metadata_id).execute()
    assert_conforms(got, response_schema("spreadsheets.developerMetadata.get"))
    lookup = {"dataFilters": [{"developerMetadataLookup": {"metadataKey": "muster:row"}}]}
    found = sheets.developerMetadata().search(spreadsheetId=book, body=lookup).execute()
    assert_conforms(found, response_schema("spreadsheets.developerMetadata.search"))
    by_filter = sheets.getByDataFilter(spreadsheetId=book, body={**lookup, "includeGridData": True}).execute()
    assert_conforms(by_filter, response_schema("spreadsheets.getByDataFilter"))
    for render in ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA"):
        for date_time in ("SERIAL_NUMBER", "FORMATTED_STRING"):
            read = (
                sheets.values()
                .get(spreadsheetId=book, range="Events!A1:C9", valueRenderOption=render, dateTimeRenderOption=date_time)
                .execute()
            )
            assert_conforms(read, response_schema("spreadsheets.values.get"))


def test_sharing_and_batch_errors_are_googles(raw, book, sheets_control):
    private = sheets_control.create_spreadsheet("Private", shared_with={})["spreadsheetId"]
    assert google_error(raw.get(f"/{private}"), 403)["message"] == "The caller does not have permission"
    sheets_control.delete_spreadsheet(private)
    assert google_error(raw.get(f"/{private}"), 404)["message"] == "Requested entity was not found."
    bad = {
        "requests": [
            {"addSheet": {}},
            {"deleteDimension": {"range": {"sheetId": 5, "dimension": "ROWS", "startIndex": 0, "endIndex": 1}}},
        ]
    }
    assert google_error(raw.post(f"/{book}:batchUpdate", json=bad), 400)["message"] == (
        "Invalid requests[1].deleteDimension: No grid with id: 5"
    )
    assert google_error(raw.get(f"/{book}/developerMetadata/7"), 404)["message"] == "No developer metadata with ID: 7"
