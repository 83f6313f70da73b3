"""The Scheduled messages page: the next five occurrences are shown before saving; edit, pause, resume, delete."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from community import schedules
from community.models import ScheduledMessage
from community.schedules import Recurrence, ScheduleDraft
from core.models import Guild, OrganiserAction
from tests.cast import CHANNEL_ID

from .conftest import csrf_post, log_in

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def hq(world) -> Guild:
    Guild.objects.filter(pk=world.cast.guild.pk).update(announcement_channel_id=CHANNEL_ID, timezone="Europe/Paris")
    return Guild.objects.get(pk=world.cast.guild.pk)


def url(guild, tail: str = "") -> str:
    return f"/dashboard/g/{guild.id}/schedules/{tail}"


def start_in(days: int) -> str:
    return (timezone.now() + timedelta(days=days)).astimezone(PARIS).strftime("%Y-%m-%d 09:00")


def form(**fields) -> dict:
    return {"channel_id": str(CHANNEL_ID), "message": "Stand-up!", "start": start_in(2), "repeat": "daily", **fields}


def in_three_days():
    return (timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0)  # as typed: to the minute


def make(guild, **fields) -> ScheduledMessage:
    draft = ScheduleDraft(
        channel_id=CHANNEL_ID,
        starts_at=in_three_days(),
        content="Hi",
        recurrence=Recurrence("weekly"),
        **fields,
    )
    return schedules.create_schedule(guild, draft, now=timezone.now())


def test_the_first_post_previews_five_occurrences_and_saves_nothing(world, hq):
    olivia = log_in(world, "olivia")
    page = csrf_post(olivia, url(hq, "create/"), form(grace_minutes="30"))
    assert page.status_code == 200
    first = timezone.datetime.strptime(start_in(2), "%Y-%m-%d %H:%M").replace(tzinfo=PARIS)
    assert page.context["preview"] == [(first + timedelta(days=n)).strftime("%a %Y-%m-%d 09:00 %Z") for n in range(5)]
    assert not ScheduledMessage.objects.exists()
    saved = csrf_post(olivia, url(hq, "create/"), form(grace_minutes="30", confirm="1"))
    assert (saved.status_code, saved["Location"]) == (302, url(hq))
    schedule = ScheduledMessage.objects.get()
    assert (schedule.channel_id, schedule.repeat, schedule.grace_minutes, schedule.timezone) == (
        CHANNEL_ID,
        "daily",
        30,
        "Europe/Paris",
    )
    assert schedule.next_occurrence_at == first
    assert schedule.created_by_id == world.cast.organiser.member_id


def test_bad_input_is_a_form_error(world, hq):
    olivia = log_in(world, "olivia")
    repeat = csrf_post(olivia, url(hq, "create/"), form(repeat="fortnightly"))
    assert repeat.status_code == 400
    assert repeat.context["form"].non_field_errors() == [
        "'fortnightly' is not a repetition Muster knows. " + schedules.RECURRENCE_HELP
    ]
    past = csrf_post(olivia, url(hq, "create/"), form(start="2020-01-01 09:00", confirm="1"))
    assert past.status_code == 400 and past.context["form"].non_field_errors()
    zone = csrf_post(olivia, url(hq, "create/"), form(timezone="Europe/Pari"))
    assert zone.context["form"].non_field_errors() == [
        "Europe/Pari is not a time zone name; did you mean Europe/Paris?"
    ]
    channel = csrf_post(olivia, url(hq, "create/"), form(channel_id="123"))
    assert channel.status_code == 400 and "channel_id" in channel.context["form"].errors
    assert not ScheduledMessage.objects.exists()


def test_edit_shows_the_schedule_and_saves_after_the_preview(world, hq):
    schedule = make(hq)
    olivia = log_in(world, "olivia")
    initial = olivia.get(url(hq, f"{schedule.id}/edit/")).context["form"].initial
    assert (initial["message"], initial["repeat"], initial["channel_id"]) == ("Hi", "weekly", CHANNEL_ID)
    done = csrf_post(olivia, url(hq, f"{schedule.id}/edit/"), form(repeat="weekly mon,thu", confirm="1"))
    assert done.status_code == 302
    schedule.refresh_from_db()
    assert (schedule.content, schedule.repeat, schedule.weekdays) == ("Stand-up!", "weekly", [0, 3])


def test_pause_resume_and_delete(world, hq):
    schedule = make(hq)
    olivia = log_in(world, "olivia")
    assert csrf_post(olivia, url(hq, f"{schedule.id}/pause/"), {}, page=url(hq)).status_code == 302
    schedule.refresh_from_db()
    assert (schedule.status, schedule.paused_reason) == ("paused", "paused by an organiser")
    assert csrf_post(olivia, url(hq, f"{schedule.id}/resume/"), {}, page=url(hq)).status_code == 302
    schedule.refresh_from_db()
    assert schedule.status == "active"
    again = csrf_post(olivia, url(hq, f"{schedule.id}/resume/"), {}, page=url(hq))
    assert (again.status_code, again.context["error"]) == (409, "That schedule is not paused.")
    assert csrf_post(olivia, url(hq, f"{schedule.id}/delete/"), {}, page=url(hq)).status_code == 302
    assert not ScheduledMessage.objects.exists()
    assert list(OrganiserAction.objects.order_by("id").values_list("action", flat=True)) == [
        "paused scheduled message",
        "resumed scheduled message",
        "deleted scheduled message",
    ]


def test_outsiders_and_other_guilds_schedules_get_404(world, hq):
    ours = make(hq)
    elsewhere = world.cast.outsider.guild
    Guild.objects.filter(pk=elsewhere.pk).update(announcement_channel_id=CHANNEL_ID + 1)
    theirs = schedules.create_schedule(
        Guild.objects.get(pk=elsewhere.pk),
        ScheduleDraft(channel_id=CHANNEL_ID + 1, starts_at=in_three_days(), content="x"),
        now=timezone.now(),
    )
    for name in ("otto", "oscar", "alice"):
        client = log_in(world, name)
        assert client.get(url(hq)).status_code == 404, name
        assert client.get(url(hq, f"{ours.id}/edit/")).status_code == 404, name
        assert csrf_post(client, url(hq, f"{ours.id}/delete/"), {}, page="/dashboard/").status_code == 404, name
    olivia = log_in(world, "olivia")
    for action in ("edit", "pause", "resume", "delete"):
        assert csrf_post(olivia, url(hq, f"{theirs.id}/{action}/"), {}, page=url(hq)).status_code == 404, action
    assert ScheduledMessage.objects.count() == 2


def test_the_same_form_sent_twice_makes_one_schedule(world, hq):
    olivia = log_in(world, "olivia")
    page = olivia.get(url(hq, "create/"))
    submission = page.context["form"].initial["submission"]
    assert f'name="submission" value="{submission}"' in page.content.decode()
    for _ in range(2):
        done = csrf_post(olivia, url(hq, "create/"), form(confirm="1", submission=submission))
        assert (done.status_code, done["Location"]) == (302, url(hq))
    assert ScheduledMessage.objects.count() == 1
    assert OrganiserAction.objects.filter(action="created scheduled message").count() == 1
    assert [str(m) for m in olivia.get(url(hq)).context["messages"]] == [
        "This form was already sent: the schedule was created once."
    ]
