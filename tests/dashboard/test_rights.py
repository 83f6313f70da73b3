"""Organiser rights are decided on the server, from the bot's view, and go stale in 5 minutes.

What Discord's ``/users/@me/guilds`` says counts only inside a membership the bot knows;
losing the organiser role (as the gateway records it) removes access once the session's
answer is older than five minutes, which these tests reach by ageing it explicitly.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from core import directory
from core.permissions import (
    ADMINISTRATOR,
    MANAGE_GUILD,
    SESSION_DISCORD_PERMISSIONS,
    SESSION_ORGANISED,
    organised_guild_ids,
)

from .conftest import log_in

pytestmark = pytest.mark.django_db
EVENTS = "/admin/events/event/"


def age(client, key: str, seconds: float) -> None:
    """Make the session's ``key`` look ``seconds`` older (the clock moved on)."""
    session = client.session
    session[key] = {**session[key], "at": session[key]["at"] - seconds}
    session.save()


def test_losing_the_organiser_role_removes_access_within_five_minutes(world):
    client = log_in(world, "olivia")
    assert client.get(EVENTS).status_code == 200
    olivia = world.cast.organiser.member
    # The gateway sees her role removed and records it.
    directory.member_seen(world.cast.guild.id, {"id": olivia.id, "username": "olivia", "roles": []})
    age(client, SESSION_ORGANISED, 290)
    assert client.get(EVENTS).status_code == 200  # still inside the five minutes (10 s to spare on a loaded machine)
    age(client, SESSION_ORGANISED, 11)
    assert client.get(EVENTS).status_code == 403
    assert client.session[SESSION_ORGANISED]["guild_ids"] == []
    assert client.get("/admin/").context["app_list"] == []


def test_a_member_who_left_the_guild_loses_access_too(world):
    client = log_in(world, "olivia")
    directory.member_left(world.cast.guild.id, world.cast.organiser.member_id)
    age(client, SESSION_ORGANISED, 301)
    assert client.get(EVENTS).status_code == 403


def test_what_oauth_says_alone_never_grants_anything(world):
    # oscar administers Muster HQ as far as Discord's OAuth2 answer goes, but the bot has no
    # membership of his there: nothing.
    world.control.create_role(world.cast.guild.id, "Admins", permissions=ADMINISTRATOR)
    admins = next(r for r in world.control.guild(world.cast.guild.id)["roles"] if r["name"] == "Admins")
    world.control.add_member(world.cast.guild.id, user_id=world.cast.outsider.member_id, roles=[admins["id"]])
    client = log_in(world, "oscar")
    reported = client.session[SESSION_DISCORD_PERMISSIONS]["guilds"]
    assert int(reported[str(world.cast.guild.id)]) & ADMINISTRATOR
    assert client.session[SESSION_ORGANISED]["guild_ids"] == []
    assert client.get(EVENTS).status_code == 302  # not staff: the admin's login page


def test_discord_permission_bits_count_inside_a_known_membership(world):
    # alice gets Manage Server in Discord: she organises Muster HQ from her next login on.
    role = world.control.create_role(world.cast.guild.id, "Moderators", permissions=MANAGE_GUILD)
    world.control.update_member(world.cast.guild.id, world.cast.member.member_id, roles=[role["id"]])
    client = log_in(world, "alice")
    assert client.session[SESSION_ORGANISED]["guild_ids"] == [world.cast.guild.id]
    assert client.get(EVENTS).status_code == 200

    # Discord takes the permission away: after five minutes the dashboard asks Discord
    # again with her stored token (refreshed, as it has expired) and she is out.
    world.control.update_role(world.cast.guild.id, role["id"], permissions=0)
    assert world.control.expire_oauth2_tokens() == 1
    age(client, SESSION_DISCORD_PERMISSIONS, 301)
    assert client.get(EVENTS).status_code == 403
    assert world.control.oauth2()["counters"]["token:refresh_token"] == 1


def test_a_stored_membership_without_any_grant_organises_nothing(world):
    assert organised_guild_ids(world.cast.member.member_id, {}) == frozenset()
    assert organised_guild_ids(world.cast.organiser.member_id, {}) == frozenset({world.cast.guild.id})  # her role
    assert organised_guild_ids(world.other_organiser.member_id, {}) == frozenset({world.cast.outsider.guild.id})


def test_each_login_works_the_rights_out_afresh(world):
    first = log_in(world, "alice")
    assert first.session[SESSION_ORGANISED]["guild_ids"] == []
    world.cast.member.is_organiser = True
    world.cast.member.save(update_fields=["is_organiser"])
    second = log_in(world, "alice")
    assert second.session[SESSION_ORGANISED]["guild_ids"] == [world.cast.guild.id]
    assert second.get(reverse("admin:events_event_changelist")).status_code == 200
