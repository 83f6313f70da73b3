"""/export, declared for the gateway. The work happens in ``sheets_export.discord.handlers``."""

from __future__ import annotations

import discord
from discord import app_commands

from core.interactions.declare import forward

group = app_commands.Group(name="export", description="The Google Sheets export", guild_only=True)

CADENCES = [
    app_commands.Choice(name="Every 5 minutes", value="5"),
    app_commands.Choice(name="Every 15 minutes", value="15"),
    app_commands.Choice(name="Every hour", value="60"),
    app_commands.Choice(name="After each change (at most once a minute)", value="change"),
]


@group.command(name="connect", description="Export to a Google spreadsheet (organisers)")
@app_commands.describe(
    url="The spreadsheet's address, shared with Muster's account as Editor",
    datasets="Comma-separated, e.g. events, registrations (default: every dataset)",
    events="Comma-separated event numbers (default: every event from today on)",
    cadence="How often Muster updates the sheet (default: every 15 minutes)",
)
@app_commands.choices(cadence=CADENCES)
async def connect(
    interaction: discord.Interaction,
    url: app_commands.Range[str, 1, 300],
    datasets: app_commands.Range[str, 1, 200] | None = None,
    events: app_commands.Range[str, 1, 200] | None = None,
    cadence: str | None = None,
):
    await forward(interaction)


@group.command(name="now", description="Update the connected spreadsheets now (organisers)")
async def now(interaction: discord.Interaction):
    await forward(interaction)


@group.command(name="status", description="Last run, rows written, next run, last error (organisers)")
async def status(interaction: discord.Interaction):
    await forward(interaction)
