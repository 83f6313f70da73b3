"""/muster: the commands about Muster itself."""

from __future__ import annotations

import discord
from discord import app_commands

from discord_gateway.forwarding import forward

group = app_commands.Group(name="muster", description="About Muster")


@group.command(name="ping", description="Check that Muster answers, and how fast")
async def ping(interaction: discord.Interaction):
    await forward(interaction, ephemeral=True)


@group.command(name="help", description="The commands you can use here")
async def help_(interaction: discord.Interaction):
    await forward(interaction, ephemeral=True)
