"""The export end to end: Discord sandbox → gateway → worker and beat → the Sheets stand-in.

A member registers in Discord and her row appears; the treasurer adds a "Paid" column and
ticks it; she changes her answer, Muster's next run updates her row, and "Paid" is intact.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from tests.e2e.conftest import wait_until
from tests.processes import python

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def google_env(sheets_server, sheets_control, tmp_path):
    key = tmp_path / "google-service-account.json"
    key.write_text(json.dumps(sheets_control.service_account_info()))
    key.chmod(0o600)
    return {
        "GOOGLE_APPLICATION_CREDENTIALS": str(key),
        "SHEETS_API_ENDPOINT": sheets_server.url,
        "SHEETS_EXPORT_TICK": "1",
        "SHEETS_DEBOUNCE": "1",
    }


def post_titled(discord, world, title):
    messages = discord.control.messages(world.channel_id)
    return next((m for m in messages if m["embeds"] and m["embeds"][0]["title"] == title), None)


def registrations(sheets_control, spreadsheet_id):
    try:
        return sheets_control.values(spreadsheet_id, "Registrations")
    except Exception:  # the tab is not there yet
        return []


def test_a_registration_reaches_the_sheet_and_a_stakeholders_column_survives_the_next_run(
    discord, world, sandbox_cast, gateway, start_worker, start_process, muster_env, google_env, sheets_control, person
):
    start_worker(env=google_env)
    schedule = Path(tempfile.mkdtemp(prefix="muster-beat-")) / "schedule"
    beat = start_process(
        python("-m", "celery", "-A", "config", "beat", "-l", "info", "-s", str(schedule)),
        {**muster_env, **google_env},
        "beat",
    )
    beat.wait_for_output(r"beat: Starting", timeout=30)
    olivia, alice = sandbox_cast.organiser_id, sandbox_cast.member_id

    # Olivia creates an event, then connects the club's spreadsheet.
    ix = discord.control.inject_command(
        "event", subcommand="create", channel_id=world.channel_id, user_id=olivia, options={"capacity": 10}
    )
    custom_id = discord.control.wait_for_response(ix["id"], timeout=5)["response"]["data"]["custom_id"]
    fields = {"title": "Picnic", "start": "2031-06-01 18:30", "end": "", "location": "Park", "description": ""}
    submit = discord.control.inject_modal_submit(
        channel_id=world.channel_id, user_id=olivia, custom_id=custom_id, fields=fields
    )
    discord.control.wait_for_original_edit(submit["id"], timeout=15)
    post = wait_until(lambda: post_titled(discord, world, "Picnic"), what="event post")
    book = sheets_control.create_spreadsheet("Club board")
    url = f"https://docs.google.com/spreadsheets/d/{book['spreadsheetId']}/edit"
    connect = discord.control.inject_command(
        "export",
        subcommand="connect",
        channel_id=world.channel_id,
        user_id=olivia,
        options={"url": url, "datasets": "registrations", "cadence": "change"},
    )
    answer = discord.control.wait_for_original_edit(connect["id"], timeout=15)["original"]["content"]
    assert answer.startswith("Connected **Club board**")

    # Alice registers in Discord: her row appears.
    going = post["components"][0]["components"][0]["custom_id"]
    discord.control.inject_component(message_id=post["id"], custom_id=going, user_id=alice)
    rows = wait_until(
        lambda: (r := registrations(sheets_control, book["spreadsheetId"]))[1:] and r, timeout=30, what="her row"
    )
    assert rows[1][3:6] == ["alice", str(alice), "Going"]

    # The treasurer adds "Paid" after Muster's columns and ticks her row.
    treasurer = person(book["spreadsheetId"])
    body = {"values": [["Paid"], ["yes"]]}
    update = treasurer.values().update(
        spreadsheetId=book["spreadsheetId"], range="Registrations!J1:J2", valueInputOption="RAW", body=body
    )
    update.execute()

    # Alice changes her mind; the next run updates her row and leaves "Paid" alone.
    maybe = post["components"][0]["components"][1]["custom_id"]
    discord.control.inject_component(message_id=post["id"], custom_id=maybe, user_id=alice)
    rows = wait_until(
        lambda: (r := registrations(sheets_control, book["spreadsheetId"]))[1][5] == "Maybe" and r,
        timeout=30,
        what="her row updated",
    )
    assert rows[0][-1] == "Paid"
    assert rows[1][9] == "yes"
