"""How tasks look in Discord: a task's line, /task list, the board, and the DMs.

Times are Discord timestamps, so every reader sees their own local time; names are
mentions (they never ping inside an embed); user text is escaped. DMs go through the
outbox in the caller's transaction with an idempotency key naming one visible effect.
The ``@renderer`` redraws a guild's board (the coalesced refresh of ``core.refresh``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone

from core import outbox
from core.markup import escape, escape_within, timestamp, truncate
from core.refresh import Rendered, renderer
from desk.models import Task, TaskBoard

DESCRIPTION_LIMIT = 4000
COLOUR = 0x5865F2
PRIORITY_MARK = {Task.Priority.HIGH: " ❗", Task.Priority.LOW: " ·low"}
BOARD_KIND = "task_board"
UNASSIGNED = 0


def task_line(task: Task, now: datetime, *, assignee: bool = False) -> str:
    """'`#12` Write the agenda ❗ — due <t:…:R> **(overdue)**', with its assignee if asked."""
    line = f"`#{task.id}` {escape_within(task.title, 120)}{PRIORITY_MARK.get(task.priority, '')}"
    if task.status == Task.Status.DONE:
        line = f"~~{line}~~ done"
    elif task.due_at is not None:
        line += f" — due {timestamp(task.due_at, 'f')}"
        if task.overdue(now):
            line += " **(overdue)**"
    if assignee:
        line += f" → <@{task.assignee_id}>" if task.assignee_id else " (unassigned)"
    return line


def lines_within(lines: list[str], limit: int = DESCRIPTION_LIMIT) -> str:
    """The lines that fit, then '…and N more'."""
    shown: list[str] = []
    used = 0
    for i, line in enumerate(lines):
        rest = len(lines) - i
        if used + len(line) + 1 > limit - 20:
            shown.append(f"…and {rest} more")
            break
        shown.append(line)
        used += len(line) + 1
    return "\n".join(shown)


def task_list(tasks: list[Task], heading: str, now: datetime) -> dict:
    """/task list: the heading (it may hold a mention) above an embed of the tasks."""
    if not tasks:
        return {"content": f"{heading}: none."}
    lines = [task_line(task, now, assignee=True) for task in tasks]
    return {"content": f"{heading}:", "embeds": [{"description": lines_within(lines), "color": COLOUR}]}


def task_detail(task: Task, now: datetime) -> dict:
    fields = [
        {"name": "Assignee", "value": f"<@{task.assignee_id}>" if task.assignee_id else "Nobody", "inline": True},
        {"name": "Due", "value": timestamp(task.due_at, "F") if task.due_at else "No due time", "inline": True},
        {"name": "Priority", "value": task.get_priority_display(), "inline": True},
        {"name": "Status", "value": task.get_status_display(), "inline": True},
    ]
    comments = list(task.comments.order_by("-created_at", "-id")[:5])[::-1]
    if comments:
        text = "\n".join(
            f"<@{c.author_id}> {timestamp(c.created_at, 'R')}: {escape_within(c.text, 180)}" for c in comments
        )
        fields.append({"name": "Latest comments", "value": truncate(text, 1024), "inline": False})
    embed = {"title": truncate(f"#{task.id} {task.title}", 256), "color": COLOUR, "fields": fields}
    if task.details:
        embed["description"] = escape_within(task.details, 2000)
    return {"embeds": [embed]}


# --- DMs ----------------------------------------------------------------------------------


def assigned_key(task: Task) -> str:
    return f"desk:task:{task.id}:assigned:{task.assignee_id}:{int(task.assigned_at.timestamp())}"


def assigned_text(task: Task, by: int) -> str:
    due = f", due {timestamp(task.due_at, 'F')}" if task.due_at else ""
    return f"<@{by}> assigned you task #{task.id}: {escape(task.title)}{due}."


def dm_assigned(task: Task, by: int, guild_name: str) -> None:
    """Tell the assignee a task was given to them (once per assignment)."""
    content = f"{assigned_text(task, by)} (in {escape(guild_name)}; `/task list mine` shows your tasks.)"
    outbox.enqueue(
        key=assigned_key(task), member_id=task.assignee_id, guild_id=task.guild_id, payload={"content": content}
    )


def due_key(task: Task) -> str:
    return f"desk:task:{task.id}:due:{task.assignee_id}:{int(task.due_at.timestamp())}"


def due_text(task: Task, now: datetime) -> str:
    when = "was due" if task.due_at <= now else "is due"
    return (
        f"Task #{task.id}: {escape(task.title)} {when} {timestamp(task.due_at, 'R')} ({timestamp(task.due_at, 'F')})."
    )


def due_reminder(task: Task, now: datetime, guild_name: str) -> outbox.Outgoing:
    content = f"Reminder: {due_text(task, now)} In {escape(guild_name)}: `/task done task:{task.id}` when it is done."
    return outbox.Outgoing(
        key=due_key(task), member_id=task.assignee_id, guild_id=task.guild_id, payload={"content": content}
    )


def digest_message(guild_name: str, local: datetime, lines: list[str]) -> dict:
    title = f"Your tasks for {local:%A} {local.day} {local:%B}: {guild_name}"
    body = "**Overdue tasks**\n" + lines_within(lines, 3900)
    return {"content": "", "embeds": [{"title": truncate(title, 256), "description": body, "color": COLOUR}]}


# --- the board ------------------------------------------------------------------------------


def board_message(guild_id: int, now: datetime) -> dict:
    """The guild's open tasks by assignee (unassigned last), overdue marked."""
    tasks = list(Task.objects.filter(guild_id=guild_id, status=Task.Status.OPEN).order_by("due_at", "id"))
    groups: dict[int, list[Task]] = {}
    for task in sorted(tasks, key=lambda t: (t.due_at is None, t.due_at or now, t.id)):
        groups.setdefault(task.assignee_id or UNASSIGNED, []).append(task)
    order = sorted(groups, key=lambda member: (member == UNASSIGNED, member))
    lines: list[str] = []
    for member in order:
        lines.append(f"**<@{member}>**" if member != UNASSIGNED else "**Unassigned**")
        lines.extend(task_line(task, now) for task in groups[member])
    overdue = sum(task.overdue(now) for task in tasks)
    footer = f"{len(tasks)} open, {overdue} overdue"
    embed = {
        "title": "Open tasks",
        "description": lines_within(lines) if lines else "No open tasks. `/task add` adds one.",
        "color": COLOUR,
        "footer": {"text": footer},
    }
    return {"content": "", "embeds": [embed], "allowed_mentions": {"parse": []}}


def post_board(board: TaskBoard, now: datetime) -> None:
    outbox.enqueue(
        key=board.post_key,
        channel_id=board.channel_id,
        guild_id=board.guild_id,
        payload=board_message(board.guild_id, now),
        refresh=(BOARD_KIND, board.id),
    )


@renderer(BOARD_KIND)
def render_board(board_id: int) -> Rendered | None:
    """The board as it is now (nothing until its post is delivered)."""
    board = TaskBoard.objects.filter(id=board_id).first()
    if board is None or outbox.posted_message_id(board, board.post_key) is None:
        return None
    return Rendered(board.channel_id, board.message_id, board_message(board.guild_id, timezone.now()))


def board_ids(guild_ids: Iterable[int]) -> list[int]:
    return list(TaskBoard.objects.filter(guild_id__in=set(guild_ids)).values_list("id", flat=True))
