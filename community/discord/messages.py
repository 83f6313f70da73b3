"""How custom commands and schedules look in Discord: the forms' ids, the lists.

The answers of a custom command and the posts of a schedule are rendered by
``community.responses``; this module holds what Muster itself says about them.
"""

from __future__ import annotations

from datetime import datetime

from community.models import CustomCommand, GuildCommandSync, ScheduledMessage
from core.interactions import CustomId
from core.markup import escape, timestamp, truncate

# /custom create and /custom edit open one form; the command's options ride in its id
# (command_id 0: a new command; an empty part: the default, or on an edit what it was).
SAVE_FORM = CustomId("custom:save:{command_id:int}:{private}:{cooldown}:{slash}:{role}:{mention}:{colour}")
# /schedule create's form: its options ride in the id (grace minutes, a role it may ping).
SCHEDULE_FORM = CustomId("schedule:create:{channel_id:int}:{grace}:{mention}")
# /schedule edit's form: the schedule, then options as for create (0 or "": keep what it was).
SCHEDULE_EDIT_FORM = CustomId("schedule:edit:{schedule_id:int}:{channel_id:int}:{grace}:{mention}")


def slash_state(command: CustomCommand, sync: GuildCommandSync | None) -> str:
    """Where /<name> stands: registered, waiting, or why not."""
    if not command.slash_command:
        return ""
    if command.slash_error:
        return f" (/{command.name} not registered: {truncate(command.slash_error, 200)})"
    if command.slash_registered_at is None or (sync and sync.due_at is not None):
        return f" (/{command.name} is being registered)"
    return f" (also /{command.name})"


def command_list(commands: list[CustomCommand], sync: GuildCommandSync | None) -> str:
    if not commands:
        return "This server has no custom commands yet. Organisers add them with /custom create."
    lines = [
        f"**{c.name}**: {escape(truncate(c.description, 100))}{' (private)' if c.private else ''}{slash_state(c, sync)}"
        for c in commands
    ]
    return truncate("\n".join(lines), 2000)


def occurrence_list(moments: list[datetime]) -> str:
    return "\n".join(f"- {timestamp(m, 'F')}" for m in moments)


def schedule_line(schedule: ScheduledMessage, skipped: int) -> str:
    preview = truncate((schedule.content or schedule.embed.get("title") or "").replace("\n", " "), 60)
    if schedule.status == ScheduledMessage.Status.ACTIVE and schedule.next_occurrence_at:
        state = f"next {timestamp(schedule.next_occurrence_at, 'F')}"
    elif schedule.status == ScheduledMessage.Status.PAUSED:
        state = f"paused{': ' + schedule.paused_reason if schedule.paused_reason else ''}"
    else:
        state = "finished"
    missed = f"; {skipped} skipped (missed by more than {schedule.grace_minutes} min)" if skipped else ""
    return f"**{schedule.id}** in <#{schedule.channel_id}>, {schedule.repeat}: {state}{missed}. {escape(preview)}"


def schedule_list(schedules: list[ScheduledMessage], skipped: dict[int, int]) -> str:
    if not schedules:
        return "This server has no scheduled messages. Organisers add them with /schedule create."
    return truncate("\n".join(schedule_line(s, skipped.get(s.id, 0)) for s in schedules), 2000)
