"""/task, declared for the gateway. The work happens in ``desk.discord.handlers``."""

from __future__ import annotations

import discord
from discord import app_commands

from core.interactions.declare import forward
from desk.models import Reminding, Task

group = app_commands.Group(name="task", description="Tasks: who does what by when", guild_only=True)

# Discord-side bounds; desk.services refuses the same with a sentence.
TaskId = app_commands.Range[int, 1, 2**53 - 1]
Title = app_commands.Range[str, 1, 200]
Details = app_commands.Range[str, 1, 2000]
Comment = app_commands.Range[str, 1, 1000]
TypedTime = app_commands.Range[str, 1, 40]
DigestHour = app_commands.Range[int, 0, 23]
DUE_HELP = "When it is due, in your time zone: friday 17:00, 2026-12-10, tomorrow 9am, in 3 days"
PRIORITIES = [app_commands.Choice(name=label, value=value) for value, label in Task.Priority.choices]
WHOSE = [app_commands.Choice(name="Mine", value="mine"), app_commands.Choice(name="Everyone's", value="all")]
STATES = [
    app_commands.Choice(name="Open", value="open"),
    app_commands.Choice(name="Done", value="done"),
    app_commands.Choice(name="Both", value="any"),
]
REMINDERS = [app_commands.Choice(name=label, value=value) for value, label in Reminding.choices]


async def _choices(interaction: discord.Interaction, current: str, status: str) -> list[app_commands.Choice[int]]:
    tasks = Task.objects.filter(guild_id=interaction.guild_id, status=status)
    typed = current.strip().lstrip("#")
    tasks = tasks.filter(id=int(typed)) if typed.isdigit() else tasks.filter(title__icontains=typed)
    found = tasks.order_by("due_at", "id")[:25]
    return [app_commands.Choice(name=f"#{t.id} {t.title}"[:100], value=t.id) async for t in found]


async def open_task_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[int]]:
    """Open tasks of this guild whose title (or number) matches what is typed."""
    return await _choices(interaction, current, Task.Status.OPEN)


async def done_task_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[int]]:
    return await _choices(interaction, current, Task.Status.DONE)


@group.command(name="add", description="Add a task (yours, unless you manage tasks and name someone)")
@app_commands.describe(
    title="What is to be done",
    assignee="Who does it (default: you; someone else: organisers and task managers)",
    due=DUE_HELP,
    priority="How urgent (default: normal)",
    details="More about it",
)
@app_commands.choices(priority=PRIORITIES)
async def add(
    interaction: discord.Interaction,
    title: Title,
    assignee: discord.Member | None = None,
    due: TypedTime | None = None,
    priority: str | None = None,
    details: Details | None = None,
):
    await forward(interaction)


@group.command(name="list", description="Tasks: yours, a member's or everyone's")
@app_commands.describe(
    whose="Yours (default) or everyone's", member="A member's tasks", status="Open (default) or done"
)
@app_commands.choices(whose=WHOSE, status=STATES)
async def list_(
    interaction: discord.Interaction,
    whose: str | None = None,
    member: discord.Member | None = None,
    status: str | None = None,
):
    await forward(interaction)


@group.command(name="show", description="A task with its latest comments")
@app_commands.autocomplete(task=open_task_choices)
async def show(interaction: discord.Interaction, task: TaskId):
    await forward(interaction)


@group.command(name="done", description="Mark a task done")
@app_commands.autocomplete(task=open_task_choices)
async def done(interaction: discord.Interaction, task: TaskId):
    await forward(interaction)


@group.command(name="reopen", description="Open a done task again")
@app_commands.autocomplete(task=done_task_choices)
async def reopen(interaction: discord.Interaction, task: TaskId):
    await forward(interaction)


@group.command(name="assign", description="Give a task to a member (someone else: organisers and task managers)")
@app_commands.describe(member="Who does it now")
@app_commands.autocomplete(task=open_task_choices)
async def assign(interaction: discord.Interaction, task: TaskId, member: discord.Member):
    await forward(interaction)


@group.command(name="edit", description="Change a task's title, due time, priority or details")
@app_commands.describe(due=DUE_HELP + "; none removes it")
@app_commands.choices(priority=PRIORITIES)
@app_commands.autocomplete(task=open_task_choices)
async def edit(
    interaction: discord.Interaction,
    task: TaskId,
    title: Title | None = None,
    due: TypedTime | None = None,
    priority: str | None = None,
    details: Details | None = None,
):
    await forward(interaction)


@group.command(name="comment", description="Comment on a task")
@app_commands.autocomplete(task=open_task_choices)
async def comment(interaction: discord.Interaction, task: TaskId, text: Comment):
    await forward(interaction)


@group.command(name="settings", description="Your task reminder; organisers: the task managers role, digest hour")
@app_commands.describe(
    reminder="Your DM before a task's due time",
    managers="Organisers: the role that may assign and edit anyone's tasks",
    no_managers="Organisers: remove the task managers role",
    digest_hour="Organisers: the hour (each member's clock) of the overdue-tasks digest",
)
@app_commands.choices(reminder=REMINDERS)
async def settings(
    interaction: discord.Interaction,
    reminder: str | None = None,
    managers: discord.Role | None = None,
    no_managers: bool = False,
    digest_hour: DigestHour | None = None,
):
    await forward(interaction)


@group.command(name="board", description="Post the board of open tasks in a channel (kept up to date)")
@app_commands.describe(channel="Where to post it")
async def board(interaction: discord.Interaction, channel: discord.TextChannel):
    await forward(interaction)
