"""The Settings page: the guild's own fields, ride areas, Jira sites and Sheets export targets."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest

from carpool.models import Area
from core.models import Guild, OrganiserAction
from events.discord.messages import offset_text
from jira_sync.models import JiraLink, JiraSite
from sheets_export.models import ExportRun, ExportTarget
from tests.cast import CHANNEL_ID, ORGANISER_ROLE_ID

from .conftest import csrf_post, log_in

pytestmark = pytest.mark.django_db


def url(guild, tail: str = "") -> str:
    return f"/dashboard/g/{guild.id}/settings/{tail}"


def queued_tasks(redis) -> list[tuple[str, list]]:
    """(task name, args) of every message waiting in the broker's queues."""
    found = []
    for key in redis.scan_iter():
        if redis.type(key) != b"list":
            continue
        for raw in redis.lrange(key, 0, -1):
            message = json.loads(raw)
            args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
            found.append((message["headers"]["task"], args))
    return found


@pytest.fixture
def hq(world) -> Guild:
    Guild.objects.filter(pk=world.cast.guild.pk).update(announcement_channel_id=CHANNEL_ID)
    return Guild.objects.get(pk=world.cast.guild.pk)


def test_it_saves_the_time_zone_role_and_channel_from_the_pickers(world, hq):
    olivia = log_in(world, "olivia")
    page = olivia.get(url(hq))
    assert '<span class="default-reminders">1h</span>' in page.content.decode()
    form = page.context["form"]
    assert [value for value, _ in form.fields["organiser_role_id"].choices] == ["", str(ORGANISER_ROLE_ID)]
    assert [value for value, _ in form.fields["announcement_channel_id"].choices] == ["", str(CHANNEL_ID)]
    data = {"timezone": "America/New_York", "date_order": "mdy", "organiser_role_id": "", "announcement_channel_id": ""}
    done = csrf_post(olivia, url(hq), data)
    assert (done.status_code, done["Location"]) == (302, url(hq))
    hq.refresh_from_db()
    assert (hq.timezone, hq.date_order, hq.organiser_role_id, hq.announcement_channel_id) == (
        "America/New_York",
        "mdy",
        None,
        None,
    )


def test_bad_settings_are_form_errors(world, hq):
    olivia = log_in(world, "olivia")
    data = {"timezone": "Europe/Pari", "date_order": "dmy", "organiser_role_id": "42", "announcement_channel_id": "7"}
    page = csrf_post(olivia, url(hq), data)
    assert page.status_code == 400
    errors = page.context["form"].errors
    assert errors["timezone"] == ["Europe/Pari is not a time zone name; did you mean Europe/Paris?"]
    assert sorted(errors) == ["announcement_channel_id", "organiser_role_id", "timezone"]
    hq.refresh_from_db()
    assert (hq.timezone, hq.organiser_role_id, hq.announcement_channel_id) == (
        "Europe/Paris",
        ORGANISER_ROLE_ID,
        CHANNEL_ID,
    )


def test_ride_areas_are_added_and_removed(world, hq):
    olivia = log_in(world, "olivia")
    assert csrf_post(olivia, url(hq, "areas/"), {"name": "North"}, page=url(hq)).status_code == 302
    again = csrf_post(olivia, url(hq, "areas/"), {"name": "north"}, page=url(hq))
    assert (again.status_code, again.context["area_form"].errors) == (400, {"name": ["north is already an area."]})
    area = Area.objects.get(guild=hq)
    assert area.name == "North"
    assert csrf_post(olivia, url(hq, f"areas/{area.id}/remove/"), {}, page=url(hq)).status_code == 302
    assert not Area.objects.exists()


def test_jira_sites_and_export_targets_are_shown_and_export_now_enqueues_the_export(
    world, hq, flush_redis, django_capture_on_commit_callbacks
):
    site = JiraSite.objects.create(guild=hq, name="Acme Jira", base_url="https://acme.example", poll_interval_minutes=7)
    JiraLink.objects.create(site=site, member=world.cast.member.member, account_id="acc-1")
    target = ExportTarget.objects.create(guild=hq, spreadsheet_id="1AbC", datasets=["events"], last_error="No access")
    ExportRun.objects.create(target=target, trigger="beat", status="failed", error="No access")
    olivia = log_in(world, "olivia")
    page = olivia.get(url(hq))
    assert [[link.member_id for link in s.linked] for s in page.context["sites"]] == [[world.cast.member.member_id]]
    html = page.content.decode()
    assert "Acme Jira" in html and "7 min" in html and "not polled yet" in html
    assert f"<td>{world.cast.member.member}</td>" in html
    assert "1AbC" in html and "No access" in html and "failed" in html
    with django_capture_on_commit_callbacks(execute=True):
        page = csrf_post(olivia, url(hq, "export-now/"), {}, page=url(hq))
    assert (page.status_code, page.context["exporting"]) == (200, 1)
    assert queued_tasks(flush_redis) == [("sheets_export.tasks.export_target", [target.id, "now"])]


def test_outsiders_and_other_guilds_areas_get_404(world, hq):
    theirs = Area.objects.create(guild=world.cast.outsider.guild, name="South")
    for name in ("otto", "oscar", "alice"):
        client = log_in(world, name)
        assert client.get(url(hq)).status_code == 404, name
        assert csrf_post(client, url(hq, "areas/"), {"name": "X"}, page="/dashboard/").status_code == 404, name
        assert csrf_post(client, url(hq, "export-now/"), {}, page="/dashboard/").status_code == 404, name
    olivia = log_in(world, "olivia")
    assert csrf_post(olivia, url(hq, f"areas/{theirs.id}/remove/"), {}, page=url(hq)).status_code == 404
    assert list(Area.objects.values_list("name", flat=True)) == ["South"]


def test_reminder_offsets_read_as_event_create_takes_them():
    assert [offset_text(timedelta(minutes=m)) for m in (30, 60, 90, 1440, 10080)] == ["30m", "1h", "90m", "1d", "1w"]


def test_native_events_are_turned_on_and_off_as_event_native_does(
    world, hq, flush_redis, django_capture_on_commit_callbacks
):
    from events.models import NativeMirroring

    olivia = log_in(world, "olivia")
    assert "Upcoming events are not mirrored in Discord" in olivia.get(url(hq)).content.decode()
    assert "Create Events" in olivia.get(url(hq)).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        done = csrf_post(olivia, url(hq, "native/"), {"mirror": "on"}, page=url(hq))

    assert done.status_code == 302
    setting = NativeMirroring.objects.get(guild=hq)
    assert (setting.enabled, setting.changed_by_id) == (True, world.cast.organiser.member_id)
    assert queued_tasks(flush_redis) == [("events.tasks.sync_native_events", [hq.id])]
    assert OrganiserAction.objects.filter(guild=hq, action="turned native events on").exists()
    NativeMirroring.objects.filter(guild=hq).update(problem="Muster cannot make Discord events in Muster HQ.")
    html = olivia.get(url(hq)).content.decode()
    assert "Upcoming events are mirrored" in html and "Stuck: Muster cannot make Discord events" in html

    csrf_post(olivia, url(hq, "native/"), {"mirror": "off"}, page=url(hq))
    assert NativeMirroring.objects.get(guild=hq).enabled is False
    assert csrf_post(olivia, url(hq, "native/"), {"mirror": "maybe"}, page=url(hq)).status_code == 400


def test_an_organiser_of_another_guild_cannot_turn_its_native_events_on(world, hq):
    from events.models import NativeMirroring

    otto = log_in(world, "otto")
    refused = csrf_post(otto, url(hq, "native/"), {"mirror": "on"}, page="/dashboard/")

    assert refused.status_code == 404
    assert not NativeMirroring.objects.filter(guild=hq, enabled=True).exists()


def test_new_events_space_defaults_are_set_as_event_defaults_does(world, hq):
    from events import spaces

    olivia = log_in(world, "olivia")
    assert "New events get no thread, channel or attendee role." in olivia.get(url(hq)).content.decode()

    form = {"kind": "thread", "include_waitlist": "on", "cleanup_days": "3"}
    done = csrf_post(olivia, url(hq, "spaces/"), form, page=url(hq))

    assert done.status_code == 302
    chosen = spaces.defaults(hq.id)
    assert (chosen.kind, chosen.include_waitlist, chosen.attendee_role, chosen.cleanup_after) == (
        "thread",
        True,
        False,
        timedelta(days=3),
    )
    assert OrganiserAction.objects.filter(guild=hq, action="set new events' space to thread").exists()
    assert (
        "New events get a thread under its post for members going and the waitlist"
        in olivia.get(url(hq)).content.decode()
    )
    bad = csrf_post(olivia, url(hq, "spaces/"), {"kind": "thread", "cleanup_days": "0"}, page=url(hq))
    assert bad.status_code == 400
    assert spaces.defaults(hq.id).cleanup_after == timedelta(days=3)


def test_an_organiser_of_another_guild_cannot_set_its_space_defaults(world, hq):
    from events.models import SpaceDefaults

    otto = log_in(world, "otto")
    refused = csrf_post(otto, url(hq, "spaces/"), {"kind": "channel", "cleanup_days": "2"}, page="/dashboard/")

    assert refused.status_code == 404
    assert not SpaceDefaults.objects.filter(guild=hq).exists()
