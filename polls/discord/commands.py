"""/poll, declared for the gateway. The work happens in ``polls.discord.handlers``."""

from __future__ import annotations

import re

import discord
from discord import app_commands

from core.interactions.declare import FormLayout, TextField, forward, open_form, opens, refuse
from core.permissions import REFUSAL, may_open
from polls.discord.messages import CREATE_FORM, DATES_FORM

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


DATES_FIELDS = (
    TextField("title", "Event title", max_length=100),
    TextField(
        "dates",
        "Dates and times, one per line (2 to 10)",
        style="paragraph",
        placeholder="tuesday 19:00\nwednesday 19:00\n2026-06-12 18:30",
        max_length=1000,
    ),
    TextField("closes", "Closes (optional; most votes win)", required=False, placeholder="friday 18:00", max_length=40),
    TextField("location", "Location (optional)", required=False, max_length=200),
)
DATES = FormLayout(DATES_FORM, "New date poll", DATES_FIELDS)


@opens(DATES_FORM)
@group.command(name="dates", description="Find the date: members vote for every time they can make (opens a form)")
@app_commands.describe(
    capacity="How many can go to the event (empty: no limit)",
    length="How long the event lasts, e.g. 2h or 90m (empty: no end)",
)
async def dates(
    interaction: discord.Interaction,
    capacity: app_commands.Range[int, 1, 100000] | None = None,
    length: app_commands.Range[str, 1, 10] | None = None,
):
    if not await may_open(interaction):
        await refuse(interaction, REFUSAL)
        return
    minutes = length_minutes(length)
    if minutes is None:
        await refuse(interaction, f"I could not read the length {length!r}: write it like 2h, 90m or 1h30m.")
        return
    await open_form(interaction, DATES.build(capacity=capacity or 0, minutes=minutes))


@group.command(name="decide", description="Choose a date poll's date: the event is created (organisers)")
@app_commands.describe(poll="The date poll's number", option="The date's number on the poll")
async def decide(
    interaction: discord.Interaction,
    poll: app_commands.Range[int, 1, 2**53 - 1],
    option: app_commands.Range[int, 1, 10],
):
    await forward(interaction)


def length_minutes(text: str | None) -> int | None:
    """``2h``, ``90m``, ``1h30m`` in minutes (0: no length given); None when it does not read."""
    if not text:
        return 0
    match = re.fullmatch(r"\s*(?:(\d{1,3})\s*h)?\s*(?:(\d{1,4})\s*m(?:in)?)?\s*", text.lower())
    if not match or not any(match.groups()):
        return None
    minutes = int(match[1] or 0) * 60 + int(match[2] or 0)
    return minutes or None
