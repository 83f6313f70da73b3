"""Non-responders: members expected to answer an event who have not, nudged by DM (a sub-domain of ``events.services``).

An event names who is expected (``Event.expected_role_id``: a role, or the guild's own id,
Discord's @everyone, for everyone) and when they are nudged (``Nudge`` rows: offsets
before registration closes, the signup deadline or else the start). Each due nudge DMs
every expected member with no registration of any kind (going, maybe, can't go,
waitlisted) the event and its buttons, once: the outbox key names the event, the offset
and the member, and who has answered is read when the tick sends, so an answer given in
the meantime stops the DM. Every DM first asks ``core.nudging`` whether the member may be
nudged now (in the guild, DMs open, and whatever rules other apps add). A member refused
because they are away (leave, a public holiday) has the event held for them instead
(``core.nudging.hold``, once per event whatever the nudge times): their "While you were
away" summary names it on their first day back.

``send_due`` (the beat tick) does its work in a bounded number of queries whatever the
number of events and members; ``nudge_now`` is ``/event nudge``: one nudge at once, by an
organiser, at most once per ``NUDGE_NOW_EVERY`` (a double click sends once).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction

from core import nudging, outbox
from core.errors import RuleError
from core.models import GuildMember
from core.refresh import schedule_refresh
from events.discord import messages
from events.models import Event, Nudge, Registration

NUDGE_NOW_EVERY = timedelta(minutes=10)
HELD_KIND = "event_nudge"


def register_held_kind() -> None:
    """What a member away missed, for their summary (called by ``EventsConfig.ready``)."""
    nudging.register_held_kind(HELD_KIND, "an event asked for your answer", "{n} events asked for your answer")


UNSET = object()  # an edit that leaves who is expected as it is


@dataclass(frozen=True)
class Expected:
    """Who is expected to answer (a role id, or the guild's id for everyone) and when they are nudged."""

    role_id: int | None = None
    offsets: tuple[timedelta, ...] = ()


NOBODY = Expected()


def check_expected(role_id: int | None, offsets: Iterable[timedelta]) -> None:
    if tuple(offsets) and role_id is None:
        raise RuleError("Nudges need someone to nudge: say who is expected (a role, or everyone).")


NOBODY_EXPECTED = "Nobody is expected at this event: say who is (a role or everyone) with /event edit expected:<role>."


def set_nudges(event: Event, offsets: Iterable[timedelta], *, now: datetime) -> tuple[timedelta, ...]:
    """Make the event's nudges exactly ``offsets`` before registration closes; ones already
    sent stay sent. A new one whose time has passed is skipped, not sent late; returns those."""
    wanted = set(offsets)
    if any(offset <= timedelta(0) for offset in wanted):
        raise RuleError("Nudges go before registration closes: offsets must be positive.")
    event.nudges.exclude(offset__in=wanted).delete()
    existing = set(event.nudges.values_list("offset", flat=True))
    closes = event.registration_closes_at
    added = [Nudge(event=event, offset=offset, due_at=closes - offset) for offset in wanted - existing]
    for nudge in added:
        if nudge.due_at <= now:
            nudge.sent_at, nudge.skipped = now, True
    Nudge.objects.bulk_create(added)
    return tuple(sorted(nudge.offset for nudge in added if nudge.skipped))


def follow_close(event: Event, *, now: datetime) -> None:
    """Registration's close moved (a new start or deadline): unsent nudges move with it,
    and one whose new time has passed is skipped. A sent nudge is not sent again."""
    closes = event.registration_closes_at
    for nudge in event.nudges.filter(sent_at__isnull=True):
        nudge.due_at = closes - nudge.offset
        if nudge.due_at <= now:
            nudge.sent_at, nudge.skipped = now, True
        nudge.save(update_fields=["due_at", "sent_at", "skipped"])


def expected_changed(event: Event) -> None:
    """Who is expected changed: the post's "answered" line is redrawn."""
    schedule_refresh("event", event.id)


def unanswered(events: list[Event]) -> dict[int, list[int]]:
    """Per event, the expected members who have not answered, in id order (two queries for all)."""
    expecting = [event for event in events if event.expected_role_id is not None]
    if not expecting:
        return {}
    answered: dict[int, set[int]] = {}
    for event_id, member_id in Registration.objects.filter(event__in=expecting).values_list("event_id", "member_id"):
        answered.setdefault(event_id, set()).add(member_id)
    current = GuildMember.objects.filter(guild_id__in={e.guild_id for e in expecting}, left_at__isnull=True)
    roles: dict[int, list[tuple[int, set[int]]]] = {}
    for guild_id, member_id, role_ids in current.values_list("guild_id", "member_id", "role_ids").order_by("member_id"):
        roles.setdefault(guild_id, []).append((member_id, {int(r) for r in role_ids or ()}))
    result = {}
    for event in expecting:
        everyone = event.expected_role_id == event.guild_id
        done = answered.get(event.id, set())
        result[event.id] = [
            member_id
            for member_id, held in roles.get(event.guild_id, [])
            if (everyone or event.expected_role_id in held) and member_id not in done
        ]
    return result


def _open(event: Event, now: datetime) -> bool:
    return event.status == Event.Status.SCHEDULED and now < event.registration_closes_at


def _dms(event: Event, members: Iterable[int], key: str) -> list[outbox.Outgoing]:
    payload = messages.nudge_message(event)
    return [
        outbox.Outgoing(key=f"{key}:{member_id}", member_id=member_id, guild_id=event.guild_id, payload=payload)
        for member_id in members
    ]


def _held(event: Event, members: Iterable[int]) -> list[nudging.Held]:
    text = messages.nudge_held_line(event)
    key = f"event-nudge:{event.id}"
    return [nudging.Held(event.guild_id, member_id, HELD_KIND, key, text) for member_id in members]


def send_due(*, now: datetime, batch: int = 500) -> int:
    """Claim each due nudge once and DM the expected members who have not answered; returns DMs queued.

    Nudges are locked (skipping those another tick holds) and marked sent in the same
    transaction as their DMs; about eight queries per tick, not per event or member.
    """
    with transaction.atomic():
        due = list(
            Nudge.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(sent_at__isnull=True, due_at__lte=now)
            .select_related("event")
            .order_by("due_at", "id")[:batch]
        )
        if not due:
            return 0
        Nudge.objects.filter(id__in=[nudge.id for nudge in due]).update(sent_at=now)
        events = {nudge.event_id: nudge.event for nudge in due if _open(nudge.event, now)}
        waiting = unanswered(list(events.values()))
        pairs = {(events[e].guild_id, m) for e, members in waiting.items() for m in members}
        allowed = nudging.nudgeable(pairs, at=now)
        outgoing, held = [], []
        for nudge in due:
            event = events.get(nudge.event_id)
            if event is None:
                continue
            members = [m for m in waiting.get(event.id, []) if (event.guild_id, m) in allowed]
            outgoing += _dms(event, members, f"event-nudge:{event.id}:{int(nudge.offset.total_seconds())}")
            held += _held(event, [m for m in waiting.get(event.id, []) if (event.guild_id, m) not in allowed])
        nudging.hold_many(held, at=now)  # those refused because they are away
        return outbox.enqueue_many(outgoing)


@dataclass(frozen=True)
class NudgedNow:
    """What ``/event nudge`` did: DMs queued now, or when the last nudge by hand went."""

    sent: int
    expected: int
    unanswered: int
    earlier: datetime | None = None  # a nudge by hand within NUDGE_NOW_EVERY: nothing sent


@transaction.atomic
def nudge_now(event_id: int, *, now: datetime, guild_id: int | None = None) -> NudgedNow:
    """Nudge the event's expected members who have not answered, now (``/event nudge``)."""
    events = Event.objects.select_for_update()
    event = (events.filter(guild_id=guild_id) if guild_id is not None else events).filter(id=event_id).first()
    if event is None:
        raise RuleError("There is no such event in this server.")
    if event.status == Event.Status.CANCELLED:
        raise RuleError("This event is cancelled.")
    if now >= event.registration_closes_at:
        raise RuleError("Registration for this event is closed: there is nothing left to answer.")
    if event.expected_role_id is None:
        raise RuleError(NOBODY_EXPECTED)
    expected = event.expected_members()
    waiting = unanswered([event]).get(event.id, [])
    if event.nudged_now_at is not None and now - event.nudged_now_at < NUDGE_NOW_EVERY:
        return NudgedNow(0, len(expected), len(waiting), earlier=event.nudged_now_at)
    event.nudged_now_at = now
    event.save(update_fields=["nudged_now_at", "updated_at"])
    members = sorted(nudging.nudgeable_members(event.guild_id, waiting, at=now))
    nudging.hold_many(_held(event, sorted(set(waiting) - set(members))), at=now)
    sent = outbox.enqueue_many(_dms(event, members, f"event-nudge:{event.id}:now{int(now.timestamp())}"))
    return NudgedNow(sent, len(expected), len(waiting))
