"""Overdue tasks in the assignee's daily digest: a section of the shared digest (``core.digests``).

When the member gets a digest from another app that day (Jira's), their overdue tasks ride
in it; otherwise the desk sends a digest of its own at the guild's desk digest hour
(``DeskSettings.digest_hour``, 09:00 by default) on the member's own clock. Either way the
section goes once per member, guild and local date (``DigestDay``'s unique constraint).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone

from core import digests, nudging, outbox
from core.models import Guild, Member
from desk.discord import messages
from desk.models import DeskSettings, DigestDay, Task

LINES = 20


def _overdue(guild_id: int, member_id: int, at: datetime):
    return Task.objects.filter(
        guild_id=guild_id, assignee_id=member_id, status=Task.Status.OPEN, due_at__lte=at
    ).order_by("due_at", "id")


def overdue_lines(guild_id: int, member_id: int, local_date: date) -> list[str]:
    """The member's overdue open tasks in the guild, one line each (the section's lines)."""
    now = timezone.now()
    tasks = list(_overdue(guild_id, member_id, now)[: LINES + 1])
    lines = [messages.task_line(task, now) for task in tasks[:LINES]]
    if len(tasks) > LINES:
        lines.append("…and more: `/task list mine` shows them all.")
    return lines


def take(guild_id: int, member_id: int, local_date: date, key: str) -> bool:
    """Record that the DM ``key`` carries the section for that day; False if one already did."""
    try:
        with transaction.atomic():
            DigestDay.objects.create(guild_id=guild_id, member_id=member_id, local_date=local_date, outbox_key=key)
    except IntegrityError:
        return False
    return True


KEPT = timedelta(days=7)


def prune(now: datetime, batch: int = 5000) -> int:
    """Forget which days' sections went out, after ``KEPT`` (a bounded batch per tick)."""
    old = DigestDay.objects.filter(local_date__lt=(now - KEPT).date()).values_list("id", flat=True)[:batch]
    deleted, _ = DigestDay.objects.filter(id__in=list(old)).delete()
    return deleted


def own_key(guild_id: int, member_id: int, local_date: date) -> str:
    return f"desk:digest:{guild_id}:{member_id}:{local_date.isoformat()}"


def send_own_digests(now: datetime) -> int:
    """Beat tick: the digest of members with overdue tasks whose hour has come and whom no
    other digest carries today; returns how many were written."""
    pairs = set(
        Task.objects.filter(status=Task.Status.OPEN, due_at__lte=now, assignee__isnull=False)
        .values_list("guild_id", "assignee_id")
        .distinct()
    )
    if not pairs:
        return 0
    guilds = {g.id: g for g in Guild.objects.filter(id__in={g for g, _ in pairs})}
    zones = dict(Member.objects.filter(id__in={m for _, m in pairs}).values_list("id", "timezone"))
    hours = dict(DeskSettings.objects.filter(guild_id__in=guilds).values_list("guild_id", "digest_hour"))
    local: dict[tuple[int, int], datetime] = {}
    for guild_id, member_id in pairs:
        guild = guilds.get(guild_id)
        if guild is None:
            continue
        there = now.astimezone(ZoneInfo(zones.get(member_id) or guild.timezone or "UTC"))
        if there.hour >= hours.get(guild_id, DeskSettings._meta.get_field("digest_hour").default):
            local[(guild_id, member_id)] = there
    sent_days = set(
        DigestDay.objects.filter(guild_id__in={g for g, _ in local}, member_id__in={m for _, m in local}).values_list(
            "guild_id", "member_id", "local_date"
        )
    )
    waiting = {pair for pair, there in local.items() if (*pair, there.date()) not in sent_days}
    # Another app's digest will carry the section today; then it waits for that one.
    waiting -= digests.hosted(waiting, at=now)
    allowed = nudging.nudgeable(waiting, at=now)
    written = 0
    for guild_id, member_id in sorted(allowed):
        there = local[(guild_id, member_id)]
        key = own_key(guild_id, member_id, there.date())
        with transaction.atomic():
            lines = overdue_lines(guild_id, member_id, there.date())
            if not lines or not take(guild_id, member_id, there.date(), key):
                continue
            payload = messages.digest_message(guilds[guild_id].name, there, lines)
            outbox.enqueue(key=key, member_id=member_id, guild_id=guild_id, payload=payload)
            written += 1
    return written
