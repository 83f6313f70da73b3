"""The five apps' admins (carpool, jira_sync, sheets_export, community, api) as an organiser
of one guild trying the other's rows: posts, choices, actions and secrets.

olivia organises Muster HQ; every row of Elsewhere (otto's guild) is out of her reach.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from carpool.models import Area, Nudge, Room
from community.models import CustomCommand, ScheduledMessage
from jira_sync.models import JiraSite
from sheets_export.models import ExportRun, ExportTarget

from .conftest import csrf_post, log_in
from .test_admin_tenancy import rows_of

pytestmark = pytest.mark.django_db

THEIRS = (
    "carpool.area",
    "carpool.ride",
    "carpool.room",
    "carpool.nudge",
    "jira_sync.jirasite",
    "sheets_export.exporttarget",
    "community.customcommand",
    "community.scheduledmessage",
    "api.apitoken",
)


def admin_url(obj, page: str) -> str:
    info = obj._meta.app_label, obj._meta.model_name, page
    return reverse("admin:{}_{}_{}".format(*info), args=[obj.pk])


def test_an_organiser_can_neither_change_nor_delete_another_guilds_rows(world):
    rows = rows_of(world)
    client = log_in(world, "olivia")
    for label in THEIRS:
        theirs = rows.elsewhere[label]
        before = theirs._meta.model.objects.filter(pk=theirs.pk).values().get()
        listing = reverse(f"admin:{label.replace('.', '_')}_changelist")
        changed = csrf_post(client, admin_url(theirs, "change"), {"name": "Mine", "seats": 8}, page=listing)
        deleted = csrf_post(client, admin_url(theirs, "delete"), {"post": "yes"}, page=listing)
        assert (label, changed.status_code, deleted.status_code) == (label, 404, 404)
        assert theirs._meta.model.objects.filter(pk=theirs.pk).values().get() == before


def test_foreign_key_choices_list_only_her_guild(world):
    rows = rows_of(world)
    client = log_in(world, "olivia")
    hq = world.cast.guild
    for label in ("carpool.area", "jira_sync.jirasite", "sheets_export.exporttarget", "api.apitoken"):
        model = rows.hq[label]._meta.model
        form = client.get(reverse(f"admin:{label.replace('.', '_')}_add")).context["adminform"].form
        assert [str(value) for value, _ in form.fields["guild"].choices if value] == [str(hq.pk)], label
    for label in ("community.customcommand", "community.scheduledmessage"):
        form = client.get(reverse(f"admin:{label.replace('.', '_')}_add")).context["adminform"].form
        assert [str(value) for value, _ in form.fields["guild"].choices if value] == [str(hq.pk)], label
    target = client.get(reverse("admin:sheets_export_exporttarget_add")).context["adminform"].form
    assert [str(value) for value, _ in target.fields["events"].choices] == [str(rows.hq["events.event"].pk)]
    site = client.get(admin_url(rows.hq["jira_sync.jirasite"], "change")).context["adminform"].form
    assert {str(v) for v, _ in site.fields["notify_member"].choices if v} == {
        str(world.cast.organiser.member_id),
        str(world.cast.member.member_id),
    }
    assert model  # every label above names a registered model

    # A nudge for Elsewhere's event, typed into the raw id box, is a form error.
    theirs = rows.elsewhere["events.event"]
    Nudge.objects.filter(event=rows.hq["events.event"]).delete()
    response = csrf_post(client, reverse("admin:carpool_nudge_add"), {"event": theirs.pk, "offset": "1 00:00:00"})
    assert response.context["adminform"].form.errors == {
        "event": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert Nudge.objects.filter(event=theirs).count() == 1  # theirs, from rows_of, untouched


def test_actions_run_only_on_her_guilds_rows(world):
    rows = rows_of(world)
    client = log_in(world, "olivia")

    def run(label, action):
        ours, theirs = rows.hq[label], rows.elsewhere[label]
        url = reverse(f"admin:{label.replace('.', '_')}_changelist")
        response = csrf_post(client, url, {"action": action, "_selected_action": [ours.pk, theirs.pk]})
        assert response.status_code in (200, 302)  # 200: a confirmation page (delete_selected)
        return ours, theirs

    ours, theirs = run("api.apitoken", "revoke_tokens")
    revoked = dict(ApiToken.objects.values_list("pk", "revoked_at"))
    assert (revoked[ours.pk] is not None, revoked[theirs.pk]) == (True, None)
    ours, theirs = run("community.scheduledmessage", "pause")
    status = dict(ScheduledMessage.objects.values_list("pk", "status"))
    assert (status[ours.pk], status[theirs.pk]) == ("paused", "active")
    ours, theirs = run("carpool.area", "delete_selected")  # the confirmation lists hers only
    confirm = csrf_post(
        client,
        reverse("admin:carpool_area_changelist"),
        {"action": "delete_selected", "post": "yes", "_selected_action": [ours.pk, theirs.pk]},
    )
    assert confirm.status_code == 302
    assert list(Area.objects.values_list("name", flat=True)) == ["Area of elsewhere"]


def test_read_only_rows_offer_no_action_and_no_change(world):
    rows = rows_of(world)
    client = log_in(world, "olivia")
    run = rows.hq["sheets_export.exportrun"]
    page = client.get(admin_url(run, "change"))
    assert (page.status_code, page.context["has_change_permission"]) == (200, False)
    requests = client.get(reverse("admin:carpool_riderequest_changelist"))
    assert requests.status_code == 200
    assert 'name="action"' not in requests.content.decode()
    assert client.post(admin_url(run, "delete"), {"post": "yes"}).status_code == 403
    assert ExportRun.objects.filter(pk=run.pk).exists()


def test_an_organiser_deletes_her_export_target_with_its_runs(world):
    rows = rows_of(world)
    client = log_in(world, "olivia")
    target = rows.hq["sheets_export.exporttarget"]
    page = client.get(admin_url(target, "delete"))
    assert page.context["perms_lacking"] == set()
    response = csrf_post(client, admin_url(target, "delete"), {"post": "yes"})
    assert response.status_code == 302
    assert list(ExportTarget.objects.values_list("spreadsheet_id", flat=True)) == ["sheet-of-elsewhere"]
    assert ExportRun.objects.count() == 1


def test_api_token_secrets_and_digests_are_never_displayed(world):
    rows = rows_of(world)
    client = log_in(world, "olivia")
    token = rows.hq["api.apitoken"]
    pages = [
        client.get(reverse("admin:api_apitoken_changelist")),
        client.get(admin_url(token, "change")),
        client.get(admin_url(token, "history")),
    ]
    for page in pages:
        assert page.status_code == 200
        assert token.digest not in page.content.decode()
    change = pages[1].context["adminform"]
    assert "digest" not in change.form.fields and "digest" not in change.readonly_fields
    assert token.prefix in pages[0].content.decode()


@pytest.mark.parametrize(
    ("variable", "sentence"),
    [
        ("SECRET_KEY", "SECRET_KEY is not a Jira variable: name one starting with JIRA_ that holds it."),
        ("DISCORD_TOKEN", "DISCORD_TOKEN is not a Jira variable: name one starting with JIRA_ that holds it."),
        ("JIRA_TOKEN_KEY", "JIRA_TOKEN_KEY is not a Jira variable: name one starting with JIRA_ that holds it."),
        ("JIRA_ELSEWHERE", "JIRA_ELSEWHERE belongs to another server's site: ask the operator for your own."),
    ],
)
def test_an_organisers_jira_site_may_name_only_her_own_jira_variables(world, variable, sentence):
    rows_of(world)
    client = log_in(world, "olivia")
    data = {
        "guild": world.cast.guild.pk,
        "name": "Sneaky",
        "base_url": "https://collector.example",
        "auth": "service_account",
        "service_email": "bot@example.org",
        "token_env": variable,
        "link_issue_key": "OPS-1",
        "timezone": "UTC",
        "poll_interval_minutes": 10,
        "links-TOTAL_FORMS": "0",
        "links-INITIAL_FORMS": "0",
    }
    response = csrf_post(client, reverse("admin:jira_sync_jirasite_add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"token_env": [sentence]}
    assert not JiraSite.objects.filter(name="Sneaky").exists()


def test_area_and_room_rows_of_the_other_guild_are_not_listed(world):
    rows = rows_of(world)
    client = log_in(world, "otto")
    for label, model in (("carpool.area", Area), ("carpool.room", Room), ("community.customcommand", CustomCommand)):
        listed = client.get(reverse(f"admin:{label.replace('.', '_')}_changelist")).context["cl"].result_list
        assert [row.pk for row in listed] == [rows.elsewhere[label].pk], label
        assert model.objects.count() == 2
    assert timezone.now() - timedelta(days=1) < timezone.now()


def test_the_logistics_csv_is_hers_only(world):
    rows = rows_of(world)
    client = log_in(world, "olivia")
    ours = client.get(reverse("admin:carpool_logistics_csv", args=[rows.hq["events.event"].pk]))
    theirs = client.get(reverse("admin:carpool_logistics_csv", args=[rows.elsewhere["events.event"].pk]))
    assert (ours.status_code, theirs.status_code) == (200, 404)
    assert ours.content.decode().splitlines()[1].split(",")[2:4] == ["driver", "to"]
