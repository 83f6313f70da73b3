"""The Google Sheets stand-in, and Muster's own client pointed at it as workers point theirs."""

from __future__ import annotations

import json

import pytest

from sandbox.runner import ServerThread

# The end-to-end fixtures (Discord sandbox, gateway, workers), for test_end_to_end.py.
from tests.e2e.conftest import (  # noqa: F401
    discord,
    gateway,
    muster_env,
    sandbox_cast,
    start_gateway,
    start_worker,
    world,
)


@pytest.fixture(scope="session")
def sheets_server():
    from sandbox.sheets import create_app

    with ServerThread(create_app(seed=5)) as server:
        yield server


@pytest.fixture
def sheets_control(sheets_server):
    from sandbox.sheets.control import SheetsControl

    with SheetsControl(sheets_server.url) as control:
        control.reset()
        control.set_quota(write_per_minute=60, read_per_minute=60)
        yield control


@pytest.fixture
def google_account(sheets_server, sheets_control, tmp_path, monkeypatch, settings):
    """The stand-in's service-account key in a file named by GOOGLE_APPLICATION_CREDENTIALS."""
    key = sheets_control.service_account_info()
    path = tmp_path / "google-service-account.json"
    path.write_text(json.dumps(key))
    path.chmod(0o600)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))
    settings.SHEETS_API_ENDPOINT = sheets_server.url
    return key


@pytest.fixture
def sheets(google_account):
    """Muster's Sheets client (sheets_export.client.connect), on the stand-in."""
    from sheets_export.client import connect

    return connect()


@pytest.fixture
def person(sheets_server, sheets_control):
    """A stakeholder with their own Google account: ``person(spreadsheet_id)`` shares the
    spreadsheet with them and returns their ``spreadsheets()`` resource (googleapiclient),
    so they edit as Google's own UI would, never through Muster."""
    from google.oauth2 import service_account
    from googleapiclient.discovery import build

    key = sheets_control.new_service_account("treasurer@club-board.iam.gserviceaccount.com")
    credentials = service_account.Credentials.from_service_account_info(
        key, scopes=["https://www.googleapis.com/auth/spreadsheets"]
    )
    service = build(
        "sheets",
        "v4",
        credentials=credentials,
        static_discovery=True,
        cache_discovery=False,
        client_options={"api_endpoint": sheets_server.url},
    )

    def share(spreadsheet_id: str):
        sheets_control.share(spreadsheet_id, key["client_email"], "editor")
        return service.spreadsheets()

    return share
