"""Worker-side handlers of /task: read the interaction, call one service, say what happened."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from core.errors import RuleError
from core.interactions import Interaction, Reply, command
from core.markup import escape
from core.models import Guild
from core.permissions import REFUSAL, organiser
from core.timeparse import TimeParseError, day_first, describe, member_zone, parse_local_time
from desk import services
from desk.discord import messages
from desk.models import Reminding, Task
from desk.services import By

LISTED = 50
REMINDER_TEXT = {
    Reminding.DAY: "a DM 1 day before the due time",
    Reminding.HOUR: "a DM 1 hour before the due time",
    Reminding.NONE: "none",
}
# A date alone ("friday", "2026-12-10") is due at this time of that day, on the member's clock.
DATE_ONLY_AT = "17:00"
# What core.timeparse says of a day typed without a time of day.
DAY_WITHOUT_TIME = "I read the day but not the time of day"


def _by(interaction: Interaction) -> By:
    guild = Guild.objects.filter(id=interaction.guild_id).first()
    actor = interaction.actor
    return By(actor.id, services.may_manage(guild, actor.id, actor.role_ids, actor.permissions))


def read_due(text: str, interaction: Interaction, now: datetime) -> datetime:
    """A due time typed in the actor's zone; a date without a time of day is due at 17:00 that day."""
    zone, dmy = member_zone(interaction.actor.id, interaction.guild_id), day_first(interaction.guild_id)
    try:
        return parse_local_time(text, zone, now=now, field="due time", day_first=dmy)
    except TimeParseError as unread:
        if DAY_WITHOUT_TIME not in str(unread):
            raise
    # A day alone: its 17:00 (a refusal now says how it was read: "... 17:00 (Europe/Paris) is in the past").
    return parse_local_time(f"{text} {DATE_ONLY_AT}", zone, now=now, field="due time", day_first=dmy)


def _due_echo(task: Task, interaction: Interaction) -> str:
    if task.due_at is None:
        return ""
    return f", due {describe(task.due_at, member_zone(interaction.actor.id, interaction.guild_id))}"


@command("task add")
def add(interaction: Interaction) -> Reply:
    options, now = interaction.options, timezone.now()
    due = read_due(options["due"], interaction, now) if options.get("due") else None
    task = services.add_task(
        interaction.guild_id,
        _by(interaction),
        title=options["title"],
        assignee_id=int(options["assignee"]) if options.get("assignee") else interaction.actor.id,
        due_at=due,
        priority=options.get("priority") or Task.Priority.NORMAL,
        details=options.get("details") or "",
        now=now,
    )
    whose = "yours" if task.assignee_id == interaction.actor.id else f"assigned to <@{task.assignee_id}>"
    told = " (told by DM)" if task.assignee_id not in (None, interaction.actor.id) else ""
    return Reply(
        content=f"Added task #{task.id}: {escape(task.title)}, {whose}{told}{_due_echo(task, interaction)}.",
        allowed_mentions={"parse": []},
    )


@command("task list")
def list_tasks(interaction: Interaction) -> Reply:
    options = interaction.options
    status = {"open": Task.Status.OPEN, "done": Task.Status.DONE, "any": None}[options.get("status") or "open"]
    if options.get("member"):
        assignee = int(options["member"])
        whose = "Your" if assignee == interaction.actor.id else f"<@{assignee}>'s"
    elif options.get("whose") == "all":
        assignee, whose = None, "Everyone's"
    else:
        assignee, whose = interaction.actor.id, "Your"
    tasks = list(services.tasks_of(interaction.guild_id, assignee_id=assignee, status=status)[:LISTED])
    state = {Task.Status.OPEN: " open", Task.Status.DONE: " done", None: ""}[status]
    return Reply(**messages.task_list(tasks, f"{whose}{state} tasks", timezone.now()), allowed_mentions={"parse": []})


@command("task show")
def show(interaction: Interaction) -> Reply:
    task = services._task(interaction.options["task"], interaction.guild_id)
    return Reply(**messages.task_detail(task, timezone.now()), allowed_mentions={"parse": []})


@command("task done")
def done(interaction: Interaction) -> Reply:
    task = services.set_done(
        interaction.options["task"], interaction.guild_id, _by(interaction), done=True, now=timezone.now()
    )
    return Reply(content=f"Task #{task.id} is done: {escape(task.title)}.")


@command("task reopen")
def reopen(interaction: Interaction) -> Reply:
    task = services.set_done(
        interaction.options["task"], interaction.guild_id, _by(interaction), done=False, now=timezone.now()
    )
    return Reply(content=f"Task #{task.id} is open again: {escape(task.title)}.")


@command("task assign")
def assign(interaction: Interaction) -> Reply:
    member_id = int(interaction.options["member"])
    task = services.assign(
        interaction.options["task"], interaction.guild_id, _by(interaction), assignee_id=member_id, now=timezone.now()
    )
    told = " (told by DM)" if member_id != interaction.actor.id else ""
    return Reply(content=f"Task #{task.id} is now <@{member_id}>'s{told}.", allowed_mentions={"parse": []})


@command("task edit")
def edit(interaction: Interaction) -> Reply:
    options, now = interaction.options, timezone.now()
    changes: dict = {}
    for name in ("title", "priority", "details"):
        if options.get(name) is not None:
            changes[name] = options[name]
    if options.get("due"):
        typed = options["due"].strip()
        changes["due_at"] = None if typed.lower() in ("none", "no", "-") else read_due(typed, interaction, now)
    task = services.edit_task(options["task"], interaction.guild_id, _by(interaction), now=now, **changes)
    due = ""
    if "due_at" in changes:
        due = (
            _due_echo(task, interaction).replace(", due", " It is due") + "." if task.due_at else " It has no due time."
        )
    return Reply(content=f"Updated task #{task.id}: {escape(task.title)}.{due}")


@command("task comment")
def comment(interaction: Interaction) -> Reply:
    options = interaction.options
    note = services.comment(
        options["task"], interaction.guild_id, _by(interaction), text=options["text"], now=timezone.now()
    )
    return Reply(content=f"Commented on task #{note.task_id}.")


@command("task settings")
def settings(interaction: Interaction) -> Reply:
    options, now = interaction.options, timezone.now()
    said: list[str] = []
    guild_changes: dict = {}
    if options.get("managers"):
        guild_changes["manager_role_id"] = int(options["managers"])
    if options.get("no_managers"):
        if "manager_role_id" in guild_changes:
            raise RuleError("Give managers or no_managers, not both.")
        guild_changes["manager_role_id"] = None
    if options.get("digest_hour") is not None:
        guild_changes["digest_hour"] = int(options["digest_hour"])
    if guild_changes:
        if not organiser(interaction):
            raise RuleError(REFUSAL)
        found = services.configure(interaction.guild_id, **guild_changes)
        role = f"<@&{found.manager_role_id}>" if found.manager_role_id else "none (organisers only)"
        said.append(
            f"Task managers: {role}. The overdue digest goes at {found.digest_hour:02d}:00 on each member's clock."
        )
    if options.get("reminder"):
        services.set_reminder(interaction.guild_id, interaction.actor.id, options["reminder"], now=now)
    choice = services.reminder_choice(interaction.guild_id, interaction.actor.id)
    said.append(f"Your task reminder: {REMINDER_TEXT[choice]}.")
    return Reply(content=" ".join(said), allowed_mentions={"parse": []})


@command("task board", allowed=organiser)
def board(interaction: Interaction) -> Reply:
    channel_id = int(interaction.options["channel"])
    services.place_board(interaction.guild_id, channel_id, now=timezone.now())
    return Reply(content=f"The task board is posted in <#{channel_id}>; it follows every change of the open tasks.")
