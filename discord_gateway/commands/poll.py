"""/poll: how polls are declared in Discord. The work happens in ``polls.interactions``."""

from __future__ import annotations

import discord
from discord import app_commands

from discord_gateway.commands.event import may_open, refuse
from discord_gateway.forwarding import forward
from discord_gateway.modals import TextField, open_modal, text_modal

group = app_commands.Group(name="poll", description="Polls", guild_only=True)

CREATE_FIELDS = [
    TextField("question", "Question", max_length=200),
    TextField("options", "Options, one per line (2 to 10)", style="paragraph", max_length=1000),
    TextField("closes", "Closes (optional, your time zone)", required=False, placeholder="friday 18:00", max_length=40),
]


@group.command(name="create", description="Ask a question (opens a form)")
@app_commands.describe(multiple_choice="Members may pick several options", anonymous="Nobody sees who voted")
async def create(interaction: discord.Interaction, multiple_choice: bool = False, anonymous: bool = False):
    if not await may_open(interaction):
        await refuse(interaction)
        return
    custom_id = f"poll:create:{int(multiple_choice)}:{int(anonymous)}"
    await open_modal(interaction, text_modal(custom_id, "New poll", CREATE_FIELDS))


@group.command(name="close", description="Close a poll now and post the result")
async def close(interaction: discord.Interaction, poll: int):
    await forward(interaction, ephemeral=True)
