"""An event's Timeline page (items added once, edited, removed, shifted; logged) and the
Roster page (an import, a bad line named in the form, the comparison, Apply queued)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from community.models import Roster, RosterEntry
from core.models import OrganiserAction, OutboundMessage
from events.models import Event
from timeline.models import Item

from .conftest import csrf_post, log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def race(world):
    return Event.objects.create(guild=world.cast.guild, title="Relay", starts_at=timezone.now() + timedelta(hours=3))


def url(race, tail: str = "") -> str:
    return f"/dashboard/g/{race.guild_id}/events/{race.id}/timeline/{tail}"


def test_an_organiser_adds_an_item_once_edits_it_shifts_and_removes_it(world, race):
    olivia, alice = log_in(world, "olivia"), world.cast.member.member_id
    page = olivia.get(url(race))
    assert page.status_code == 200
    data = {"title": "Stint 1", "at": "+1h30", "member_ids": [str(alice)], "dm": "on", "prealert": "10"}
    data["submission"] = page.context["form"].initial["submission"]

    made = csrf_post(olivia, url(race), data)
    again = csrf_post(olivia, url(race), data)  # a double click

    assert (made.status_code, made["Location"], again.status_code) == (302, url(race), 302)
    item = Item.objects.get()
    assert (item.offset, item.due_at, item.prealert) == (
        timedelta(minutes=90),
        race.starts_at + timedelta(minutes=90),
        timedelta(minutes=10),
    )
    assert list(item.people.values_list("id", flat=True)) == [alice]

    edited = csrf_post(olivia, url(race, f"{item.id}/"), {**data, "title": "Stint 1: Alice", "at": "+2h"})
    assert edited.status_code == 302
    item.refresh_from_db()
    assert (item.title, item.offset) == ("Stint 1: Alice", timedelta(hours=2))

    shifted = csrf_post(olivia, url(race, "shift/"), {"minutes": "15"}, page=url(race))
    assert shifted.status_code == 302
    item.refresh_from_db()
    assert item.offset == timedelta(minutes=135)
    assert OutboundMessage.objects.filter(idempotency_key__startswith="timeline-shift:", member_id=alice).count() == 1

    removed = csrf_post(olivia, url(race, f"{item.id}/remove/"), {}, page=url(race))
    assert removed.status_code == 302 and not Item.objects.exists()
    actions = list(OrganiserAction.objects.filter(guild=world.cast.guild).values_list("action", flat=True))
    assert sorted(actions) == sorted(
        ["added timeline item", "edited timeline item", "shifted timeline", "removed timeline item"]
    )


def test_a_bad_item_is_a_form_error(world, race):
    olivia = log_in(world, "olivia")
    answer = csrf_post(olivia, url(race), {"title": "Stint", "at": "+soon", "dm": "on"})

    assert answer.status_code == 400
    assert answer.context["form"].non_field_errors() == [
        '"+soon" is not an offset from the start; write it like +90m or +1h30.'
    ]
    assert not Item.objects.exists()


def roster_url(world, tail: str = "") -> str:
    return f"/dashboard/g/{world.cast.guild.id}/roster/{tail}"


def upload(olivia, world, text: str):
    olivia.get(roster_url(world))
    return olivia.post(
        roster_url(world, "import/"),
        {
            "file": SimpleUploadedFile("club.csv", text.encode(), content_type="text/csv"),
            "csrfmiddlewaretoken": olivia.cookies["csrftoken"].value,
        },
    )


def test_an_organiser_imports_a_roster_and_sees_how_it_compares(world):
    olivia = log_in(world, "olivia")

    answer = upload(olivia, world, "discord,external_id\nalice,C-1\ndave,C-2\n")

    assert answer.status_code == 302
    assert list(RosterEntry.objects.values_list("username", "external_id")) == [("alice", "C-1"), ("dave", "C-2")]
    page = olivia.get(roster_url(world))
    status = page.context["status"]
    assert [e.username for e in status.not_in_guild] == ["dave"]
    assert [gm.member.username for gm in status.not_on_roster] == ["olivia"]
    assert "On the roster, not in the server (1)" in page.content.decode()


def test_a_bad_line_is_a_form_error_naming_it_and_nothing_changes(world):
    olivia = log_in(world, "olivia")
    upload(olivia, world, "discord\nalice\n")

    answer = upload(olivia, world, "discord\nalice\nbob smith\n")

    assert answer.status_code == 400
    assert answer.context["import_form"].errors["file"] == ['Line 3: "bob smith" is not a Discord username or id.']
    assert list(RosterEntry.objects.values_list("username", flat=True)) == ["alice"]


def test_apply_needs_a_member_role_and_otherwise_is_queued(world):
    olivia = log_in(world, "olivia")
    upload(olivia, world, "discord\nalice\n")

    refused = csrf_post(olivia, roster_url(world, "apply/"), {}, page=roster_url(world))
    assert refused.status_code == 302
    Roster.objects.filter(guild=world.cast.guild).update(member_role_id=world.cast.guild.organiser_role_id)
    applied = csrf_post(olivia, roster_url(world, "apply/"), {}, page=roster_url(world))

    assert applied.status_code == 302
    logged = OrganiserAction.objects.filter(guild=world.cast.guild, action="applied roster")
    # alice lacks the role; olivia holds it and is not on the roster.
    assert list(logged.values_list("detail", flat=True)) == ["1 to add, 1 to remove"]
