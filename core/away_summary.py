"""While you were away: one DM on a member's first day back with what was held for them.

Senders ``core.nudging.hold`` what they did not send a member who was away. The
``away-summary`` beat tick looks at the members with unsummarised rows, a batch of
members at a time: a member whom no away provider names any more, whose own clock reads
``FROM_HOUR`` or later (their first day back, not at midnight), gets ONE DM through the
outbox: the counts per kind in the registered phrases, then up to ``LINES`` held lines and
"and N more". The rows are claimed (the member's row locked, skipping one another tick
holds, then a compare-and-set on ``summarised_at``) in the DM's transaction, so two ticks
send it once; the key names the member and the first row.

The summary is an unsolicited DM, so the built-in rules apply to it: a member who left
the guild or closed their DMs gets nothing, and their held rows are deleted (what they
missed is not saved up for a later return). A member still refused by another app's rule
waits, rows kept, for the next tick.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from functools import reduce
from operator import or_
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q

from core import nudging, outbox
from core.markup import escape
from core.models import Guild, HeldNudge, Member

FROM_HOUR = 8  # the member's local hour from which the summary may go on their first day back
LINES = 10
BATCH = 200  # members per round of queries
LIMIT = 1000  # summaries per tick; the next tick goes on

Pair = nudging.Pair


def send_due(*, now: datetime, batch: int = BATCH, limit: int = LIMIT) -> int:
    """Summarise what was held for each member who is back; returns the DMs queued."""
    pending = HeldNudge.objects.filter(summarised_at__isnull=True)
    sent, after = 0, 0
    while sent < limit:
        members = list(
            pending.filter(member_id__gt=after)
            .order_by("member_id")
            .values_list("member_id", flat=True)
            .distinct()[:batch]
        )
        if not members:
            break
        after = members[-1]
        sent += _summarise(members, now, limit - sent)
    return sent


def _summarise(member_ids: list[int], now: datetime, room: int) -> int:
    pairs = set(
        HeldNudge.objects.filter(summarised_at__isnull=True, member_id__in=member_ids)
        .values_list("guild_id", "member_id")
        .distinct()
    )
    back = frozenset(pairs - nudging.away(pairs, at=now).keys())
    if not back:
        return 0
    gone = set().union(*(rule(back, now) for rule in nudging.BUILT_IN))
    if gone:
        _rows_of(gone).delete()
    allowed = nudging.nudgeable(back - gone, at=now)
    guilds: dict[int, list[int]] = defaultdict(list)
    for guild_id, member_id in sorted(allowed):
        guilds[member_id].append(guild_id)
    zones = _zones(guilds)
    sent = 0
    for member_id, guild_ids in sorted(guilds.items()):
        if sent >= room:
            break
        if now.astimezone(zones[member_id]).hour < FROM_HOUR:
            continue
        sent += _send_one(member_id, guild_ids, now)
    return sent


def _rows_of(pairs: set[Pair]):
    match = reduce(or_, (Q(guild_id=g, member_id=m) for g, m in pairs))
    return HeldNudge.objects.filter(match, summarised_at__isnull=True)


def _zones(guilds: dict[int, list[int]]) -> dict[int, ZoneInfo]:
    """Each member's zone: theirs, else that of the first guild they are summarised for."""
    mine = dict(Member.objects.filter(id__in=list(guilds)).values_list("id", "timezone"))
    theirs = dict(
        Guild.objects.filter(id__in={g for ids in guilds.values() for g in ids}).values_list("id", "timezone")
    )
    return {m: ZoneInfo(mine.get(m) or theirs.get(ids[0]) or "UTC") for m, ids in guilds.items()}


def _send_one(member_id: int, guild_ids: list[int], now: datetime) -> int:
    with transaction.atomic():
        # One tick at a time per member (another holding them sends their summary), so their
        # rows are never split between two DMs.
        if not Member.objects.select_for_update(skip_locked=True).filter(id=member_id).exists():
            return 0
        rows = list(
            HeldNudge.objects.select_for_update(of=("self",))
            .filter(member_id=member_id, guild_id__in=guild_ids, summarised_at__isnull=True)
            .select_related("guild")
            .order_by("held_at", "id")
        )
        if not rows:
            return 0
        claimed = HeldNudge.objects.filter(id__in=[r.id for r in rows], summarised_at__isnull=True)
        if claimed.update(summarised_at=now) != len(rows):
            transaction.set_rollback(True)  # another tick took some of them: it sends them
            return 0
        one_guild = len({r.guild_id for r in rows}) == 1
        outbox.enqueue(
            key=f"away-summary:{member_id}:{rows[0].id}",
            member_id=member_id,
            guild_id=rows[0].guild_id if one_guild else None,  # a guild's organisers see only their own
            payload={"content": summary_text(rows, name_guilds=not one_guild)},
        )
    return 1


def summary_text(rows: list[HeldNudge], *, name_guilds: bool = False) -> str:
    """ "While you were away: 3 Jira issues became due and an event asked for your answer." and the lines."""
    counts = Counter(row.kind for row in rows)
    first = {}
    for i, row in enumerate(rows):
        first.setdefault(row.kind, i)
    kinds = sorted(counts, key=lambda kind: (-counts[kind], first[kind]))
    phrases = [nudging.held_phrase(kind, counts[kind]) for kind in kinds]
    said = phrases[0] if len(phrases) == 1 else f"{', '.join(phrases[:-1])} and {phrases[-1]}"
    lines = [f"**While you were away**: {said}."]
    for row in rows[:LINES]:
        lines.append(f"- {row.text} ({escape(row.guild.name)})" if name_guilds else f"- {row.text}")
    if len(rows) > LINES:
        lines.append(f"and {len(rows) - LINES} more.")
    return "\n".join(lines)[:2000]
