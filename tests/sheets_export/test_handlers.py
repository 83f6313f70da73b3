"""/export connect, now and status as a worker answers them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import RuleError
from core.interactions import routing
from sheets_export.models import ExportRun, ExportTarget
from tests.cast import handle

pytestmark = pytest.mark.django_db


def test_only_organisers_may_use_export(cast):
    for path in ("export connect", "export now", "export status"):
        route = routing.find(cast.interaction(cast.member, command=path))
        assert not route.permits(cast.interaction(cast.member, command=path))
        assert route.permits(cast.interaction(cast.organiser, command=path))


def test_connect_answers_in_one_sentence_and_saves_the_target(cast, sheets, sheets_control):
    book = sheets_control.create_spreadsheet("Board")
    url = f"https://docs.google.com/spreadsheets/d/{book['spreadsheetId']}/edit"
    options = {"url": url, "datasets": "events, registrations", "cadence": "change"}

    reply = handle(cast.interaction(cast.organiser, command="export connect", options=options))

    target = ExportTarget.objects.get()
    assert reply.content == (
        f"Connected **Board** (<{target.url}>): Muster writes events, registrations, "
        "after each change (at most once a minute), starting now. /export status shows how it went."
    )
    assert (target.datasets, target.cadence, target.configured_by_id) == (
        ["events", "registrations"],
        "change",
        cast.organiser.member_id,
    )


def test_connect_refuses_an_unknown_dataset_with_the_known_ones(cast):
    options = {"url": "1AbC-dEf_0123456789xyz", "datasets": "carpools"}
    known = "events, registrations, poll_results, rides, rooms, tasks, results, standings"
    with pytest.raises(RuleError, match=rf"^There is no dataset 'carpools': choose among {known}\.$"):
        handle(cast.interaction(cast.organiser, command="export connect", options=options))


def test_connect_refuses_event_numbers_it_cannot_read(cast):
    options = {"url": "1AbC-dEf_0123456789xyz", "events": "12, picnic"}
    with pytest.raises(RuleError, match=r"^'12, picnic' is not a list of event numbers: write them like 12, 14\.$"):
        handle(cast.interaction(cast.organiser, command="export connect", options=options))


def test_now_and_status_without_a_spreadsheet_say_how_to_connect_one(cast):
    expected = "No spreadsheet is connected here yet: use /export connect url:<spreadsheet address>."
    assert handle(cast.interaction(cast.organiser, command="export now")).content == expected
    assert handle(cast.interaction(cast.organiser, command="export status")).content == expected


def test_status_shows_the_last_run_the_next_and_the_last_error(cast):
    now = timezone.now()
    target = ExportTarget.objects.create(
        guild=cast.guild,
        spreadsheet_id="1AbC-dEf_0123456789xyz",
        datasets=["events"],
        next_run_at=now + timedelta(minutes=10),
        last_error="Muster can't open this spreadsheet: share it with x@y as Editor.",
    )
    ExportRun.objects.create(target=target, trigger="beat", status="written", rows_added=3, started_at=now)

    content = handle(cast.interaction(cast.organiser, command="export status")).content

    assert content == (
        f"https://docs.google.com/spreadsheets/d/1AbC-dEf_0123456789xyz/edit (events; every 15 minutes)\n"
        f"last run <t:{int(now.timestamp())}:R>: written (3 added, 0 updated, 0 marked); "
        f"next run <t:{int((now + timedelta(minutes=10)).timestamp())}:R>.\n"
        "Last error: Muster can't open this spreadsheet: share it with x@y as Editor."
    )
