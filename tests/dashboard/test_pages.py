"""The first dashboard pages: Guilds and Me, each scoped to who is logged in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.permissions import BOT_PERMISSIONS
from tests.events.factories import EventFactory, RegistrationFactory

from .conftest import log_in

pytestmark = pytest.mark.django_db


def test_guilds_lists_the_guilds_you_organise_and_the_invite_link(world):
    soon = timezone.now() + timedelta(days=3)
    EventFactory(guild=world.cast.guild, starts_at=soon)
    EventFactory(guild=world.cast.guild, starts_at=timezone.now() - timedelta(days=3))  # past
    EventFactory(guild=world.cast.outsider.guild, starts_at=soon)
    page = log_in(world, "olivia").get("/dashboard/")
    assert page.status_code == 200
    assert [(g.name, g.member_count, g.upcoming_count) for g in page.context["guilds"]] == [("Muster HQ", 2, 1)]
    assert page.context["invite_url"] == (
        f"https://discord.com/oauth2/authorize?client_id={world.application_id}"
        "&permissions=17996181490704&scope=bot%20applications.commands"
    )
    assert "Elsewhere" not in page.content.decode()


def test_a_member_organises_nothing_and_sees_the_explanation(world):
    page = log_in(world, "alice").get("/dashboard/")
    assert list(page.context["guilds"]) == []
    assert "You organise no guild Muster is in." in page.content.decode()


def test_me_shows_my_upcoming_registrations_only(world):
    mine = EventFactory(guild=world.cast.guild, title="Picnic", starts_at=timezone.now() + timedelta(days=2))
    RegistrationFactory(event=mine, member=world.cast.member.member)
    other = EventFactory(guild=world.cast.guild, title="Hike", starts_at=timezone.now() + timedelta(days=2))
    RegistrationFactory(event=other, member=world.cast.organiser.member)
    page = log_in(world, "alice").get("/dashboard/me/")
    assert [r.event.title for r in page.context["registrations"]] == ["Picnic"]
    assert page.context["member"].pk == world.cast.member.member_id


def test_the_bot_permissions_are_the_gateways():
    from discord_gateway.client import BOT_PERMISSIONS as GATEWAY_BOT_PERMISSIONS

    assert BOT_PERMISSIONS == GATEWAY_BOT_PERMISSIONS == 17996181490704
