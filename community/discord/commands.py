"""/custom and /schedule, declared for the gateway; a guild's own /<name> is answered here too.

The work happens in ``community.discord.handlers``. ``/custom run name:<name>`` always
works; a command the organiser made a slash command is also ``/<name>``, a guild command
the tree does not know, which ``unknown_command`` forwards (``declare.answer_unknown_command``).
Whether an answer is private must be chosen when it is deferred, so the gateway reads the
command's ``private`` flag (the async ORM, read only).
"""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

import discord
from discord import app_commands

from community.discord.messages import SAVE_FORM, SCHEDULE_EDIT_FORM, SCHEDULE_FORM
from community.models import CustomCommand, ScheduledMessage
from community.schedules import Recurrence, recurrence_text
from core.interactions.declare import Form, FormLayout, TextField, forward, open_form, opens, refuse
from core.permissions import REFUSAL, may_open

group = app_commands.Group(name="custom", description="This server's own commands", guild_only=True)
schedule_group = app_commands.Group(name="schedule", description="Messages that post themselves", guild_only=True)
groups = (group, schedule_group)

Name = app_commands.Range[str, 1, 32]
Cooldown = app_commands.Range[int, 0, 86400]
Colour = app_commands.Range[str, 1, 7]
ScheduleId = app_commands.Range[int, 1, 2**53 - 1]

SAVE_FIELDS = (
    TextField("name", "Name (lowercase, no spaces)", placeholder="rules", max_length=32),
    TextField("description", "Description (shown in the command list)", max_length=100),
    TextField(
        "response",
        "Response (may use {member}, {date} ...)",
        style="paragraph",
        required=False,
        max_length=2000,
    ),
    TextField("embed_title", "Embed title (optional: answer with an embed)", required=False, max_length=256),
    TextField(
        "embed_fields",
        "Embed fields (optional): Name: value per line",
        style="paragraph",
        required=False,
        max_length=1024,
    ),
)
SAVE = FormLayout(SAVE_FORM, "Custom command", SAVE_FIELDS)

SCHEDULE_FIELDS = (
    TextField("message", "Message ({guild} {date} {event.title} ...)", style="paragraph", max_length=2000),
    TextField("start", "First time (the server's time zone)", placeholder="tomorrow 09:00", max_length=40),
    TextField(
        "repeat", "Repeat", required=False, placeholder="once, daily, weekly mon,thu, monthly 2nd tue", max_length=40
    ),
    TextField("until", "Until (optional date)", required=False, placeholder="2027-06-30", max_length=20),
    TextField("embed_title", "Embed title (optional: post an embed)", required=False, max_length=256),
)
SCHEDULE = FormLayout(SCHEDULE_FORM, "Scheduled message", SCHEDULE_FIELDS)
# The same fields; its times are read in the schedule's own zone (the server's unless set on the dashboard).
SCHEDULE_EDIT_FIELDS = (
    SCHEDULE_FIELDS[0],
    replace(SCHEDULE_FIELDS[1], label="Next time (the schedule's time zone)"),
    *SCHEDULE_FIELDS[2:],
)
SCHEDULE_EDIT = FormLayout(SCHEDULE_EDIT_FORM, "Edit scheduled message", SCHEDULE_EDIT_FIELDS)


async def command_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """This guild's custom commands whose name starts with (else contains) what is typed."""
    typed = (current or "").strip().lower()
    names = CustomCommand.objects.filter(guild_id=interaction.guild_id, name__contains=typed).order_by("name")
    found = [name async for name in names.values_list("name", flat=True)[:100]]
    found.sort(key=lambda name: (not name.startswith(typed), name))
    return [app_commands.Choice(name=name, value=name) for name in found[:25]]


async def _is_private(guild_id: int | None, name: str) -> bool:
    command = CustomCommand.objects.filter(guild_id=guild_id, name=(name or "").strip().lower())
    return bool(await command.values_list("private", flat=True).afirst())


async def unknown_command(interaction: discord.Interaction) -> bool:
    """A guild's /<name>: forward it when it names one of the guild's custom commands."""
    name = (interaction.data or {}).get("name", "")
    exists = CustomCommand.objects.filter(guild_id=interaction.guild_id, name=name)
    private = await exists.values_list("private", flat=True).afirst()
    if private is None:
        return False
    await forward(interaction, ephemeral=private)
    return True


@group.command(name="run", description="Run one of this server's custom commands")
@app_commands.autocomplete(name=command_choices)
async def run(interaction: discord.Interaction, name: Name):
    await forward(interaction, ephemeral=await _is_private(interaction.guild_id, name))


def _options(private, cooldown, slash, role, mention, colour) -> dict:
    """The form id's parts: "" where an option was not given."""
    flag = {None: "", True: "1", False: "0"}
    return {
        "private": flag[private],
        "cooldown": "" if cooldown is None else str(cooldown),
        "slash": flag[slash],
        "role": str(role.id) if role else "",
        "mention": str(mention.id) if mention else "",
        "colour": (colour or "").strip().removeprefix("#")[:6].replace(":", ""),
    }


OPTION_HELP = {
    "private": "Answer only the member who runs it (default: everyone sees it)",
    "cooldown": "Seconds a member waits between two uses (default 0)",
    "slash": "Also make it the slash command /<name> in this server",
    "role": "Only members with this role may run it (@everyone: anyone)",
    "mention": "A role the answer may ping (@everyone: none); other mentions never ping",
    "colour": "Embed colour, e.g. #5865F2",
}


@opens(SAVE_FORM)
@group.command(name="create", description="Create a custom command (opens a form)")
@app_commands.describe(**OPTION_HELP)
async def create(
    interaction: discord.Interaction,
    private: bool | None = None,
    cooldown: Cooldown | None = None,
    slash: bool | None = None,
    role: discord.Role | None = None,
    mention: discord.Role | None = None,
    colour: Colour | None = None,
):
    if not await may_open(interaction):
        await refuse(interaction, REFUSAL)
        return
    await open_form(interaction, SAVE.build(command_id=0, **_options(private, cooldown, slash, role, mention, colour)))


@opens(SAVE_FORM)
@group.command(name="edit", description="Change a custom command (opens a form; options left out stay)")
@app_commands.describe(name="The command to change", **OPTION_HELP)
@app_commands.autocomplete(name=command_choices)
async def edit(
    interaction: discord.Interaction,
    name: Name,
    private: bool | None = None,
    cooldown: Cooldown | None = None,
    slash: bool | None = None,
    role: discord.Role | None = None,
    mention: discord.Role | None = None,
    colour: Colour | None = None,
):
    if not await may_open(interaction):
        await refuse(interaction, REFUSAL)
        return
    command = await CustomCommand.objects.filter(guild_id=interaction.guild_id, name=name.strip().lower()).afirst()
    if command is None:
        await refuse(interaction, f"This server has no custom command named {name.strip().lower()[:32]}.")
        return
    form = SAVE.build(command_id=command.id, **_options(private, cooldown, slash, role, mention, colour))
    await open_form(interaction, filled(form, command))


def filled(form: Form, command: CustomCommand) -> Form:
    """The edit form showing the command as it is."""
    embed = command.embed or {}
    values = {
        "name": command.name,
        "description": command.description,
        "response": embed.get("description", "") if embed else command.content,
        "embed_title": embed.get("title", ""),
        "embed_fields": "\n".join(f"{f['name']}: {f['value']}" for f in embed.get("fields", [])),
    }
    fields = tuple(
        replace(f, default=values[f.custom_id][: f.max_length]) if values.get(f.custom_id) else f for f in form.fields
    )
    return Form(form.custom_id, form.title, fields)


@group.command(name="delete", description="Delete a custom command (organisers)")
@app_commands.autocomplete(name=command_choices)
async def delete(interaction: discord.Interaction, name: Name):
    await forward(interaction)


@group.command(name="list", description="This server's custom commands")
async def list_(interaction: discord.Interaction):
    await forward(interaction)


@opens(SCHEDULE_FORM)
@schedule_group.command(name="create", description="Schedule a message (opens a form)")
@app_commands.describe(
    channel="Where it posts (default: here)",
    grace="After an outage, post what was missed by at most this many minutes (default 60)",
    mention="A role the post may ping; other mentions never ping",
)
async def schedule_create(
    interaction: discord.Interaction,
    channel: discord.TextChannel | None = None,
    grace: app_commands.Range[int, 0, 10080] | None = None,
    mention: discord.Role | None = None,
):
    if not await may_open(interaction):
        await refuse(interaction, REFUSAL)
        return
    form = SCHEDULE.build(
        channel_id=channel.id if channel else 0,
        grace="" if grace is None else str(grace),
        mention=str(mention.id) if mention else "",
    )
    await open_form(interaction, form)


@opens(SCHEDULE_EDIT_FORM)
@schedule_group.command(name="edit", description="Change a scheduled message (opens its form; options left out stay)")
@app_commands.describe(
    schedule="The number /schedule list shows",
    channel="Where it posts (default: where it posts now)",
    grace="After an outage, post what was missed by at most this many minutes",
    mention="A role the post may ping (@everyone: none)",
)
async def schedule_edit(
    interaction: discord.Interaction,
    schedule: ScheduleId,
    channel: discord.TextChannel | None = None,
    grace: app_commands.Range[int, 0, 10080] | None = None,
    mention: discord.Role | None = None,
):
    if not await may_open(interaction):
        await refuse(interaction, REFUSAL)
        return
    found = await ScheduledMessage.objects.filter(id=schedule, guild_id=interaction.guild_id).afirst()
    if found is None:
        await refuse(interaction, "This server has no scheduled message with that number; see /schedule list.")
        return
    form = SCHEDULE_EDIT.build(
        schedule_id=found.id,
        channel_id=channel.id if channel else 0,
        grace="" if grace is None else str(grace),
        mention=str(mention.id) if mention else "",
    )
    await open_form(interaction, filled_schedule(form, found))


def filled_schedule(form: Form, schedule: ScheduledMessage) -> Form:
    """The edit form showing the schedule as it is: its next time in its own zone."""
    embed = schedule.embed or {}
    moment = (schedule.next_occurrence_at or schedule.starts_at).astimezone(ZoneInfo(schedule.timezone))
    values = {
        "message": embed.get("description", "") if embed else schedule.content,
        "start": f"{moment:%Y-%m-%d %H:%M}",
        "repeat": recurrence_text(Recurrence(schedule.repeat, tuple(schedule.weekdays), schedule.month_week)),
        "until": schedule.ends_on.isoformat() if schedule.ends_on else "",
        "embed_title": embed.get("title", ""),
    }
    fields = tuple(
        replace(f, default=values[f.custom_id][: f.max_length]) if values.get(f.custom_id) else f for f in form.fields
    )
    return Form(form.custom_id, form.title, fields)


@schedule_group.command(name="list", description="This server's scheduled messages (organisers)")
async def schedule_list(interaction: discord.Interaction):
    await forward(interaction)


@schedule_group.command(name="pause", description="Stop a scheduled message until it is resumed")
async def schedule_pause(interaction: discord.Interaction, schedule: ScheduleId):
    await forward(interaction)


@schedule_group.command(name="resume", description="Resume a paused scheduled message")
async def schedule_resume(interaction: discord.Interaction, schedule: ScheduleId):
    await forward(interaction)


@schedule_group.command(name="delete", description="Delete a scheduled message")
async def schedule_delete(interaction: discord.Interaction, schedule: ScheduleId):
    await forward(interaction)
