"""The Google Sheets stand-in, driven through googleapiclient with service-account credentials."""

from __future__ import annotations

import httpx
import pytest
from google.auth.exceptions import RefreshError
from google.auth.transport.requests import Request
from google.oauth2 import service_account
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from sandbox.runner import ServerThread
from sandbox.sheets import create_app
from sandbox.sheets.auth import generate_service_account, key_file

SCOPES = ["https://www.googleapis.com/auth/spreadsheets"]


def sheets_for(url: str, info: dict, scopes=SCOPES):
    credentials = service_account.Credentials.from_service_account_info(info, scopes=scopes)
    return build(
        "sheets",
        "v4",
        credentials=credentials,
        static_discovery=True,
        client_options={"api_endpoint": url},
        cache_discovery=False,
    )


def test_it_creates_writes_reads_and_clears(sheets_service, sheets_control):
    spreadsheets = sheets_service.spreadsheets()
    created = spreadsheets.create(body={"properties": {"title": "Muster export"}}).execute()
    sid = created["spreadsheetId"]
    added = spreadsheets.batchUpdate(
        spreadsheetId=sid, body={"requests": [{"addSheet": {"properties": {"title": "My events"}}}]}
    ).execute()
    written = (
        spreadsheets.values()
        .batchUpdate(
            spreadsheetId=sid,
            body={
                "valueInputOption": "USER_ENTERED",
                "data": [
                    {"range": "'My events'!A1:C3", "values": [["Event", "Seats", "Open"], ["Picnic", "12", "TRUE"]]},
                    {"range": "Sheet1!B2", "values": [["=1+1"]]},
                ],
            },
        )
        .execute()
    )
    read = spreadsheets.values().get(spreadsheetId=sid, range="'My events'!A:C").execute()
    unformatted = (
        spreadsheets.values()
        .get(spreadsheetId=sid, range="'My events'", valueRenderOption="UNFORMATTED_VALUE")
        .execute()
    )
    cleared = spreadsheets.values().batchClear(spreadsheetId=sid, body={"ranges": ["'My events'!A2:C"]}).execute()
    after = spreadsheets.values().get(spreadsheetId=sid, range="'My events'").execute()

    assert [s["properties"]["title"] for s in created["sheets"]] == ["Sheet1"]
    assert added["replies"][0]["addSheet"]["properties"]["title"] == "My events"
    assert added["replies"][0]["addSheet"]["properties"]["gridProperties"] == {"rowCount": 1000, "columnCount": 26}
    assert (written["totalUpdatedCells"], written["totalUpdatedSheets"]) == (7, 2)
    assert [r["updatedRange"] for r in written["responses"]] == ["'My events'!A1:C2", "Sheet1!B2"]
    assert read == {
        "range": "'My events'!A1:C1000",
        "majorDimension": "ROWS",
        "values": [["Event", "Seats", "Open"], ["Picnic", "12", "TRUE"]],
    }
    assert unformatted["values"] == [["Event", "Seats", "Open"], ["Picnic", 12, True]]
    assert cleared["clearedRanges"] == ["'My events'!A2:C1000"]
    assert after["values"] == [["Event", "Seats", "Open"]]
    assert sheets_control.values(sid, "My events") == [["Event", "Seats", "Open"]]
    assert sheets_control.values(sid, "Sheet1") == [[], ["", "=1+1"]]
    assert sheets_control.counters() == {
        "oauth2.token": 1,
        "spreadsheets.create": 1,
        "spreadsheets.batchUpdate": 1,
        "spreadsheets.values.batchUpdate": 1,
        "spreadsheets.values.get": 3,
        "spreadsheets.values.batchClear": 1,
    }


def test_it_answers_429_resource_exhausted_past_the_write_quota(sheets_service, sheets_control):
    sheets_control.set_quota(write_per_minute=3, read_per_minute=60)
    sid = sheets_service.spreadsheets().create(body={}).execute()["spreadsheetId"]
    for row in range(2):
        sheets_service.spreadsheets().values().update(
            spreadsheetId=sid, range=f"A{row + 1}", valueInputOption="RAW", body={"values": [[row]]}
        ).execute()

    with pytest.raises(HttpError) as caught:
        sheets_service.spreadsheets().values().clear(spreadsheetId=sid, range="Sheet1").execute()

    assert caught.value.status_code == 429
    assert caught.value.error_details[0]["reason"] == "RATE_LIMIT_EXCEEDED"
    assert '"status": "RESOURCE_EXHAUSTED"' in caught.value.content.decode()
    assert sheets_service.spreadsheets().values().get(spreadsheetId=sid, range="A1:A2").execute()["values"] == [
        ["0"],
        ["1"],
    ]
    assert sheets_control.counters()["quota_exceeded"] == 1


def test_it_refuses_to_grow_a_workbook_past_its_cell_limit():
    with ServerThread(create_app(cell_limit=30_000)) as server:
        info = httpx.get(f"{server.url}/_control/service-account", timeout=5).json()
        sheets = sheets_for(server.url, info).spreadsheets()
        sid = sheets.create(body={}).execute()["spreadsheetId"]  # 1000 x 26 = 26,000 cells
        add = {"addSheet": {"properties": {"title": "Big", "gridProperties": {"rowCount": 200, "columnCount": 26}}}}

        with pytest.raises(HttpError) as too_many:
            sheets.batchUpdate(spreadsheetId=sid, body={"requests": [add]}).execute()
        with pytest.raises(HttpError) as too_far:
            sheets.values().update(
                spreadsheetId=sid, range="Sheet1!A1200", valueInputOption="RAW", body={"values": [["x"]]}
            ).execute()
        titles = [s["properties"]["title"] for s in sheets.get(spreadsheetId=sid).execute()["sheets"]]

    limit_message = "This action would increase the number of cells in the workbook above the limit of 30000 cells."
    assert (too_many.value.status_code, too_many.value.reason) == (400, limit_message)
    assert (too_far.value.status_code, too_far.value.reason) == (400, limit_message)
    assert titles == ["Sheet1"]


def test_it_grows_the_grid_when_writing_past_it_and_refuses_reads_past_it(sheets_service):
    sid = sheets_service.spreadsheets().create(body={}).execute()["spreadsheetId"]
    values = sheets_service.spreadsheets().values()
    values.update(
        spreadsheetId=sid, range="Sheet1!A1001:B1002", valueInputOption="RAW", body={"values": [[1, 2], [3, 4]]}
    ).execute()

    grid = sheets_service.spreadsheets().get(spreadsheetId=sid).execute()["sheets"][0]["properties"]["gridProperties"]
    with pytest.raises(HttpError) as caught:
        values.get(spreadsheetId=sid, range="Sheet1!A1:A2000").execute()

    assert grid == {"rowCount": 1002, "columnCount": 26}
    assert caught.value.reason == "Range (Sheet1!A1:A2000) exceeds grid limits. Max rows: 1002, max columns: 26"


def test_it_rejects_writes_that_overflow_their_range_and_unparseable_ranges(sheets_service):
    sid = sheets_service.spreadsheets().create(body={}).execute()["spreadsheetId"]
    values = sheets_service.spreadsheets().values()

    with pytest.raises(HttpError) as overflow:
        values.update(
            spreadsheetId=sid, range="A1:B1", valueInputOption="RAW", body={"values": [["a", "b", "c"]]}
        ).execute()
    with pytest.raises(HttpError) as unknown_tab:
        values.get(spreadsheetId=sid, range="Nope!A1").execute()
    with pytest.raises(HttpError) as no_option:
        values.update(spreadsheetId=sid, range="A1", body={"values": [["a"]]}).execute()

    assert overflow.value.reason == "Requested writing within range [Sheet1!A1:B1], but tried writing to column [C]"
    assert unknown_tab.value.reason == "Unable to parse range: Nope!A1"
    assert no_option.value.reason == "'valueInputOption' is required but not specified"


def test_it_refuses_a_token_signed_by_an_unregistered_key(sheets_server, sheets_control):
    stranger = generate_service_account(sheets_control.service_account_info()["client_email"])

    with pytest.raises(RefreshError) as caught:
        sheets_for(sheets_server.url, key_file(stranger, sheets_server.url)).spreadsheets().create(body={}).execute()

    assert "Invalid JWT Signature." in str(caught.value)
    assert sheets_control.spreadsheets() == []


def test_it_refuses_requests_without_a_valid_bearer_token(sheets_server):
    response = httpx.post(f"{sheets_server.url}/v4/spreadsheets", json={}, trust_env=False, timeout=5)

    assert response.status_code == 401
    assert response.json()["error"]["status"] == "UNAUTHENTICATED"


def test_it_refuses_writes_with_a_read_only_scope(sheets_server, sheets_control):
    sid = sheets_control.create_spreadsheet("Shared with us")["spreadsheetId"]
    readonly = sheets_for(
        sheets_server.url,
        sheets_control.service_account_info(),
        scopes=["https://www.googleapis.com/auth/spreadsheets.readonly"],
    )

    title = readonly.spreadsheets().get(spreadsheetId=sid).execute()["properties"]["title"]
    with pytest.raises(HttpError) as caught:
        readonly.spreadsheets().values().clear(spreadsheetId=sid, range="Sheet1").execute()

    assert title == "Shared with us"
    assert (caught.value.status_code, caught.value.reason) == (403, "Request had insufficient authentication scopes.")


# --- sharing --------------------------------------------------------------------------

NO_PERMISSION = (403, "The caller does not have permission")


def _refused(call) -> tuple[int, str]:
    with pytest.raises(HttpError) as caught:
        call.execute()
    return caught.value.status_code, caught.value.reason


def test_a_spreadsheet_an_account_creates_is_its_own(sheets_server, sheets_service, sheets_control):
    other = sheets_for(sheets_server.url, sheets_control.new_service_account("other@proj-b.iam.gserviceaccount.com"))
    sid = sheets_service.spreadsheets().create(body={}).execute()["spreadsheetId"]

    refused = _refused(other.spreadsheets().get(spreadsheetId=sid))
    owner_sees = sheets_service.spreadsheets().get(spreadsheetId=sid).execute()["spreadsheetId"]

    assert refused == NO_PERMISSION
    assert owner_sees == sid
    assert sheets_control.permissions(sid) == {
        "owner": "muster-export@muster-sandbox.iam.gserviceaccount.com",
        "shared_with": {},
    }


def test_a_person_shares_with_the_accounts_they_name(sheets_server, sheets_control):
    reader_key = sheets_control.new_service_account("reader@proj-b.iam.gserviceaccount.com")
    reader = sheets_for(sheets_server.url, reader_key)
    muster = sheets_for(sheets_server.url, sheets_control.service_account_info())
    sid = sheets_control.create_spreadsheet("Board", shared_with={"reader@proj-b.iam.gserviceaccount.com": "reader"})[
        "spreadsheetId"
    ]
    write = {"values": [["x"]]}

    read = reader.spreadsheets().values().get(spreadsheetId=sid, range="A1").execute()
    reader_writes = _refused(
        reader.spreadsheets().values().update(spreadsheetId=sid, range="A1", valueInputOption="RAW", body=write)
    )
    muster_reads = _refused(muster.spreadsheets().get(spreadsheetId=sid))
    sheets_control.share(sid, "muster-export@muster-sandbox.iam.gserviceaccount.com", "editor")
    muster.spreadsheets().values().update(spreadsheetId=sid, range="A1", valueInputOption="RAW", body=write).execute()
    sheets_control.unshare(sid, "muster-export@muster-sandbox.iam.gserviceaccount.com")
    after_unshare = _refused(muster.spreadsheets().get(spreadsheetId=sid))

    assert read == {"range": "Sheet1!A1", "majorDimension": "ROWS"}
    assert reader_writes == NO_PERMISSION
    assert muster_reads == NO_PERMISSION
    assert after_unshare == NO_PERMISSION
    assert sheets_control.values(sid) == [["x"]]


def test_a_deleted_spreadsheet_is_not_found(sheets_service, sheets_control):
    sid = sheets_control.create_spreadsheet("Gone")["spreadsheetId"]
    sheets_service.spreadsheets().get(spreadsheetId=sid).execute()

    sheets_control.delete_spreadsheet(sid)

    assert _refused(sheets_service.spreadsheets().get(spreadsheetId=sid)) == (404, "Requested entity was not found.")
    assert sheets_control.spreadsheets() == []


def test_a_403_is_googles_json(sheets_server, sheets_control):
    sid = sheets_control.create_spreadsheet("Private", shared_with={})["spreadsheetId"]
    credentials = service_account.Credentials.from_service_account_info(
        sheets_control.service_account_info(), scopes=SCOPES
    )
    credentials.refresh(Request())
    response = httpx.get(
        f"{sheets_server.url}/v4/spreadsheets/{sid}",
        headers={"Authorization": f"Bearer {credentials.token}"},
        trust_env=False,
        timeout=5,
    )

    assert response.status_code == 403
    assert response.json() == {
        "error": {"code": 403, "message": "The caller does not have permission", "status": "PERMISSION_DENIED"}
    }
