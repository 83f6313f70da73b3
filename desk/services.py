"""The desk's rules: tasks, who may change them, the assignee's DMs and the board.

Anyone creates tasks for themselves and changes their own (assigned to them, or unassigned
ones they created); assigning someone else and changing others' tasks is for *managers*:
the guild's organisers (``core.permissions``) or holders of the desk's task managers role.
Callers say whether the actor manages (``may_manage``), so Discord, the dashboard and the
admin share the rule. Every change of a guild's tasks redraws its board (coalesced).

DMs are unsolicited, so each asks ``core.nudging`` first; one refused while the member is
away is held (``nudging.hold``) for the summary of their first day back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, QuerySet

from core import nudging, outbox
from core.errors import RuleError
from core.models import Guild, GuildMember
from core.permissions import may_organise
from core.refresh import schedule_refresh
from desk.discord import messages
from desk.models import LEAD, DeskSettings, MemberPrefs, Reminding, Task, TaskBoard, TaskComment

Status = Task.Status
NOT_FOUND = "There is no such task in this server."
NOT_YOURS = "Only organisers and task managers can change someone else's task."
ASSIGN_OTHERS = "Only organisers and task managers can give a task to someone else."
TITLE_MAX, DETAILS_MAX, COMMENT_MAX = 200, 2000, 1000
PRIORITIES = tuple(Task.Priority.values)


def settings_of(guild_id: int) -> DeskSettings:
    """The guild's desk settings (the defaults, unsaved, until an organiser changes one)."""
    return DeskSettings.objects.filter(guild_id=guild_id).first() or DeskSettings(guild_id=guild_id)


def may_manage(guild: Guild | None, member_id: int, role_ids: Iterable[int], permissions: int) -> bool:
    """Organisers, and members holding the desk's task managers role."""
    if guild is None:
        return False
    if may_organise(guild, member_id, role_ids, permissions):
        return True
    role = settings_of(guild.id).manager_role_id
    return role is not None and role in {int(r) for r in role_ids}


@dataclass(frozen=True)
class By:
    """Who acts: their member id, and whether they manage the guild's tasks."""

    member_id: int
    manages: bool = False


def _task(task_id, guild_id: int, *, lock: bool = False) -> Task:
    try:
        tasks = Task.objects.filter(id=int(task_id), guild_id=guild_id)
    except (TypeError, ValueError):
        raise RuleError(NOT_FOUND) from None
    task = (tasks.select_for_update() if lock else tasks).select_related("guild").first()
    if task is None:
        raise RuleError(NOT_FOUND)
    return task


def _check_member(guild_id: int, member_id: int) -> None:
    if not GuildMember.objects.filter(guild_id=guild_id, member_id=member_id, left_at__isnull=True).exists():
        raise RuleError(f"<@{member_id}> is not a member of this server.")


def _check_change(task: Task, by: By) -> None:
    own = task.assignee_id == by.member_id or (task.assignee_id is None and task.created_by_id == by.member_id)
    if not (own or by.manages):
        raise RuleError(NOT_YOURS)


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise RuleError("A task needs a title.")
    if len(title) > TITLE_MAX:
        raise RuleError(f"A task's title is at most {TITLE_MAX} characters.")
    return title


def _clean_details(details: str) -> str:
    details = (details or "").strip()
    if len(details) > DETAILS_MAX:
        raise RuleError(f"A task's details are at most {DETAILS_MAX} characters.")
    return details


def _check_priority(priority: str) -> str:
    if priority not in PRIORITIES:
        raise RuleError(f"The priority is one of {', '.join(PRIORITIES)}.")
    return priority


def _check_due(due_at: datetime | None, now: datetime) -> datetime | None:
    if due_at is not None and due_at <= now:
        raise RuleError("The due time is in the past.")
    return due_at


def reminder_choice(guild_id: int, member_id: int) -> str:
    found = MemberPrefs.objects.filter(guild_id=guild_id, member_id=member_id).values_list("reminder", flat=True)
    return found.first() or Reminding.DAY


def _remind_at(task: Task, now: datetime, choice: str | None = None) -> datetime | None:
    """When the due reminder goes: the assignee's lead before the due time; none once that moment passed."""
    if task.status != Status.OPEN or task.assignee_id is None or task.due_at is None:
        return None
    lead = LEAD.get(choice or reminder_choice(task.guild_id, task.assignee_id))
    if lead is None:
        return None
    at = task.due_at - lead
    return at if at > now else None


def _changed(task: Task) -> None:
    """Redraw the guild's board (after the commit, coalesced)."""
    for board_id in messages.board_ids([task.guild_id]):
        schedule_refresh(messages.BOARD_KIND, board_id)


def _tell_assigned(task: Task, by: int, now: datetime) -> None:
    """The DM to an assignee given a task by someone else, or held while they are away."""
    if task.assignee_id is None or task.assignee_id == by:
        return
    if nudging.may_nudge(task.guild_id, task.assignee_id, at=now):
        messages.dm_assigned(task, by, task.guild.name)
        return
    nudging.hold(
        task.guild_id,
        task.assignee_id,
        at=now,
        kind="task_assigned",
        key=messages.assigned_key(task),
        text=messages.assigned_text(task, by),
    )


def add_task(
    guild_id: int,
    by: By,
    *,
    title: str,
    now: datetime,
    assignee_id: int | None = None,
    due_at: datetime | None = None,
    priority: str = Task.Priority.NORMAL,
    details: str = "",
) -> Task:
    """A new task; a member's own unless a manager gives it to someone (or leaves it unassigned)."""
    guild = Guild.objects.filter(id=guild_id).first()
    if guild is None:
        raise RuleError("Muster does not know this server yet; try again in a minute.")
    if assignee_id is None and not by.manages:
        assignee_id = by.member_id
    if assignee_id is not None and assignee_id != by.member_id and not by.manages:
        raise RuleError(ASSIGN_OTHERS)
    if assignee_id is not None:
        _check_member(guild_id, assignee_id)
    task = Task(
        guild=guild,
        title=_clean_title(title),
        details=_clean_details(details),
        priority=_check_priority(priority or Task.Priority.NORMAL),
        created_by_id=by.member_id,
        assignee_id=assignee_id,
        assigned_at=now if assignee_id else None,
        due_at=_check_due(due_at, now),
        created_at=now,
    )
    task.remind_at = _remind_at(task, now)
    with transaction.atomic():
        task.save()
        _tell_assigned(task, by.member_id, now)
        _changed(task)
    return task


def edit_task(task_id, guild_id: int, by: By, *, now: datetime, **changes) -> Task:
    """Change a task's title, details, due time (None: clear it) or priority."""
    unknown = set(changes) - {"title", "details", "due_at", "priority"}
    if unknown:
        raise ValueError(f"not a task field: {sorted(unknown)}")
    if not changes:
        raise RuleError("Nothing to change: give at least one option.")
    with transaction.atomic():
        task = _task(task_id, guild_id, lock=True)
        _check_change(task, by)
        if "title" in changes:
            task.title = _clean_title(changes["title"])
        if "details" in changes:
            task.details = _clean_details(changes["details"])
        if "priority" in changes:
            task.priority = _check_priority(changes["priority"])
        if "due_at" in changes:
            task.due_at = _check_due(changes["due_at"], now)
            task.remind_at = _remind_at(task, now)
        task.save()
        _changed(task)
    return task


def assign(task_id, guild_id: int, by: By, *, assignee_id: int | None, now: datetime) -> Task:
    """Give the task to a member (None: nobody); the new assignee is told unless they did it."""
    with transaction.atomic():
        task = _task(task_id, guild_id, lock=True)
        _check_change(task, by)
        if assignee_id is not None and assignee_id != by.member_id and not by.manages:
            raise RuleError(ASSIGN_OTHERS)
        if assignee_id is None and not by.manages:
            raise RuleError("Only organisers and task managers can leave a task unassigned.")
        if assignee_id == task.assignee_id:
            who = f"<@{assignee_id}>" if assignee_id else "nobody"
            raise RuleError(f"Task #{task.id} is already assigned to {who}.")
        if assignee_id is not None:
            _check_member(guild_id, assignee_id)
        task.assignee_id = assignee_id
        task.assigned_at = now if assignee_id else None
        task.remind_at = _remind_at(task, now)
        task.save()
        if task.status == Status.OPEN:
            _tell_assigned(task, by.member_id, now)
        _changed(task)
    return task


def set_done(task_id, guild_id: int, by: By, *, done: bool, now: datetime) -> Task:
    """Mark a task done (or open again: ``done=False``)."""
    with transaction.atomic():
        task = _task(task_id, guild_id, lock=True)
        _check_change(task, by)
        wanted = Status.DONE if done else Status.OPEN
        if task.status == wanted:
            raise RuleError(f"Task #{task.id} is already {'done' if done else 'open'}.")
        task.status = wanted
        task.done_at, task.done_by_id = (now, by.member_id) if done else (None, None)
        task.remind_at = _remind_at(task, now)
        task.save()
        _changed(task)
    return task


def comment(task_id, guild_id: int, by: By, *, text: str, now: datetime) -> TaskComment:
    """Anyone in the guild comments on a task."""
    text = (text or "").strip()
    if not text:
        raise RuleError("A comment needs some text.")
    if len(text) > COMMENT_MAX:
        raise RuleError(f"A comment is at most {COMMENT_MAX} characters.")
    task = _task(task_id, guild_id)
    return TaskComment.objects.create(task=task, author_id=by.member_id, text=text, created_at=now)


def tasks_of(guild_id: int, *, assignee_id: int | None = None, status: str | None = Status.OPEN) -> QuerySet:
    """A guild's tasks, of one assignee if named, open (default), done (``"done"``) or all (None)."""
    tasks = Task.objects.filter(guild_id=guild_id)
    if assignee_id is not None:
        tasks = tasks.filter(assignee_id=assignee_id)
    if status is not None:
        tasks = tasks.filter(status=status)
    if status == Status.DONE:
        return tasks.order_by("-done_at", "-id")
    return tasks.order_by(F("due_at").asc(nulls_last=True), "id")


def set_reminder(guild_id: int, member_id: int, choice: str, *, now: datetime) -> int:
    """A member's reminder before their tasks' due times in a guild; returns their open tasks with a due time."""
    if choice not in Reminding.values:
        raise RuleError("The reminder is 1d, 1h or none.")
    with transaction.atomic():
        MemberPrefs.objects.update_or_create(guild_id=guild_id, member_id=member_id, defaults={"reminder": choice})
        tasks = list(
            Task.objects.select_for_update().filter(
                guild_id=guild_id, assignee_id=member_id, status=Status.OPEN, due_at__isnull=False
            )
        )
        for task in tasks:
            task.remind_at = _remind_at(task, now, choice)
        Task.objects.bulk_update(tasks, ["remind_at"])
    return len(tasks)


def configure(guild_id: int, **changes) -> DeskSettings:
    """An organiser's desk settings: ``manager_role_id`` (None: no such role), ``digest_hour``."""
    unknown = set(changes) - {"manager_role_id", "digest_hour"}
    if unknown:
        raise ValueError(f"not a desk setting: {sorted(unknown)}")
    if "digest_hour" in changes and not 0 <= int(changes["digest_hour"]) <= 23:
        raise RuleError("The digest hour is from 0 to 23.")
    found, _ = DeskSettings.objects.update_or_create(guild_id=guild_id, defaults=changes)
    return found


def place_board(guild_id: int, channel_id: int, *, now: datetime) -> TaskBoard:
    """Post the guild's task board in a channel (a new post; the old one stops being updated)."""
    with transaction.atomic():
        board = TaskBoard.objects.select_for_update().filter(guild_id=guild_id).first()
        if board is None:
            board = TaskBoard.objects.create(guild_id=guild_id, channel_id=channel_id)
        else:
            board.channel_id, board.message_id, board.version = channel_id, None, board.version + 1
            board.save()
        messages.post_board(board, now)
    return board


# --- the due reminders (the beat tick) ------------------------------------------------------

REMINDERS_PER_TICK = 500


def send_due_reminders(now: datetime) -> int:
    """DM each assignee whose task's reminder time has come (claimed by compare-and-set: once);
    a reminder refused while they are away is held for their summary. Returns the DMs written."""
    due = list(
        Task.objects.filter(status=Status.OPEN, remind_at__lte=now, assignee__isnull=False, due_at__isnull=False)
        .select_related("guild")
        .order_by("remind_at")[:REMINDERS_PER_TICK]
    )
    allowed = nudging.nudgeable({(t.guild_id, t.assignee_id) for t in due}, at=now)
    outgoing, held = [], []
    # The claim and the DMs commit together: a worker lost halfway leaves the reminders to the next tick.
    with transaction.atomic():
        for task in due:
            if not Task.objects.filter(id=task.id, remind_at=task.remind_at).update(remind_at=None):
                continue  # another tick took it, or the task changed since it was read
            if (task.guild_id, task.assignee_id) in allowed:
                outgoing.append(messages.due_reminder(task, now, task.guild.name))
            else:  # held for their first day back if they are away; else (they left, DMs closed) dropped
                text = messages.due_text(task, now)
                held.append(nudging.Held(task.guild_id, task.assignee_id, "task_due", messages.due_key(task), text))
        nudging.hold_many(held, at=now)
        return outbox.enqueue_many(outgoing)


def refresh_boards_of_newly_overdue(now: datetime, window: timedelta = timedelta(minutes=3)) -> int:
    """Redraw the boards of guilds where a task became overdue within ``window`` (its mark appears)."""
    guilds = Task.objects.filter(status=Status.OPEN, due_at__gt=now - window, due_at__lte=now).values_list(
        "guild_id", flat=True
    )
    ids = messages.board_ids(guilds)
    for board_id in ids:
        schedule_refresh(messages.BOARD_KIND, board_id)
    return len(ids)
