"""/standup, declared for the gateway. The work happens in ``standups.discord.handlers``.

The prompt DM's *Answer* button opens the standup's questions as a form; the questions
live in the database, so the gateway builds the form itself (``ANSWER_CLICK``, a
``ClickForm``), reading with the async ORM and never writing.
"""

from __future__ import annotations

import discord
from discord import app_commands
from django.utils import timezone

from core.interactions.declare import ClickForm, Form, forward
from standups.discord.messages import ANSWER, ANSWER_FORM, answer_form
from standups.models import Checkin, Standup

group = app_commands.Group(
    name="standup", description="Daily standups: questions asked at each one's local time", guild_only=True
)

StandupId = app_commands.Range[int, 1, 2**53 - 1]
Clock = app_commands.Range[str, 1, 10]
Days = app_commands.Range[str, 1, 40]
Questions = app_commands.Range[str, 1, 250]
Name = app_commands.Range[str, 1, 60]
Members = app_commands.Range[str, 1, 1000]
HELP = {
    "channel": "Where the answers are posted",
    "time": "When each participant is asked, in their own time zone, e.g. 09:00 or 9:30am",
    "role": "Members holding this role take part",
    "members": "Members who take part (mentions), besides or instead of a role; on edit: replaces them, - for none",
    "name": "The team's name, e.g. Backend",
    "days": "The days it runs: mon-fri (default), daily, mon,wed,fri",
    "questions": 'Up to 5, separated by ";" (default: yesterday, today, blockers)',
    "reminder": "A reminder DM to those who have not answered by then (local time); off: none",
    "cutoff": "Answers close then (local time) and one digest is posted instead of a message each; off: none",
}


async def standup_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[int]]:
    """The guild's standups whose name matches what is typed."""
    standups = Standup.objects.filter(guild_id=interaction.guild_id, name__icontains=current).order_by("id")[:25]
    return [app_commands.Choice(name=f"{s.title} (#{s.id})"[:100], value=s.id) async for s in standups]


async def open_answer_form(parts: dict, member_id: int) -> Form | str:
    """The prompt's *Answer* button: the form of the day's questions, filled in with earlier answers."""
    checkin = await Checkin.objects.select_related("standup", "standup__guild").filter(id=parts["checkin_id"]).afirst()
    if checkin is None or checkin.member_id != member_id:
        return "This standup prompt is not yours, or the standup was deleted."
    if timezone.now() >= checkin.closes_at:
        return f"Answers to {checkin.standup.title} of {checkin.local_date:%A %d %B} are closed."
    if checkin.status == Checkin.Status.AWAY:
        return "You are on leave that day: there is nothing to answer."
    return answer_form(checkin)


ANSWER_CLICK = ClickForm(ANSWER, ANSWER_FORM, open_answer_form)


@group.command(name="create", description="Start a daily standup in a channel (organisers)")
@app_commands.describe(**HELP)
async def create(
    interaction: discord.Interaction,
    channel: discord.TextChannel,
    time: Clock,
    role: discord.Role | None = None,
    members: Members | None = None,
    name: Name | None = None,
    days: Days | None = None,
    questions: Questions | None = None,
    reminder: Clock | None = None,
    cutoff: Clock | None = None,
):
    await forward(interaction)


@group.command(name="edit", description="Change a standup (organisers)")
@app_commands.describe(standup="The standup", **HELP)
@app_commands.autocomplete(standup=standup_choices)
async def edit(
    interaction: discord.Interaction,
    standup: StandupId,
    channel: discord.TextChannel | None = None,
    time: Clock | None = None,
    role: discord.Role | None = None,
    members: Members | None = None,
    name: Name | None = None,
    days: Days | None = None,
    questions: Questions | None = None,
    reminder: Clock | None = None,
    cutoff: Clock | None = None,
):
    await forward(interaction)


@group.command(name="pause", description="Stop asking until resumed (organisers)")
@app_commands.autocomplete(standup=standup_choices)
async def pause(interaction: discord.Interaction, standup: StandupId):
    await forward(interaction)


@group.command(name="resume", description="Ask again from the next ask time (organisers)")
@app_commands.autocomplete(standup=standup_choices)
async def resume(interaction: discord.Interaction, standup: StandupId):
    await forward(interaction)


@group.command(name="delete", description="Delete a standup and its history (organisers)")
@app_commands.autocomplete(standup=standup_choices)
async def delete(interaction: discord.Interaction, standup: StandupId):
    await forward(interaction)


@group.command(name="list", description="This server's standups")
async def list_(interaction: discord.Interaction):
    await forward(interaction)


@group.command(name="skip", description="Skip today's standup (you are not asked, or not reminded)")
@app_commands.describe(standup="Which standup (needed when you are in several)")
@app_commands.autocomplete(standup=standup_choices)
async def skip(interaction: discord.Interaction, standup: StandupId | None = None):
    await forward(interaction)
