"""Worker-side handlers of /muster."""

from __future__ import annotations

import time

from discord import app_commands

from discord_gateway import commands
from discord_gateway.components import button, row
from discord_gateway.interaction import Interaction, Reply, Update
from discord_gateway.routing import command, component, routes

PING_AGAIN = [row(button("Ping again", "muster:ping"))]


def _pong(interaction: Interaction) -> str:
    ack_ms = max(0, round((interaction.acked_at - interaction.created_at) * 1000))
    e2e_ms = max(0, round((time.time() - interaction.created_at) * 1000))
    return f"Pong! Gateway answered Discord in {ack_ms} ms; end to end {e2e_ms} ms."


@command("muster ping")
def ping(interaction: Interaction) -> Reply:
    """Pong, with how long the gateway took to answer Discord and the whole trip so far."""
    return Reply(content=_pong(interaction), components=PING_AGAIN)


@component("muster:ping")
def ping_again(interaction: Interaction) -> Update:
    """The "Ping again" button: the same message, new figures."""
    return Update(content=_pong(interaction), components=PING_AGAIN)


@command("muster help")
def help_(interaction: Interaction) -> Reply:
    """The commands this member may use, by domain."""
    lines = [f"`/{path}` — {description}" for path, description in usable_commands(interaction)]
    return Reply(content="**Commands you can use**\n" + "\n".join(lines))


def usable_commands(interaction: Interaction) -> list[tuple[str, str]]:
    """(path, description) of every declared command whose permissions and check admit the member."""
    checks = {route.name: route for route in routes("command")}
    usable = []
    for group in commands.groups():
        for path, cmd in commands.walk(group):
            if interaction.guild_id is None and group.guild_only:
                continue
            if not _has_default_permissions(interaction, group, cmd):
                continue
            route = checks.get(path)
            if route is not None and not route.permits(interaction):
                continue
            usable.append((path, cmd.description))
    return sorted(usable)


def _has_default_permissions(interaction: Interaction, group: app_commands.Group, cmd) -> bool:
    required = cmd.default_permissions or group.default_permissions
    return required is None or interaction.actor.has_permission(required.value)
