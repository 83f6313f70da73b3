"""The Google Sheets stand-in, and Muster's own client pointed at it as workers point theirs."""

from __future__ import annotations

import json

import pytest

from sandbox.runner import ServerThread


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
