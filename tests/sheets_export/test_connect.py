"""Connecting a spreadsheet: one read checks access, and a refusal is one sentence."""

import pytest

from core.errors import RuleError
from sheets_export.models import ExportTarget
from sheets_export.services import Connection, connect, spreadsheet_id
from tests.events.factories import EventFactory

pytestmark = pytest.mark.django_db
EMAIL = "muster-export@muster-sandbox.iam.gserviceaccount.com"


def connection(cast, url, **fields) -> Connection:
    defaults = {"datasets": ["events"], "event_ids": [], "cadence": "15", "configured_by_id": cast.organiser.member_id}
    return Connection(guild_id=cast.guild.id, url=url, **{**defaults, **fields})


def test_it_reads_the_id_from_a_spreadsheet_url_or_takes_the_id():
    url = "https://docs.google.com/spreadsheets/d/1AbC-dEf_0123456789xyz/edit#gid=0"
    assert spreadsheet_id(url) == "1AbC-dEf_0123456789xyz"
    assert spreadsheet_id(" 1AbC-dEf_0123456789xyz ") == "1AbC-dEf_0123456789xyz"


def test_it_refuses_what_is_not_a_spreadsheet_link():
    message = (
        r"^That is not a Google Sheets link: copy the spreadsheet's address, "
        r"https://docs\.google\.com/spreadsheets/d/…/edit, from your browser\.$"
    )
    with pytest.raises(RuleError, match=message):
        spreadsheet_id("https://example.com/my sheet")


def test_it_connects_a_shared_spreadsheet_with_one_read(cast, sheets, sheets_control):
    book = sheets_control.create_spreadsheet("Club board")
    before = sheets_control.counters().get("spreadsheets.get", 0)

    target, title = connect(connection(cast, f"https://docs.google.com/spreadsheets/d/{book['spreadsheetId']}/edit"))

    assert title == "Club board"
    assert sheets_control.counters().get("spreadsheets.get", 0) - before == 1
    assert (target.spreadsheet_id, target.datasets, target.configured_by_id) == (
        book["spreadsheetId"],
        ["events"],
        cast.organiser.member_id,
    )


def test_it_says_whom_to_share_with_when_the_spreadsheet_is_not_shared(cast, sheets, sheets_control):
    book = sheets_control.create_spreadsheet("Private", shared_with={})
    message = rf"^Muster can't open this spreadsheet: share it with {EMAIL} as Editor\.$"
    with pytest.raises(RuleError, match=message):
        connect(connection(cast, book["spreadsheetId"]))
    assert ExportTarget.objects.count() == 0


def test_it_says_so_when_the_spreadsheet_was_deleted(cast, sheets, sheets_control):
    book = sheets_control.create_spreadsheet("Gone")
    sheets_control.delete_spreadsheet(book["spreadsheetId"])
    message = (
        r"^This spreadsheet no longer exists \(it was deleted, or the link is wrong\): "
        r"connect another one with /export connect\.$"
    )
    with pytest.raises(RuleError, match=message):
        connect(connection(cast, book["spreadsheetId"]))


def test_it_refuses_an_event_of_another_server(cast, sheets, sheets_control):
    book = sheets_control.create_spreadsheet("Club board")
    elsewhere = EventFactory()
    with pytest.raises(
        RuleError, match=rf"^There is no event {elsewhere.id} in this server: /event list shows their numbers\.$"
    ):
        connect(connection(cast, book["spreadsheetId"], event_ids=[elsewhere.id]))


def test_without_a_service_account_the_organiser_is_told_the_operator_must_set_one(cast, monkeypatch):
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.delenv("GOOGLE_SERVICE_ACCOUNT_FILE", raising=False)
    message = r"^Muster has no Google service account yet: the operator must set GOOGLE_APPLICATION_CREDENTIALS\.$"
    with pytest.raises(RuleError, match=message):
        connect(connection(cast, "1AbC-dEf_0123456789xyz"))
