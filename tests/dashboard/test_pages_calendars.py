"""Calendar links on the dashboard: Me makes the member's, Settings the guild's (organisers),
each shown in the answer that made it and never again."""

from __future__ import annotations

import re

import pytest

from core.models import OrganiserAction
from events import calendars
from events.models import CalendarFeed

from .conftest import csrf_post, log_in

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://127\.0\.0\.1:8000/calendar/([A-Za-z0-9_-]{43})\.ics")


def test_me_makes_my_calendar_link_and_shows_it_only_in_that_answer(world):
    alice = log_in(world, "alice")
    assert "Make my calendar link" in alice.get("/dashboard/me/").content.decode()

    made = csrf_post(alice, "/dashboard/me/", {"calendar": "new"})

    assert made.status_code == 200
    [token] = LINK.findall(made.content.decode())
    assert calendars.find(token).member_id == world.cast.member.member_id
    later = alice.get("/dashboard/me/").content.decode()
    assert (LINK.findall(later), "Make a new link" in later) == ([], True)
    again = csrf_post(alice, "/dashboard/me/", {"calendar": "new"})
    [new] = LINK.findall(again.content.decode())
    assert (calendars.find(token), calendars.find(new).member_id) == (None, world.cast.member.member_id)


def test_settings_make_the_guilds_link_logged_and_outsiders_get_404(world):
    path = f"/dashboard/g/{world.cast.guild.id}/settings/calendar/"
    settings_page = f"/dashboard/g/{world.cast.guild.id}/settings/"
    olivia = log_in(world, "olivia")

    made = csrf_post(olivia, path, {}, page=settings_page)

    assert made.status_code == 200
    [token] = LINK.findall(made.content.decode())
    assert calendars.find(token).guild_id == world.cast.guild.id
    assert LINK.findall(olivia.get(settings_page).content.decode()) == []
    assert list(OrganiserAction.objects.values_list("action", flat=True)) == ["made calendar link"]
    assert olivia.get(path).status_code == 405
    for username in ("alice", "oscar"):
        client = log_in(world, username)
        client.get("/dashboard/me/")
        response = client.post(path, {"csrfmiddlewaretoken": client.cookies["csrftoken"].value})
        assert response.status_code == 404, username
    assert CalendarFeed.objects.filter(guild=world.cast.guild).count() == 1
