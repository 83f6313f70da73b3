"""Export runs against the Sheets stand-in: what reaches the sheet, how many requests, what survives.

A stakeholder is a person with their own Google account the spreadsheet is shared with:
they edit through the Sheets API as Google's own UI would (their cells, a column they add,
a sort), never through Muster.
"""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from core.models import OutboundMessage
from events.models import Registration
from sheets_export import services
from sheets_export.cells import serial
from sheets_export.models import ExportedRow, ExportTarget
from tests.events.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db
EMAIL = "muster-export@muster-sandbox.iam.gserviceaccount.com"
HEADER = ["Muster ID", "Event ID", "Event", "Member", "Discord ID", "Response", "Responded", "Option", "Status"]
NO_SLEEP = []


def no_sleep(seconds):
    NO_SLEEP.append(seconds)


@pytest.fixture
def book(sheets_control):
    return sheets_control.create_spreadsheet("Club board", sheets=["Sheet1"])


@pytest.fixture
def target(cast, book):
    return ExportTarget.objects.create(
        guild=cast.guild,
        spreadsheet_id=book["spreadsheetId"],
        datasets=["registrations"],
        configured_by=cast.organiser.member,
        created_at=timezone.now() - timedelta(days=1),
    )


@pytest.fixture
def picnic(cast):
    return EventFactory(guild=cast.guild, title="Picnic", starts_at=timezone.now() + timedelta(days=3))


@pytest.fixture
def stakeholder(person, book):
    """The club's treasurer, editing the spreadsheet with their own account."""
    return person(book["spreadsheetId"])


def run(target, sheets):
    return services.run_export(target.id, trigger="test", sheets=sheets, sleep=no_sleep)


def writes(control) -> int:
    return control.counters().get("spreadsheets.batchUpdate", 0)


def tab(control, book, title="Registrations"):
    return control.values(book["spreadsheetId"], title)


def test_the_first_run_makes_the_tab_and_writes_every_row_in_two_requests(
    cast, target, picnic, book, sheets, sheets_control
):
    registration = RegistrationFactory(event=picnic, member=cast.member.member)

    result = run(target, sheets)

    assert (result.status, result.error) == ("written", "")
    # Two reads: Muster's tabs, then (as it must add tabs) every tab's title and size.
    assert (result.read_requests, result.write_requests, result.rows_added) == (2, 2, 1)
    assert writes(sheets_control) == 2
    values = tab(sheets_control, book)
    assert values[0] == HEADER
    assert values[1][:6] == [
        f"registration-{registration.id}",
        picnic.id,
        "Picnic",
        "Alice",
        str(cast.member.member_id),
        "Going",
    ]
    muster = dict((row[0], row[1]) for row in tab(sheets_control, book, "Muster"))
    assert muster["Muster run"] == result.id
    assert muster["Rows in Registrations"] == 1


def test_a_run_with_nothing_changed_sends_no_write(cast, target, picnic, sheets, sheets_control):
    RegistrationFactory(event=picnic, member=cast.member.member)
    run(target, sheets)
    before = writes(sheets_control)

    again = run(target, sheets)

    assert (again.status, again.write_requests, again.read_requests) == ("unchanged", 0, 1)
    assert writes(sheets_control) == before


def test_one_change_is_one_write_of_that_rows_owned_cells(cast, target, picnic, book, sheets, sheets_control):
    alice = RegistrationFactory(event=picnic, member=cast.member.member)
    RegistrationFactory(event=picnic, member=cast.organiser.member)
    run(target, sheets)
    before = writes(sheets_control)
    Registration.objects.filter(id=alice.id).update(status="maybe")

    changed = run(target, sheets)

    assert (changed.write_requests, changed.rows_updated, changed.cells_written) == (1, 1, len(HEADER))
    assert writes(sheets_control) - before == 1
    assert [row[5] for row in tab(sheets_control, book)[1:]] == ["Maybe", "Going"]


def test_a_stakeholders_column_and_a_sort_survive_the_next_run(
    cast, target, picnic, book, sheets, sheets_control, stakeholder
):
    alice = RegistrationFactory(event=picnic, member=cast.member.member)
    olivia = RegistrationFactory(event=picnic, member=cast.organiser.member)
    run(target, sheets)
    # The treasurer adds "Paid" after Muster's columns and ticks Alice's row.
    spreadsheet = book["spreadsheetId"]
    body = {"values": [["Paid"], ["yes"], ["no"]]}
    stakeholder.values().update(
        spreadsheetId=spreadsheet, range="Registrations!J1:J3", valueInputOption="RAW", body=body
    ).execute()
    Registration.objects.filter(id=alice.id).update(status="declined")

    run(target, sheets)

    rows = {row[0]: row for row in tab(sheets_control, book)[1:]}
    assert tab(sheets_control, book)[0] == [*HEADER, "Paid"]
    assert (rows[f"registration-{alice.id}"][5], rows[f"registration-{alice.id}"][9]) == ("Can't go", "yes")
    assert (rows[f"registration-{olivia.id}"][5], rows[f"registration-{olivia.id}"][9]) == ("Going", "no")


def test_text_that_looks_like_a_formula_stays_text_and_times_are_serial_numbers(
    cast, target, picnic, book, sheets, sheets_control
):
    cast.member.nickname = '=IMPORTXML("http://x";"//a")'
    cast.member.save()
    registration = RegistrationFactory(event=picnic, member=cast.member.member)

    run(target, sheets)

    row = tab(sheets_control, book)[1]
    assert row[3] == '=IMPORTXML("http://x";"//a")'
    assert row[6] == serial(registration.responded_at, ZoneInfo("Europe/Paris"))


def test_a_removed_registration_is_marked_not_deleted(cast, target, picnic, book, sheets, sheets_control):
    alice = RegistrationFactory(event=picnic, member=cast.member.member)
    RegistrationFactory(event=picnic, member=cast.organiser.member)
    run(target, sheets)
    alice.delete()

    result = run(target, sheets)

    assert (result.rows_marked, result.write_requests) == (1, 1)
    assert [
        (row[0].split("-")[0], row[-1] if len(row) == len(HEADER) else "") for row in tab(sheets_control, book)[1:]
    ] == [
        ("registration", "removed"),
        ("registration", ""),
    ]
    assert run(target, sheets).write_requests == 0  # marked once


def test_a_spreadsheet_not_shared_fails_in_one_sentence_and_dms_the_organiser_once(
    cast, target, picnic, book, sheets, sheets_control
):
    sheets_control.unshare(book["spreadsheetId"], EMAIL)

    first, second = run(target, sheets), run(target, sheets)

    sentence = f"Muster can't open this spreadsheet: share it with {EMAIL} as Editor."
    assert (first.status, first.error, second.error) == ("failed", sentence, sentence)
    target.refresh_from_db()
    assert target.last_error == sentence
    dms = OutboundMessage.objects.filter(member_id=cast.organiser.member_id)
    assert [dm.payload["content"] for dm in dms] == [f"Sheets export to <{target.url}>\n{sentence}"]


def test_a_deleted_spreadsheet_says_so(cast, target, book, sheets, sheets_control):
    sheets_control.delete_spreadsheet(book["spreadsheetId"])
    assert run(target, sheets).error == (
        "This spreadsheet no longer exists (it was deleted, or the link is wrong): "
        "connect another one with /export connect."
    )


def test_quota_exhaustion_backs_off_with_jitter_then_says_so(cast, target, picnic, sheets, sheets_control):
    RegistrationFactory(event=picnic, member=cast.member.member)
    sheets_control.set_quota(write_per_minute=0, read_per_minute=60)
    NO_SLEEP.clear()

    result = run(target, sheets)

    assert result.error == (
        "Google's quota for Muster is used up for now (60 writes a minute): Muster will try again at the next run."
    )
    assert len(NO_SLEEP) == services.ATTEMPTS - 1
    assert all(0 <= wait <= services.BACKOFF_S * 2**n for n, wait in enumerate(NO_SLEEP))
    assert ExportedRow.objects.count() == 0  # nothing recorded as written


def sheet_id(control, book, title="Registrations") -> int:
    resource = control.spreadsheet(book["spreadsheetId"])
    return next(s["properties"]["sheetId"] for s in resource["sheets"] if s["properties"]["title"] == title)


def test_rows_are_found_again_after_a_person_sorts_the_tab_and_inserts_rows(
    cast, target, picnic, book, sheets, sheets_control, stakeholder
):
    alice = RegistrationFactory(event=picnic, member=cast.member.member)
    olivia = RegistrationFactory(event=picnic, member=cast.organiser.member)
    run(target, sheets)
    grid = sheet_id(sheets_control, book)
    # The treasurer sorts by member, descending (olivia first), and inserts two rows at the top.
    sort = {
        "sortRange": {
            "range": {"sheetId": grid, "startRowIndex": 1},
            "sortSpecs": [{"dimensionIndex": 3, "sortOrder": "DESCENDING"}],
        }
    }
    insert = {"insertDimension": {"range": {"sheetId": grid, "dimension": "ROWS", "startIndex": 1, "endIndex": 3}}}
    stakeholder.batchUpdate(spreadsheetId=book["spreadsheetId"], body={"requests": [sort, insert]}).execute()
    Registration.objects.filter(id=alice.id).update(status="maybe")

    result = run(target, sheets)

    assert (result.rows_updated, result.rows_added, result.write_requests) == (1, 0, 1)
    values = tab(sheets_control, book)
    assert [row[:1] for row in values[1:3]] == [[], []]  # the treasurer's rows, untouched
    assert [(row[0], row[5]) for row in values[3:]] == [
        (f"registration-{olivia.id}", "Going"),
        (f"registration-{alice.id}", "Maybe"),
    ]


def test_a_renamed_header_gets_musters_column_back_at_the_end_and_the_organiser_is_told(
    cast, target, picnic, book, sheets, sheets_control, stakeholder
):
    RegistrationFactory(event=picnic, member=cast.member.member)
    run(target, sheets)
    stakeholder.values().update(
        spreadsheetId=book["spreadsheetId"],
        range="Registrations!D1",
        valueInputOption="RAW",
        body={"values": [["Name"]]},
    ).execute()

    result = run(target, sheets)

    values = tab(sheets_control, book)
    assert values[0] == [
        "Muster ID",
        "Event ID",
        "Event",
        "Name",
        "Discord ID",
        "Response",
        "Responded",
        "Option",
        "Status",
        "Member",
    ]
    assert values[1][9] == "Alice"
    notice = (
        'In the Registrations tab, Muster could not find its column "Member" (was its header renamed?), so it '
        "added it again at the end; the renamed column is yours now."
    )
    assert result.notices == notice
    dms = OutboundMessage.objects.filter(member_id=cast.organiser.member_id)
    assert [dm.payload["content"] for dm in dms] == [f"Sheets export to <{target.url}>\n{notice}"]
    assert run(target, sheets).write_requests == 0  # and then nothing more to write


def test_a_tab_of_the_same_name_that_muster_did_not_make_is_left_alone(cast, target, picnic, sheets_control, sheets):
    book = sheets_control.create_spreadsheet("Club board", sheets=["Registrations"])
    target.spreadsheet_id = book["spreadsheetId"]
    target.save()
    RegistrationFactory(event=picnic, member=cast.member.member)

    first, second = run(target, sheets), run(target, sheets)

    assert (first.status, first.read_requests, second.status, second.read_requests) == ("written", 2, "unchanged", 1)
    titles = [s["properties"]["title"] for s in sheets_control.spreadsheet(book["spreadsheetId"])["sheets"]]
    assert titles == ["Registrations", "Registrations (2)", "Muster"]
    assert tab(sheets_control, book, "Registrations") == []


def test_the_organiser_may_choose_to_delete_the_rows_of_removed_registrations(
    cast, target, picnic, book, sheets, sheets_control
):
    target.removed_rows = ExportTarget.Removed.DELETE
    target.save()
    alice = RegistrationFactory(event=picnic, member=cast.member.member)
    olivia = RegistrationFactory(event=picnic, member=cast.organiser.member)
    run(target, sheets)
    alice.delete()

    result = run(target, sheets)

    assert (result.rows_marked, result.write_requests) == (1, 1)
    assert [row[0] for row in tab(sheets_control, book)[1:]] == [f"registration-{olivia.id}"]
    assert list(ExportedRow.objects.values_list("muster_id", flat=True)) == [f"registration-{olivia.id}"]


def test_the_admins_access_check_writes_its_answer_on_the_target(cast, target, book, sheets, sheets_control):
    from sheets_export.tasks import check_target

    assert check_target(target.id) == ""
    sheets_control.unshare(book["spreadsheetId"], EMAIL)
    assert check_target(target.id) == f"Muster can't open this spreadsheet: share it with {EMAIL} as Editor."
    target.refresh_from_db()
    assert target.last_error == f"Muster can't open this spreadsheet: share it with {EMAIL} as Editor."
    assert check_target(target.id + 1000) is None  # gone: nothing to do


def test_a_column_a_person_inserts_between_musters_columns_is_never_written(
    cast, target, picnic, book, sheets, sheets_control
):
    alice = RegistrationFactory(event=picnic, member=cast.member.member)
    run(target, sheets)
    spreadsheet = book["spreadsheetId"]
    # The treasurer inserts "Paid" before "Response", ticks Alice, then sorts the tab.
    sheets_control.insert_column(spreadsheet, 5, "Paid", sheet="Registrations")
    sheets_control.edit(spreadsheet, "F2", [["yes"]], sheet="Registrations")
    sheets_control.sort(spreadsheet, "Member", sheet="Registrations")
    Registration.objects.filter(id=alice.id).update(status="maybe")

    result = run(target, sheets)

    assert (result.rows_updated, result.cells_written, result.write_requests) == (1, len(HEADER), 1)
    grid = sheets_control.grid(spreadsheet, "Registrations")
    assert grid["values"][0] == [*HEADER[:5], "Paid", *HEADER[5:]]
    assert grid["values"][1][5:7] == ["yes", "Maybe"]
    assert grid["formats"]["H2"]["numberFormat"] == {"type": "DATE_TIME", "pattern": "yyyy-mm-dd hh:mm"}
