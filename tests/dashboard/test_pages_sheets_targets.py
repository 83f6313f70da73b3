"""Sheets export targets on the Settings page: connect (a worker's check against the Sheets
stand-in), change, remove; another guild's targets, events and members are never reachable."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import OrganiserAction
from dashboard.forms_settings import SPREADSHEET_TAKEN
from sheets_export.models import ExportRun, ExportTarget
from sheets_export.tasks import check_target
from tests.events.factories import EventFactory
from tests.sheets_export.conftest import google_account, sheets_control, sheets_server  # noqa: F401

from .conftest import csrf_post, log_in
from .test_pages_settings import queued_tasks

pytestmark = pytest.mark.django_db

EMAIL = "muster-export@muster-sandbox.iam.gserviceaccount.com"  # the stand-in's service account
NOT_A_LINK = (
    "That is not a Google Sheets link: copy the spreadsheet's address, "
    "https://docs.google.com/spreadsheets/d/…/edit, from your browser."
)


def url(guild, tail: str = "") -> str:
    return f"/dashboard/g/{guild.id}/settings/{tail}"


def form(spreadsheet: str, **changes) -> dict:
    data = {
        "spreadsheet_id": spreadsheet,
        "datasets": ["events", "registrations"],
        "cadence": "15",
        "removed_rows": "mark",
        "configured_by": "",
    }
    return {**data, **changes}


def actions(guild) -> list[tuple[str, str]]:
    return list(OrganiserAction.objects.filter(guild=guild).order_by("id").values_list("action", "detail"))


@pytest.fixture
def targets(world):
    """A target of Muster HQ with one run, and one of Elsewhere."""
    ours = ExportTarget.objects.create(guild=world.cast.guild, spreadsheet_id="ours-sheet-0001", datasets=["events"])
    ExportRun.objects.create(target=ours, trigger="beat", status="written")
    theirs = ExportTarget.objects.create(
        guild=world.cast.outsider.guild, spreadsheet_id="theirs-sheet-01", datasets=["events"]
    )
    return ours, theirs


@pytest.mark.usefixtures("google_account")  # the worker's credentials, on the stand-in
def test_an_organiser_connects_a_spreadsheet_and_a_worker_checks_that_muster_can_open_it(
    world,
    flush_redis,
    django_capture_on_commit_callbacks,
    sheets_control,  # noqa: F811
):
    hq = world.cast.guild
    book = sheets_control.create_spreadsheet("Club board", sheets=["Sheet1"])
    picnic = EventFactory(guild=hq, title="Picnic", starts_at=timezone.now() + timedelta(days=3))
    olivia = log_in(world, "olivia")
    assert f'href="{url(hq, "sheets/add/")}"' in olivia.get(url(hq)).content.decode()
    link = f"https://docs.google.com/spreadsheets/d/{book['spreadsheetId']}/edit#gid=0"
    data = form(link, events=[str(picnic.id)], configured_by=str(world.cast.organiser.member_id))
    with django_capture_on_commit_callbacks(execute=True):
        done = csrf_post(olivia, url(hq, "sheets/add/"), data)
    assert (done.status_code, done["Location"]) == (302, url(hq))
    target = ExportTarget.objects.get()
    assert (target.guild_id, target.spreadsheet_id, target.datasets, target.configured_by_id) == (
        hq.id,
        book["spreadsheetId"],
        ["events", "registrations"],
        world.cast.organiser.member_id,
    )
    assert list(target.events.values_list("id", flat=True)) == [picnic.id]
    assert actions(hq) == [("connected spreadsheet", book["spreadsheetId"])]
    assert queued_tasks(flush_redis) == [("sheets_export.tasks.check_target", [target.id])]
    # What the worker then does with the queued id, against the stand-in.
    assert check_target(target.id) == ""
    sheets_control.unshare(book["spreadsheetId"], EMAIL)
    assert check_target(target.id) == f"Muster can't open this spreadsheet: share it with {EMAIL} as Editor."
    assert "as Editor." in olivia.get(url(hq)).content.decode()
    # The same form sent again makes no second target.
    again = csrf_post(olivia, url(hq, "sheets/add/"), data)
    assert (again.status_code, again.context["form"].errors) == (400, {"spreadsheet_id": [SPREADSHEET_TAKEN]})
    assert ExportTarget.objects.count() == 1


def test_a_bad_link_and_another_guilds_event_or_member_are_form_errors(world, targets):
    hq, elsewhere = world.cast.guild, world.cast.outsider.guild
    theirs = EventFactory(guild=elsewhere, starts_at=timezone.now() + timedelta(days=3))
    olivia = log_in(world, "olivia")
    add = url(hq, "sheets/add/")
    bad = csrf_post(olivia, add, form("not a link"))
    assert (bad.status_code, bad.context["form"].errors) == (400, {"spreadsheet_id": [NOT_A_LINK]})
    refused = {
        "events": form("new-sheet-0001", events=[str(theirs.id)]),
        "configured_by": form("new-sheet-0001", configured_by=str(world.cast.outsider.member_id)),
        "datasets": form("new-sheet-0001", datasets=["salaries"]),
    }
    for field, data in refused.items():
        page = csrf_post(olivia, add, data)
        assert (page.status_code, list(page.context["form"].errors)) == (400, [field]), field
    assert sorted(ExportTarget.objects.values_list("spreadsheet_id", flat=True)) == [
        "ours-sheet-0001",
        "theirs-sheet-01",
    ]
    assert actions(hq) == []


def test_she_changes_the_cadence_and_a_bad_change_leaves_the_target_as_it_was(
    world, targets, flush_redis, django_capture_on_commit_callbacks
):
    hq = world.cast.guild
    ours, _theirs = targets
    ExportTarget.objects.create(guild=hq, spreadsheet_id="second-sheet-01", datasets=["events"])
    olivia = log_in(world, "olivia")
    edit = url(hq, f"sheets/{ours.id}/")
    assert "ours-sheet-0001" in olivia.get(edit).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = csrf_post(olivia, edit, form(ours.spreadsheet_id, datasets=["events"], cadence="60"))
    assert (done.status_code, done["Location"]) == (302, url(hq))
    ours.refresh_from_db()
    assert ours.cadence == "60"
    assert actions(hq) == [("changed spreadsheet", "changed cadence")]
    assert queued_tasks(flush_redis) == [("sheets_export.tasks.check_target", [ours.id])]
    bad = csrf_post(olivia, edit, form("x", cadence="5"))
    assert (bad.status_code, bad.context["form"].errors) == (400, {"spreadsheet_id": [NOT_A_LINK]})
    assert "Spreadsheet <a" in bad.content.decode() and "ours-sheet-0001" in bad.content.decode()
    taken = csrf_post(olivia, edit, form("second-sheet-01"))
    assert (taken.status_code, taken.context["form"].errors) == (400, {"spreadsheet_id": [SPREADSHEET_TAKEN]})
    ours.refresh_from_db()
    assert (ours.spreadsheet_id, ours.cadence) == ("ours-sheet-0001", "60")


def test_she_removes_a_target_and_its_runs_once_she_ticks_the_box(world, targets):
    hq = world.cast.guild
    ours, theirs = targets
    olivia = log_in(world, "olivia")
    delete, edit = url(hq, f"sheets/{ours.id}/delete/"), url(hq, f"sheets/{ours.id}/")
    assert olivia.get(delete).status_code == 405
    unticked = csrf_post(olivia, delete, {}, page=edit)
    assert unticked.status_code == 400
    assert "Tick the box to confirm" in unticked.content.decode()
    assert ExportTarget.objects.filter(pk=ours.pk).exists()
    done = csrf_post(olivia, delete, {"confirm": "yes"}, page=edit)
    assert (done.status_code, done["Location"]) == (302, url(hq))
    assert list(ExportTarget.objects.values_list("pk", flat=True)) == [theirs.pk]
    assert not ExportRun.objects.exists()
    assert actions(hq) == [("removed spreadsheet", "1 run deleted")]


@pytest.mark.parametrize("username", ["otto", "oscar", "alice"])
def test_anyone_but_her_gets_404_and_changes_nothing(world, targets, username):
    hq = world.cast.guild
    ours, _theirs = targets
    client = log_in(world, username)
    for path in (url(hq, "sheets/add/"), url(hq, f"sheets/{ours.id}/"), url(hq, f"sheets/{ours.id}/delete/")):
        assert client.get(path).status_code == 404, path
    posts = [
        (url(hq, "sheets/add/"), form("new-sheet-0001")),
        (url(hq, f"sheets/{ours.id}/"), form(ours.spreadsheet_id, cadence="5")),
        (url(hq, f"sheets/{ours.id}/delete/"), {"confirm": "yes"}),
    ]
    for path, data in posts:
        assert csrf_post(client, path, data, page="/dashboard/").status_code == 404, path
    ours.refresh_from_db()
    assert ours.cadence == "15"
    assert ExportTarget.objects.count() == 2 and ExportRun.objects.count() == 1


def test_another_guilds_target_is_404_inside_her_guilds_urls(world, targets):
    hq = world.cast.guild
    _ours, theirs = targets
    olivia = log_in(world, "olivia")
    assert olivia.get(url(hq, f"sheets/{theirs.id}/")).status_code == 404
    edit = csrf_post(olivia, url(hq, f"sheets/{theirs.id}/"), form("stolen-sheet-01"), page=url(hq))
    delete = csrf_post(olivia, url(hq, f"sheets/{theirs.id}/delete/"), {"confirm": "yes"}, page=url(hq))
    assert (edit.status_code, delete.status_code) == (404, 404)
    theirs.refresh_from_db()
    assert theirs.spreadsheet_id == "theirs-sheet-01"


def test_a_post_without_the_csrf_token_is_refused(world, targets):
    hq = world.cast.guild
    ours, _theirs = targets
    olivia = log_in(world, "olivia")
    refused = olivia.post(url(hq, f"sheets/{ours.id}/delete/"), {"confirm": "yes"})
    assert refused.status_code == 403
    added = olivia.post(url(hq, "sheets/add/"), form("new-sheet-0001"))
    assert added.status_code == 403
    assert ExportTarget.objects.filter(pk=ours.pk).exists() and ExportTarget.objects.count() == 2
