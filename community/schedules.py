"""Scheduled messages: the rules, as plain functions (a sub-domain of ``community.services``).

Stable signatures (the REST API builds on them):

- ``parse_recurrence(text) -> Recurrence`` ("once", "daily", "weekly mon,thu", "monthly",
  "monthly 2nd tue", "monthly last fri")
- ``create_schedule(guild, draft, *, created_by_id=None, now) -> ScheduledMessage``
- ``update_schedule(schedule, draft, *, now) -> ScheduledMessage``
- ``upcoming(plan, *, after, count=5) -> list[datetime]`` and ``preview(guild, draft, *, now)``
- ``pause_schedule(schedule, *, now, reason)``, ``resume_schedule(schedule, *, now)``,
  ``delete_schedule(schedule)``
- ``post_due(*, now) -> int`` (the beat tick)

Times repeat on the wall clock of the schedule's zone (the guild's when created), so a
09:00 daily post stays at 09:00 across DST: python-dateutil's ``rrule`` runs over naive
local times and each is placed in the zone afterwards (``core.recurrence``, shared with
event series). A time the clocks skip that day (02:30 when they jump from 02:00 to 03:00)
posts at the same offset after the jump (03:30); a time that happens twice posts at the first.

Each occurrence is claimed once by a compare-and-set on ``next_occurrence_at`` and
recorded once (``Occurrence``, unique per schedule and time); its post goes through the
outbox under the key ``schedule:<id>:at:<time>``. Occurrences missed by more than the
schedule's grace window (an outage) are recorded as skipped, never posted late. A channel
that was deleted, or that Muster may no longer post in, pauses the schedule and DMs its
organiser once per pause.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, rrule, weekday
from django.db import transaction
from django.db.models import Q

from community.models import Occurrence, ScheduledMessage
from community.responses import Context, check_response, render
from core import outbox
from core.errors import OUTAGES, RuleError
from core.models import DeliveryPause, Guild, OutboundMessage
from core.recurrence import ORDINALS, WEEKDAYS, instants_after, weekday_index

log = logging.getLogger(__name__)

Repeat = ScheduledMessage.Repeat
Status = ScheduledMessage.Status
MAX_GRACE_MINUTES = 7 * 24 * 60
MAX_CATCH_UP = 1000  # occurrences looked at in one claim (three years of a daily post)
RECURRENCE_HELP = 'Write once, daily, weekly (or "weekly mon,thu"), monthly (or "monthly 2nd tue", "monthly last fri").'


@dataclass(frozen=True)
class Recurrence:
    repeat: str = Repeat.ONCE
    weekdays: tuple[int, ...] = ()  # weekly: the days; monthly with month_week: the one day
    month_week: int | None = None  # 1 to 4, or -1 for the last


@dataclass(frozen=True)
class Plan:
    """When a schedule posts: everything ``rrule`` needs."""

    starts_at: datetime
    zone: ZoneInfo
    recurrence: Recurrence = Recurrence()
    ends_on: date | None = None


@dataclass(frozen=True)
class ScheduleDraft:
    """What an organiser typed for a schedule. ``timezone`` blank: the guild's."""

    channel_id: int
    starts_at: datetime
    content: str = ""
    embed: dict = field(default_factory=dict)
    recurrence: Recurrence = Recurrence()
    ends_on: date | None = None
    grace_minutes: int = 60
    mention_role_ids: tuple[int, ...] = ()
    timezone: str = ""


def parse_recurrence(text: str | None) -> Recurrence:
    """ "weekly mon,thu" -> Recurrence("weekly", (0, 3)); ``RuleError`` with the accepted forms."""
    words = re.sub(r"[,;]", " ", (text or "once").strip().lower()).split()
    words = [w for w in words if w not in ("on", "every", "the", "and")]
    if not words or words == ["once"]:
        return Recurrence(Repeat.ONCE)
    head, rest = words[0], words[1:]
    if head in ("daily", "day") and not rest:
        return Recurrence(Repeat.DAILY)
    if head == "weekly":
        return Recurrence(Repeat.WEEKLY, tuple(sorted({_weekday(w) for w in rest})))
    if head == "monthly" and not rest:
        return Recurrence(Repeat.MONTHLY)
    if head == "monthly" and len(rest) == 2 and rest[0] in ORDINALS:
        return Recurrence(Repeat.MONTHLY, (_weekday(rest[1]),), ORDINALS[rest[0]])
    raise RuleError(f"{text!r} is not a repetition Muster knows. {RECURRENCE_HELP}")


def _weekday(word: str) -> int:
    return weekday_index(word)


def describe_recurrence(recurrence: Recurrence) -> str:
    """How a recurrence reads back: "weekly on mon, thu", "monthly on the 2nd tue"."""
    if recurrence.repeat == Repeat.WEEKLY and recurrence.weekdays:
        return "weekly on " + ", ".join(WEEKDAYS[d] for d in recurrence.weekdays)
    if recurrence.repeat == Repeat.MONTHLY and recurrence.month_week is not None:
        ordinal = next(k for k, v in ORDINALS.items() if v == recurrence.month_week)
        return f"monthly on the {ordinal} {WEEKDAYS[recurrence.weekdays[0]]}"
    return str(recurrence.repeat)


def recurrence_text(recurrence: Recurrence) -> str:
    """The recurrence as a member types it, which ``parse_recurrence`` reads back: "weekly mon,thu"."""
    if recurrence.repeat == Repeat.WEEKLY and recurrence.weekdays:
        return "weekly " + ",".join(WEEKDAYS[d] for d in recurrence.weekdays)
    if recurrence.repeat == Repeat.MONTHLY and recurrence.month_week is not None:
        ordinal = next(k for k, v in ORDINALS.items() if v == recurrence.month_week)
        return f"monthly {ordinal} {WEEKDAYS[recurrence.weekdays[0]]}"
    return str(recurrence.repeat)


def _rule(plan: Plan) -> rrule:
    local = plan.starts_at.astimezone(plan.zone).replace(tzinfo=None)
    until = datetime.combine(plan.ends_on, time.max) if plan.ends_on else None
    rec = plan.recurrence
    if rec.repeat == Repeat.ONCE:
        return rrule(DAILY, dtstart=local, count=1)
    if rec.repeat == Repeat.DAILY:
        return rrule(DAILY, dtstart=local, until=until)
    if rec.repeat == Repeat.WEEKLY:
        return rrule(WEEKLY, dtstart=local, byweekday=rec.weekdays or (local.weekday(),), until=until)
    if rec.month_week is not None:
        day = rec.weekdays[0] if rec.weekdays else local.weekday()
        return rrule(MONTHLY, dtstart=local, byweekday=weekday(day)(rec.month_week), until=until)
    # On the 29th to 31st, months without that day are skipped (RFC 5545, as calendars do).
    return rrule(MONTHLY, dtstart=local, bymonthday=local.day, until=until)


def upcoming(plan: Plan, *, after: datetime, count: int = 5) -> list[datetime]:
    """The next ``count`` occurrences strictly after ``after`` (UTC instants)."""
    found: list[datetime] = []
    for moment in instants_after(_rule(plan), plan.zone, after):
        found.append(moment)
        if len(found) == count:
            break
    return found


def next_after(plan: Plan, moment: datetime) -> datetime | None:
    following = upcoming(plan, after=moment, count=1)
    return following[0] if following else None


def plan_of(schedule: ScheduledMessage) -> Plan:
    recurrence = Recurrence(schedule.repeat, tuple(schedule.weekdays), schedule.month_week)
    return Plan(schedule.starts_at, ZoneInfo(schedule.timezone), recurrence, schedule.ends_on)


def _check(guild: Guild, draft: ScheduleDraft, *, now: datetime) -> tuple[Plan, str, dict, datetime]:
    content, embed = check_response(draft.content, draft.embed)
    if not draft.channel_id:
        raise RuleError("Choose the channel the message posts in.")
    if draft.starts_at.tzinfo is None:
        raise ValueError("starts_at must be an aware datetime")
    if draft.starts_at <= now:
        raise RuleError("The first time is in the past; give a time from now on.")
    if not 0 <= draft.grace_minutes <= MAX_GRACE_MINUTES:
        raise RuleError(f"The grace window must be between 0 and {MAX_GRACE_MINUTES} minutes (a week).")
    if draft.recurrence.repeat == Repeat.ONCE and draft.ends_on is not None:
        raise RuleError("A message sent once has no end date; leave it empty, or make it repeat.")
    plan = Plan(draft.starts_at, ZoneInfo(draft.timezone or guild.timezone), draft.recurrence, draft.ends_on)
    if draft.ends_on is not None and draft.ends_on < draft.starts_at.astimezone(plan.zone).date():
        raise RuleError("The end date is before the first time; give a later end date or none.")
    first = next_after(plan, draft.starts_at - timedelta(microseconds=1))
    if first is None:
        raise RuleError("That schedule never posts: no day matches it before its end date.")
    return plan, content, embed, first


def preview(guild: Guild, draft: ScheduleDraft, *, now: datetime) -> list[datetime]:
    """The first five occurrences the draft would post (checked as ``create_schedule`` checks it)."""
    plan, _, _, first = _check(guild, draft, now=now)
    return [first, *upcoming(plan, after=first, count=4)]


def create_schedule(guild: Guild, draft: ScheduleDraft, *, created_by_id: int | None = None, now: datetime):
    """Store a schedule; its first occurrence is the first one at or after ``draft.starts_at``."""
    plan, content, embed, first = _check(guild, draft, now=now)
    return ScheduledMessage.objects.create(
        guild=guild, created_by_id=created_by_id, next_occurrence_at=first, **_fields(draft, plan, content, embed)
    )


def update_schedule(schedule: ScheduledMessage, draft: ScheduleDraft, *, now: datetime) -> ScheduledMessage:
    """Replace a schedule's definition; it posts next at its new first occurrence from now."""
    plan, content, embed, first = _check(schedule.guild, draft, now=now)
    with transaction.atomic():
        schedule = ScheduledMessage.objects.select_for_update().get(id=schedule.id)
        for name, value in _fields(draft, plan, content, embed).items():
            setattr(schedule, name, value)
        schedule.next_occurrence_at = first
        if schedule.status == Status.FINISHED:
            schedule.status = Status.ACTIVE
        schedule.save()
    return schedule


def _fields(draft: ScheduleDraft, plan: Plan, content: str, embed: dict) -> dict:
    return {
        "channel_id": draft.channel_id,
        "content": content,
        "embed": embed,
        "mention_role_ids": [int(r) for r in dict.fromkeys(draft.mention_role_ids)],
        "timezone": plan.zone.key,
        "starts_at": draft.starts_at,
        "repeat": draft.recurrence.repeat,
        "weekdays": list(draft.recurrence.weekdays),
        "month_week": draft.recurrence.month_week,
        "ends_on": draft.ends_on,
        "grace_minutes": draft.grace_minutes,
    }


def pause_schedule(schedule: ScheduledMessage, *, now: datetime, reason: str) -> bool:
    """Pause an active schedule (nothing posts until it is resumed); False if it was not active."""
    paused = ScheduledMessage.objects.filter(id=schedule.id, status=Status.ACTIVE).update(
        status=Status.PAUSED, paused_reason=reason[:300], updated_at=now
    )
    return bool(paused)


def resume_schedule(schedule: ScheduledMessage, *, now: datetime) -> ScheduledMessage:
    """Resume a paused schedule at its next occurrence from now (what fell in the pause is not sent)."""
    with transaction.atomic():
        schedule = ScheduledMessage.objects.select_for_update().get(id=schedule.id)
        if schedule.status != Status.PAUSED:
            raise RuleError("That schedule is not paused.")
        following = next_after(plan_of(schedule), now)
        schedule.status = Status.ACTIVE if following else Status.FINISHED
        schedule.next_occurrence_at, schedule.paused_reason = following, ""
        schedule.save(update_fields=["status", "next_occurrence_at", "paused_reason", "updated_at"])
    return schedule


def delete_schedule(schedule: ScheduledMessage) -> None:
    schedule.delete()


# --- the beat tick ------------------------------------------------------------------------


def post_due(*, now: datetime, limit: int = 200) -> int:
    """Claim and post every due occurrence (each exactly once); pause schedules whose channel is gone.

    Returns the number of posts queued.
    """
    posted = 0
    for schedule_id in _unavailable_suspects(now):
        _pause_if_unavailable(schedule_id, now=now)
    due = ScheduledMessage.objects.filter(status=Status.ACTIVE, next_occurrence_at__lte=now)
    for schedule_id in due.order_by("next_occurrence_at").values_list("id", flat=True)[:limit]:
        try:
            posted += _post(schedule_id, now=now)
        except OUTAGES:
            raise  # nothing of this schedule was done: the next tick claims it again
        except Exception:
            # One broken schedule must not hold up the others; it stays due and is logged each tick.
            log.exception("schedule %s could not be posted", schedule_id)
    return posted


def _post(schedule_id: int, *, now: datetime) -> int:
    with transaction.atomic():
        schedule = ScheduledMessage.objects.filter(id=schedule_id, status=Status.ACTIVE).first()
        if schedule is None or schedule.next_occurrence_at is None or schedule.next_occurrence_at > now:
            return 0
        plan, claimed_at = plan_of(schedule), schedule.next_occurrence_at
        due_times, following = [], claimed_at
        while following is not None and following <= now and len(due_times) < MAX_CATCH_UP:
            due_times.append(following)
            following = next_after(plan, following)
        taken = ScheduledMessage.objects.filter(id=schedule.id, status=Status.ACTIVE, next_occurrence_at=claimed_at)
        if not taken.update(next_occurrence_at=following, status=Status.ACTIVE if following else Status.FINISHED):
            return 0  # another tick claimed it
        reason = _unavailable(schedule)
        oldest_in_grace = now - timedelta(minutes=schedule.grace_minutes)
        posted = 0
        recorded = set(
            Occurrence.objects.filter(schedule=schedule, occurs_at__in=due_times).values_list("occurs_at", flat=True)
        )
        for moment in due_times:
            if moment in recorded:  # an edit brought back a time already settled: once is once
                continue
            if moment < oldest_in_grace:
                Occurrence.objects.create(schedule=schedule, occurs_at=moment, outcome=Occurrence.Outcome.SKIPPED)
            elif reason:
                Occurrence.objects.create(schedule=schedule, occurs_at=moment, outcome=Occurrence.Outcome.HELD)
            else:
                message = outbox.enqueue(
                    key=occurrence_key(schedule.id, moment),
                    channel_id=schedule.channel_id,
                    guild_id=schedule.guild_id,
                    payload=_message(schedule, moment),
                )
                Occurrence.objects.create(
                    schedule=schedule, occurs_at=moment, outcome=Occurrence.Outcome.SENT, outbound=message
                )
                posted += 1
        if reason:
            _pause_and_tell(schedule, reason, now=now)
    return posted


def occurrence_key(schedule_id: int, moment: datetime) -> str:
    """The outbox key of one occurrence's post: schedule id and occurrence time."""
    return f"schedule:{schedule_id}:at:{moment.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"


def _message(schedule: ScheduledMessage, moment: datetime) -> dict:
    context = Context(
        guild_name=schedule.guild.name,
        today=moment.astimezone(ZoneInfo(schedule.timezone)).date(),
        channel_id=schedule.channel_id,
        next_event=lambda: _next_event(schedule.guild_id, moment),
    )
    return render(schedule.content, schedule.embed, context, mention_role_ids=schedule.mention_role_ids)


def _next_event(guild_id: int, moment: datetime):
    from community import upcoming as upcoming_events

    return upcoming_events.next_event(guild_id, now=moment)


def _unavailable(schedule: ScheduledMessage) -> str:
    """Why Muster cannot post in the schedule's channel now, or "" (what the outbox learned)."""
    # A pause of everything ("all": the token was refused) is Muster's, not the channel's: the outbox waits.
    if DeliveryPause.objects.filter(scope=f"channel:{schedule.channel_id}").exists():
        return f"Muster may not post in <#{schedule.channel_id}> any more (its permission there was removed)"
    last = (
        Occurrence.objects.filter(schedule=schedule, outbound__isnull=False)
        .select_related("outbound")
        .order_by("-occurs_at")
        .first()
    )
    if last is not None and last.outbound.status == OutboundMessage.Status.UNDELIVERABLE:
        error = last.outbound.last_error
        if "HTTP 404" in error or "code 10003" in error:
            return f"the channel <#{schedule.channel_id}> no longer exists"
        if "HTTP 403" in error:
            return f"Muster may not post in <#{schedule.channel_id}> any more (its permission there was removed)"
    return ""


def _unavailable_suspects(now: datetime) -> list[int]:
    """Active schedules whose last post was refused, or whose channel the outbox paused."""
    paused = [
        int(scope.split(":", 1)[1])
        for scope in DeliveryPause.objects.filter(scope__startswith="channel:").values_list("scope", flat=True)
    ]
    refused = Q(
        occurrences__outbound__status=OutboundMessage.Status.UNDELIVERABLE,
        occurrences__occurs_at__gte=now - timedelta(days=7),
    )
    active = ScheduledMessage.objects.filter(status=Status.ACTIVE)
    return list(active.filter(refused | Q(channel_id__in=paused)).values_list("id", flat=True).distinct()[:200])


def _pause_if_unavailable(schedule_id: int, *, now: datetime) -> None:
    with transaction.atomic():
        schedule = ScheduledMessage.objects.filter(id=schedule_id, status=Status.ACTIVE).first()
        reason = _unavailable(schedule) if schedule is not None else ""
        if reason:
            _pause_and_tell(schedule, reason, now=now)


def _pause_and_tell(schedule: ScheduledMessage, reason: str, *, now: datetime) -> None:
    """Pause the schedule and DM its organiser, once per pause (the outbox key counts the pauses)."""
    paused = ScheduledMessage.objects.filter(id=schedule.id, status=Status.ACTIVE).update(
        status=Status.PAUSED, paused_reason=reason[:300], pauses=schedule.pauses + 1, updated_at=now
    )
    if not paused or schedule.created_by_id is None:
        return
    text = (
        f"Your scheduled message {schedule.id} in {schedule.guild.name} is paused: {reason}. "
        f"Fix the channel (or edit the schedule), then run /schedule resume schedule:{schedule.id}."
    )
    outbox.enqueue(
        key=f"schedule:{schedule.id}:paused:{schedule.pauses + 1}",
        member_id=schedule.created_by_id,
        guild_id=schedule.guild_id,
        payload={"content": text[:2000], "allowed_mentions": {"parse": []}},
    )
    log.info("schedule %s paused: %s", schedule.id, reason)
