"""The export targets in the admin: a bad link is a form error; the run history shows."""

import pytest
from django.urls import reverse

from sheets_export.models import ExportRun, ExportTarget
from tests.factories import SuperuserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    client.force_login(SuperuserFactory())
    return client


def form(cast, **fields):
    data = {
        "guild": cast.guild.id,
        "spreadsheet_id": "https://docs.google.com/spreadsheets/d/1AbC-dEf_0123456789xyz/edit",
        "datasets": ["events", "registrations"],
        "cadence": "15",
        "removed_rows": "mark",
        "runs-TOTAL_FORMS": "0",
        "runs-INITIAL_FORMS": "0",
    }
    return {**data, **fields}


def test_a_link_that_is_not_a_spreadsheet_is_a_form_error_and_saves_nothing(cast, staff):
    response = staff.post(reverse("admin:sheets_export_exporttarget_add"), form(cast, spreadsheet_id="my sheet"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "spreadsheet_id": [
            "That is not a Google Sheets link: copy the spreadsheet's address, "
            "https://docs.google.com/spreadsheets/d/…/edit, from your browser."
        ]
    }
    assert ExportTarget.objects.count() == 0


def test_saving_keeps_the_id_from_the_link_and_the_chosen_datasets(cast, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = staff.post(reverse("admin:sheets_export_exporttarget_add"), form(cast))
    assert response.status_code == 302
    target = ExportTarget.objects.get()
    assert (target.spreadsheet_id, target.datasets) == ("1AbC-dEf_0123456789xyz", ["events", "registrations"])
    assert len(callbacks) == 1  # the access check, queued for a worker


def test_the_run_history_shows_on_the_target(cast, staff):
    target = ExportTarget.objects.create(guild=cast.guild, spreadsheet_id="1AbC-dEf_0123456789xyz", datasets=["events"])
    ExportRun.objects.create(
        target=target, trigger="beat", status="failed", error="Google Sheets is not answering (HTTP 503)."
    )
    page = staff.get(reverse("admin:sheets_export_exporttarget_change", args=[target.pk])).content.decode()
    assert "Google Sheets is not answering (HTTP 503)." in page
