"""/muster: the commands about Muster itself, declared for the gateway."""

from __future__ import annotations

import discord
from discord import app_commands

from core.interactions.declare import forward
from core.timezones import known_timezones

group = app_commands.Group(name="muster", description="About Muster")


@group.command(name="ping", description="Check that Muster answers, and how fast")
async def ping(interaction: discord.Interaction):
    await forward(interaction)


@group.command(name="help", description="The commands you can use here")
async def help_(interaction: discord.Interaction):
    await forward(interaction)


async def _zone_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    typed = current.lower()
    names = sorted(name for name in known_timezones() if typed in name.lower())[:25]
    return [app_commands.Choice(name=name, value=name) for name in names]


@group.command(name="timezone", description="Your time zone, for the times you type (events, polls)")
@app_commands.describe(zone="An IANA name such as Europe/Paris; empty shows yours; 'guild' uses the server's")
@app_commands.autocomplete(zone=_zone_choices)
async def timezone_(interaction: discord.Interaction, zone: str | None = None):
    await forward(interaction)


@group.command(name="privacy", description="What Muster stores about you; download it or have it forgotten")
async def privacy(interaction: discord.Interaction):
    await forward(interaction)
