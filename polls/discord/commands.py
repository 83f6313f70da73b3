"""/poll, declared for the gateway. The work happens in ``polls.discord.handlers``."""

from __future__ import annotations

import discord
from discord import app_commands

from core.interactions.declare import FormLayout, TextField, forward, open_form, opens, refuse
from core.permissions import REFUSAL, may_open
from polls.discord.messages import CREATE_FORM

group = app_commands.Group(name="poll", description="Polls", guild_only=True)

CREATE_FIELDS = (
    TextField("question", "Question", max_length=200),
    TextField("options", "Options, one per line (2 to 10)", style="paragraph", max_length=1000),
    TextField("closes", "Closes (optional, your time zone)", required=False, placeholder="friday 18:00", max_length=40),
)
CREATE = FormLayout(CREATE_FORM, "New poll", CREATE_FIELDS)


@opens(CREATE_FORM)
@group.command(name="create", description="Ask a question (opens a form)")
@app_commands.describe(multiple_choice="Members may pick several options", anonymous="Nobody sees who voted")
async def create(interaction: discord.Interaction, multiple_choice: bool = False, anonymous: bool = False):
    if not await may_open(interaction):
        await refuse(interaction, REFUSAL)
        return
    await open_form(interaction, CREATE.build(multiple=int(multiple_choice), anonymous=int(anonymous)))


@group.command(name="close", description="Close a poll now and post the result")
async def close(interaction: discord.Interaction, poll: app_commands.Range[int, 1, 2**53 - 1]):
    await forward(interaction)
