"""The one way a guild page finds its guild and objects: those the user organises, else 404."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.test import RequestFactory

from dashboard.nav import SECTIONS, guild_nav
from dashboard.scoping import in_organised_guilds, organised_guild_or_404
from events.models import Event
from tests.events.factories import EventFactory

from .conftest import log_in

pytestmark = pytest.mark.django_db


def request_of(client):
    """A request carrying ``client``'s logged-in session, as a view receives it."""
    from django.contrib.auth import get_user
    from django.contrib.sessions.backends.db import SessionStore

    request = RequestFactory().get("/")
    request.session = SessionStore(client.session.session_key)
    request.user = get_user(request)
    return request


def test_an_organiser_gets_their_guild_and_a_404_for_any_other(world):
    request = request_of(log_in(world, "olivia"))
    assert organised_guild_or_404(request, world.cast.guild.id) == world.cast.guild
    for guild_id in (world.cast.outsider.guild_id, 4242):
        with pytest.raises(Http404):
            organised_guild_or_404(request, guild_id)


def test_objects_are_cut_to_the_organised_guilds(world):
    mine = EventFactory(guild=world.cast.guild)
    EventFactory(guild=world.cast.outsider.guild)
    assert list(in_organised_guilds(request_of(log_in(world, "olivia")), Event.objects.all())) == [mine]
    assert list(in_organised_guilds(request_of(log_in(world, "alice")), Event.objects.all())) == []


def test_the_overview_is_404_for_an_organiser_of_another_guild(world):
    assert log_in(world, "otto").get(f"/dashboard/g/{world.cast.guild.id}/").status_code == 404
    page = log_in(world, "olivia").get(f"/dashboard/g/{world.cast.guild.id}/")
    assert page.status_code == 200
    assert page.context["guild_nav"][0].url == f"/dashboard/g/{world.cast.guild.id}/"


def test_the_nav_lists_routed_sections_only_in_their_order():
    names = [link.name for link in guild_nav(1, "guild")]
    assert names[0] == "guild"
    assert names == [name for name, _ in SECTIONS if name in names]
    assert guild_nav(1, "guild")[0].current is True
