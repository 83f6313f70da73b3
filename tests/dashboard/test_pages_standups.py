"""The Standups page: organisers make, change, pause, resume and delete standups (logged), and read
the history per standup and per member, or download it as CSV; other guilds' are 404."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, time

import pytest

from core.models import Guild, OrganiserAction
from standups import services
from standups.models import Checkin, Standup
from standups.services import StandupDraft
from tests.cast import CHANNEL_ID

from .conftest import csrf_post, log_in

pytestmark = pytest.mark.django_db
DAY = datetime(2026, 10, 5, 7, 0, tzinfo=UTC)


@pytest.fixture
def hq(world) -> Guild:
    Guild.objects.filter(pk=world.cast.guild.pk).update(announcement_channel_id=CHANNEL_ID)
    return Guild.objects.get(pk=world.cast.guild.pk)


def url(guild, tail: str = "") -> str:
    return f"/dashboard/g/{guild.id}/standups/{tail}"


def form(world, **fields) -> dict:
    alice = str(world.cast.member.member_id)
    return {
        "channel_id": str(CHANNEL_ID),
        "questions": "Done?\nNext?",
        "days": "mon-fri",
        "ask_at": "9:30",
        "member_ids": [alice],
        **fields,
    }


def test_an_organiser_creates_a_standup_once_and_edits_it(world, hq):
    olivia = log_in(world, "olivia")
    data = form(world, name="Backend", cutoff_at="11:00")
    page = olivia.get(url(hq, "create/"))
    data["submission"] = page.context["form"].initial["submission"]
    made = csrf_post(olivia, url(hq, "create/"), data)
    again = csrf_post(olivia, url(hq, "create/"), data)  # a double click

    assert (made.status_code, made["Location"], again.status_code) == (302, url(hq), 302)
    standup = Standup.objects.get()
    assert (standup.name, standup.questions, standup.ask_at, standup.cutoff_at, standup.weekdays) == (
        "Backend",
        ["Done?", "Next?"],
        time(9, 30),
        time(11, 0),
        0b0011111,
    )
    assert list(standup.participants.values_list("member_id", flat=True)) == [world.cast.member.member_id]
    initial = olivia.get(url(hq, f"{standup.id}/edit/")).context["form"].initial
    assert (initial["ask_at"], initial["days"], initial["cutoff_at"]) == ("09:30", "mon,tue,wed,thu,fri", "11:00")

    assert csrf_post(olivia, url(hq, f"{standup.id}/edit/"), form(world, days="daily", cutoff_at="")).status_code == 302
    standup.refresh_from_db()
    assert (standup.weekdays, standup.cutoff_at) == (0b1111111, None)
    assert list(OrganiserAction.objects.order_by("id").values_list("action", flat=True)) == [
        "created standup",
        "edited standup",
    ]


def test_bad_input_is_a_form_error(world, hq):
    olivia = log_in(world, "olivia")
    late = csrf_post(olivia, url(hq, "create/"), form(world, cutoff_at="08:00"))
    assert late.status_code == 400
    assert late.context["form"].non_field_errors() == [
        "The cutoff must be later in the day than the time the standup asks at."
    ]
    six = csrf_post(olivia, url(hq, "create/"), form(world, questions="a\nb\nc\nd\ne\nf"))
    assert six.context["form"].non_field_errors() == ["A standup asks at most 5 questions (a Discord form holds five)."]
    nobody = csrf_post(olivia, url(hq, "create/"), form(world, member_ids=[]))
    assert nobody.context["form"].non_field_errors() == ["Say who takes part: a role, or members."]
    channel = csrf_post(olivia, url(hq, "create/"), form(world, channel_id="123"))
    assert channel.status_code == 400 and "channel_id" in channel.context["form"].errors
    assert not Standup.objects.exists()


def make(guild, world) -> Standup:
    draft = StandupDraft(channel_id=CHANNEL_ID, member_ids=[world.cast.member.member_id], weekdays=0b1111111)
    return services.create_standup(guild, draft, now=datetime(2026, 10, 1, tzinfo=UTC))


def test_pause_resume_and_delete_are_logged(world, hq):
    standup = make(hq, world)
    olivia = log_in(world, "olivia")
    assert csrf_post(olivia, url(hq, f"{standup.id}/pause/"), {}, page=url(hq)).status_code == 302
    again = csrf_post(olivia, url(hq, f"{standup.id}/pause/"), {}, page=url(hq))
    assert (again.status_code, again.context["error"]) == (409, f"{standup.title} is paused already.")
    assert csrf_post(olivia, url(hq, f"{standup.id}/resume/"), {}, page=url(hq)).status_code == 302
    assert csrf_post(olivia, url(hq, f"{standup.id}/delete/"), {}, page=url(hq)).status_code == 302
    assert not Standup.objects.exists()
    assert list(OrganiserAction.objects.order_by("id").values_list("action", flat=True)) == [
        "paused standup",
        "resumed standup",
        "deleted standup",
    ]


def test_the_history_per_standup_and_per_member_and_its_csv(world, hq):
    standup = make(hq, world)
    alice = world.cast.member.member_id
    services.tick(now=DAY)
    checkin = Checkin.objects.get()
    services.answer(checkin.id, alice, ["=HYPERLINK(evil)", "Docs", ""], now=DAY)
    olivia = log_in(world, "olivia")

    page = olivia.get(url(hq, f"{standup.id}/"))
    assert page.status_code == 200 and list(page.context["checkins"]) == [checkin]
    assert "Docs" in page.content.decode()
    mine = olivia.get(url(hq, f"members/{alice}/"))
    assert list(mine.context["checkins"]) == [checkin]

    for path in (url(hq, f"{standup.id}/history.csv"), url(hq, f"members/{alice}/history.csv")):
        download = olivia.get(path)
        assert download["Content-Type"] == "text/csv; charset=utf-8"
        rows = list(csv.reader(io.StringIO(download.content.decode())))
        assert rows[0][:5] == ["date", "standup", "member", "member_id", "status"]
        assert rows[1][:5] == ["2026-10-05", standup.title, "Alice", str(alice), "Answered"]
        assert rows[1][9:13] == ["What did you do yesterday?", "'=HYPERLINK(evil)", "What will you do today?", "Docs"]


def test_another_guilds_standups_and_members_are_404(world, hq):
    ours = make(hq, world)
    outsider = world.cast.outsider.member_id
    for name in ("otto", "oscar", "alice"):
        client = log_in(world, name)
        assert client.get(url(hq, f"{ours.id}/history.csv")).status_code == 404, name
    olivia = log_in(world, "olivia")
    assert olivia.get(url(hq, f"members/{outsider}/history.csv")).status_code == 404
    assert olivia.get(url(hq, f"members/{outsider}/")).status_code == 404
