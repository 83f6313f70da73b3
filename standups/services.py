"""The rules of standups, as plain functions: making them, the daily tick, answering, skipping.

Times of a standup (``ask_at``, ``remind_at``, ``cutoff_at``) are local: each participant is
asked at that time of *their* day, in their own time zone (``Member.timezone``, else
``Guild.timezone``), read with zoneinfo so a DST change moves nobody's 09:00.

The beat tick (``tick``, every minute) does its work in a bounded number of queries, not
per member or per standup:

- **asking**: every participant whose local ask time of a day the standup runs has come
  (within ``CATCH_UP``, and before that day's cutoff) gets one ``Checkin`` row for that
  local date. The rows are the claim: inserted with the tick's token against the unique
  constraint (standup, member, local date), and only the rows read back with that token
  are this tick's, so two ticks at once ask once. Before asking, ``core.nudging`` says who
  may be nudged: members away (``nudging.away``: on leave, a public holiday) get a row
  "on leave" with the reason and no DM; members who may not be nudged otherwise (DMs
  off) get "not asked". The prompt DM's outbox key names the standup, the member and the
  local date, so a retried task sends it once.
- **reminders**: asked members who have not answered by their local reminder time get
  one reminder (claimed with a compare-and-set on ``reminded_at``).
- **digests**: a standup with a cutoff posts one digest per day, once every participant's
  cutoff of that day has passed (for a team in one time zone: at the cutoff); claimed
  with a compare-and-set on ``posted_at``.

Answers without a cutoff are posted at once, one message per person, and answering again
edits that message (``core.refresh``) until the end of the member's day; with a cutoff they
wait for the digest and may be changed until the member's cutoff.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.db import transaction

from core import nudging, outbox
from core.errors import RuleError
from core.models import Guild, GuildMember, Member
from core.refresh import schedule_refresh
from standups.discord import messages
from standups.models import DEFAULT_QUESTIONS, MON_TO_FRI, WEEKDAYS, Checkin, Digest, Participant, Standup

Status = Checkin.Status
CATCH_UP = timedelta(hours=2)  # a prompt later than this (Muster was down) is not sent that day
MAX_QUESTIONS = 5  # a Discord form holds at most five text inputs
QUESTION_LENGTH = 45  # Discord's limit for a form input's label
ANSWER_LENGTH = 1000
UNSET = object()


# Reading what organisers type.

_CLOCK = re.compile(r"^\s*(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm)?\s*$", re.IGNORECASE)


def parse_clock(text: str, what: str = "time") -> time:
    """ "09:00", "9:30", "9am", "5.30pm", "17h" as a time of day."""
    match = _CLOCK.match(text or "")
    if match is None:
        raise RuleError(f'The {what} "{text}" is not a time of day; write it like 09:00 or 9am.')
    hour, minute, half = int(match[1]), int(match[2] or 0), (match[3] or "").lower()
    if half:
        if not 1 <= hour <= 12:
            raise RuleError(f'The {what} "{text}" is not a time of day; write it like 09:00 or 9am.')
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        raise RuleError(f'The {what} "{text}" is not a time of day; write it like 09:00 or 9am.')
    return time(hour, minute)


def parse_days(text: str) -> int:
    """ "mon-fri" (weekdays), "daily", "mon,wed,fri", "tue-thu,sat" as the weekday bits."""
    typed = (text or "").strip().lower()
    if typed in ("", "weekdays", "mon-fri"):
        return MON_TO_FRI
    if typed in ("daily", "every day", "everyday", "all", "mon-sun"):
        return 0b1111111
    bits = 0
    for part in re.split(r"[,\s]+", typed):
        if not part:
            continue
        ends = part.split("-")
        if len(ends) > 2 or any(_weekday(end) is None for end in ends):
            raise RuleError(f'"{part}" is not a day; write days like mon-fri, daily or mon,wed,fri.')
        first, last = _weekday(ends[0]), _weekday(ends[-1])
        day = first
        while True:
            bits |= 1 << day
            if day == last:
                break
            day = (day + 1) % 7
    return bits


def _weekday(name: str) -> int | None:
    name = name.strip()[:3]
    return WEEKDAYS.index(name) if name in WEEKDAYS else None


def describe_days(bits: int) -> str:
    if bits == MON_TO_FRI:
        return "Monday to Friday"
    if bits == 0b1111111:
        return "every day"
    return ", ".join(name.capitalize() for i, name in enumerate(WEEKDAYS) if bits & (1 << i))


def parse_questions(text: str) -> list[str]:
    """Questions separated by ";" or "|" (or one a line)."""
    questions = [q.strip() for q in re.split(r"[;|\n]", text or "") if q.strip()]
    check_questions(questions)
    return questions


def check_questions(questions: list[str]) -> None:
    if not questions:
        raise RuleError("A standup asks at least one question.")
    if len(questions) > MAX_QUESTIONS:
        raise RuleError(f"A standup asks at most {MAX_QUESTIONS} questions (a Discord form holds five).")
    long = [q for q in questions if len(q) > QUESTION_LENGTH]
    if long:
        raise RuleError(
            f'"{long[0][:60]}" is too long: a question has at most {QUESTION_LENGTH} characters '
            "(Discord's limit for a form's label)."
        )


def parse_members(text: str) -> list[int]:
    """Member mentions or ids, as typed in a command option ("<@123> <@!456> 789")."""
    ids = [int(found) for found in re.findall(r"\d{15,20}", text or "")]
    if text and text.strip() and not ids:
        raise RuleError("Name the members with mentions, like @alice @bob.")
    return list(dict.fromkeys(ids))


# Making and changing standups.


@dataclass
class StandupDraft:
    channel_id: int
    name: str = ""
    questions: list[str] = field(default_factory=lambda: list(DEFAULT_QUESTIONS))
    weekdays: int = MON_TO_FRI
    ask_at: time = time(9, 0)
    remind_at: time | None = None
    cutoff_at: time | None = None
    role_id: int | None = None
    member_ids: list[int] = field(default_factory=list)


def check_standup(standup: Standup) -> None:
    """RuleError unless the standup's questions, days and times make sense (also the admin's and dashboard's forms)."""
    check_questions(list(standup.questions))
    if not standup.weekdays & 0b1111111:
        raise RuleError("A standup runs on at least one day of the week.")
    if standup.cutoff_at is not None and standup.cutoff_at <= standup.ask_at:
        raise RuleError("The cutoff must be later in the day than the time the standup asks at.")
    if standup.remind_at is not None:
        if standup.remind_at <= standup.ask_at:
            raise RuleError("The reminder must be later in the day than the time the standup asks at.")
        if standup.cutoff_at is not None and standup.remind_at >= standup.cutoff_at:
            raise RuleError("The reminder must come before the cutoff.")
    if len(standup.name) > 60:
        raise RuleError("A standup's name has at most 60 characters.")


def _check_members(guild_id: int, member_ids: Iterable[int]) -> list[int]:
    ids = list(dict.fromkeys(int(m) for m in member_ids))
    known = set(
        GuildMember.objects.filter(guild_id=guild_id, member_id__in=ids, left_at__isnull=True).values_list(
            "member_id", flat=True
        )
    )
    missing = [m for m in ids if m not in known]
    if missing:
        raise RuleError(f"<@{missing[0]}> is not a member of this server that Muster knows.")
    return ids


@transaction.atomic
def create_standup(guild: Guild, draft: StandupDraft, *, created_by: int | None = None, now: datetime) -> Standup:
    standup = Standup(
        guild=guild,
        name=draft.name.strip(),
        channel_id=draft.channel_id,
        questions=list(draft.questions),
        weekdays=draft.weekdays,
        ask_at=draft.ask_at,
        remind_at=draft.remind_at,
        cutoff_at=draft.cutoff_at,
        role_id=draft.role_id,
        created_by_id=created_by,
        created_at=now,
    )
    check_standup(standup)
    members = _check_members(guild.id, draft.member_ids)
    if standup.role_id is None and not members:
        raise RuleError("Say who takes part: a role, or members.")
    standup.save()
    Participant.objects.bulk_create([Participant(standup=standup, member_id=m) for m in members])
    return standup


@transaction.atomic
def edit_standup(standup_id: int, guild_id: int, *, member_ids=UNSET, **changes) -> Standup:
    """Change the fields named in ``changes`` (``role_id=None`` removes the role); ``member_ids``
    replaces the listed members. Days already asked keep their times; the next days follow."""
    standup = find(standup_id, guild_id, lock=True)
    for name, value in changes.items():
        if name not in {"name", "channel_id", "questions", "weekdays", "ask_at", "remind_at", "cutoff_at", "role_id"}:
            raise ValueError(name)
        setattr(standup, name, value.strip() if name == "name" else value)
    check_standup(standup)
    if member_ids is not UNSET:
        members = _check_members(guild_id, member_ids)
        standup.participants.exclude(member_id__in=members).delete()
        have = set(standup.participants.values_list("member_id", flat=True))
        Participant.objects.bulk_create([Participant(standup=standup, member_id=m) for m in members if m not in have])
    if standup.role_id is None and not standup.participants.exists():
        raise RuleError("Say who takes part: a role, or members.")
    standup.save()
    return standup


def set_paused(standup_id: int, guild_id: int, paused: bool) -> Standup:
    standup = find(standup_id, guild_id)
    if standup.paused == paused:
        raise RuleError(f"{standup.title} is {'paused' if paused else 'running'} already.")
    standup.paused = paused
    standup.save(update_fields=["paused", "updated_at"])
    return standup


def delete_standup(standup_id: int, guild_id: int) -> str:
    standup = find(standup_id, guild_id)
    title = standup.title
    standup.delete()
    return title


def find(standup_id, guild_id: int | None, *, lock: bool = False) -> Standup:
    standups = Standup.objects.select_for_update() if lock else Standup.objects.all()
    standup = standups.filter(id=standup_id, guild_id=guild_id).select_related("guild").first()
    if standup is None:
        raise RuleError("There is no such standup in this server.")
    return standup


# Who takes part, and where they are in the world.


def participants(standups: list[Standup]) -> dict[int, list[int]]:
    """Per standup, its participants now (role holders and listed members still in the guild),
    in id order: two queries for all standups."""
    if not standups:
        return {}
    listed: dict[int, set[int]] = {}
    for standup_id, member_id in Participant.objects.filter(standup__in=standups).values_list(
        "standup_id", "member_id"
    ):
        listed.setdefault(standup_id, set()).add(member_id)
    current = GuildMember.objects.filter(guild_id__in={s.guild_id for s in standups}, left_at__isnull=True)
    members: dict[int, list[tuple[int, set[int]]]] = {}
    for guild_id, member_id, role_ids in current.values_list("guild_id", "member_id", "role_ids").order_by("member_id"):
        members.setdefault(guild_id, []).append((member_id, {int(r) for r in role_ids or ()}))
    found = {}
    for standup in standups:
        named = listed.get(standup.id, set())
        found[standup.id] = [
            member_id
            for member_id, roles in members.get(standup.guild_id, [])
            if member_id in named or (standup.role_id is not None and standup.role_id in roles)
        ]
    return found


def zones(member_ids: Iterable[int]) -> dict[int, str]:
    """Each member's own time zone name ("" when they set none): one query."""
    return dict(Member.objects.filter(id__in=set(member_ids)).values_list("id", "timezone"))


@lru_cache(maxsize=1024)
def _zone(name: str) -> ZoneInfo:
    # zoneinfo keeps only 8 zones strongly: a tick over 24 zones would read their files again and again.
    return ZoneInfo(name or "UTC")


def at_local(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """``clock`` on ``day`` in ``zone``, as an aware datetime (a time a DST gap skips reads as after it)."""
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def _closes(standup: Standup, day: date, zone: ZoneInfo) -> datetime:
    if standup.cutoff_at is not None:
        return at_local(day, standup.cutoff_at, zone)
    return at_local(day + timedelta(days=1), time(0, 0), zone)


# The beat tick.


@dataclass
class Ticked:
    asked: int = 0
    away: int = 0
    unreachable: int = 0
    reminded: int = 0
    digests: int = 0


def tick(*, now: datetime) -> Ticked:
    """Ask who is due, remind who has not answered, post the digests due."""
    done = ask_due(now=now)
    done.reminded = remind_due(now=now)
    done.digests = post_due_digests(now=now)
    return done


def ask_due(*, now: datetime) -> Ticked:
    standups = list(Standup.objects.filter(paused=False, guild__active=True).select_related("guild"))
    who = participants(standups)
    own = zones(m for members in who.values() for m in members)
    due: list[Checkin] = []
    digests: dict[tuple[int, date], datetime] = {}
    for standup in standups:
        guild_zone = standup.guild.timezone
        start = standup.created_at.replace(second=0, microsecond=0)
        for member_id in who[standup.id]:
            zone = _zone(own.get(member_id) or guild_zone)
            today = now.astimezone(zone).date()
            for day in (today, today - timedelta(days=1)):
                if not standup.runs_on(day.weekday()):
                    continue
                asks = at_local(day, standup.ask_at, zone)
                closes = _closes(standup, day, zone)
                if asks <= now < asks + CATCH_UP and now < closes and asks >= start:
                    remind = at_local(day, standup.remind_at, zone) if standup.remind_at else None
                    due.append(
                        Checkin(
                            standup=standup,
                            member_id=member_id,
                            local_date=day,
                            due_at=asks,
                            remind_due_at=remind,
                            closes_at=closes,
                        )
                    )
                    if standup.cutoff_at is not None:
                        digests.setdefault((standup.id, day), closes)
    if not due:
        return Ticked()
    existing = set(
        Checkin.objects.filter(
            standup_id__in={c.standup_id for c in due}, local_date__in={c.local_date for c in due}
        ).values_list("standup_id", "member_id", "local_date")
    )
    due = [c for c in due if (c.standup_id, c.member_id, c.local_date) not in existing]
    if not due:
        return Ticked()
    _plan_digests(standups, who, own, digests)
    pairs = {(c.standup.guild_id, c.member_id) for c in due}
    allowed = nudging.nudgeable(pairs, at=now)
    away = _away(pairs - allowed, now)
    token = secrets.token_hex(16)
    for checkin in due:
        pair = (checkin.standup.guild_id, checkin.member_id)
        checkin.claim = token
        if pair in allowed:
            checkin.status, checkin.asked_at = Status.ASKED, now
        elif pair in away:
            checkin.status, checkin.away_reason = Status.AWAY, away[pair][:200]
            checkin.remind_due_at = None
        else:
            checkin.status, checkin.remind_due_at = Status.UNREACHABLE, None
    by_id = {s.id: s for s in standups}
    with transaction.atomic():
        Checkin.objects.bulk_create(due, ignore_conflicts=True)
        ours = list(
            Checkin.objects.filter(claim=token).values_list("id", "standup_id", "member_id", "local_date", "status")
        )
        outbox.enqueue_many(
            [
                messages.prompt(by_id[standup_id], checkin_id, member_id, day)
                for checkin_id, standup_id, member_id, day, status in ours
                if status == Status.ASKED
            ]
        )
    statuses = [status for *_, status in ours]
    return Ticked(
        asked=statuses.count(Status.ASKED),
        away=statuses.count(Status.AWAY),
        unreachable=statuses.count(Status.UNREACHABLE),
    )


def _plan_digests(standups, who, own, digests) -> None:
    """A new day of a cutoff standup: its digest is due once every participant's cutoff has passed."""
    if not digests:
        return
    by_id = {s.id: s for s in standups}
    rows = []
    for standup_id, day in digests:
        standup = by_id[standup_id]
        cutoffs = [
            at_local(day, standup.cutoff_at, _zone(own.get(m) or standup.guild.timezone)) for m in who[standup_id]
        ]
        rows.append(Digest(standup=standup, local_date=day, due_at=max(cutoffs)))
    Digest.objects.bulk_create(rows, ignore_conflicts=True)


def _away(pairs: set, now: datetime) -> dict:
    """Who of those refused is away (on leave, a public holiday), with the reason: ``core.nudging.away``."""
    return nudging.away(pairs, at=now) if pairs else {}


def remind_due(*, now: datetime, batch: int = 1000) -> int:
    """One reminder DM to each asked member who has not answered by their reminder time."""
    due = list(
        Checkin.objects.filter(
            status=Status.ASKED, reminded_at__isnull=True, remind_due_at__lte=now, closes_at__gt=now
        ).values_list("id", flat=True)[:batch]
    )
    if not due:
        return 0
    token = secrets.token_hex(16)
    with transaction.atomic():
        Checkin.objects.filter(id__in=due, reminded_at__isnull=True, status=Status.ASKED).update(
            reminded_at=now, claim=token
        )
        ours = list(Checkin.objects.filter(id__in=due, claim=token).select_related("standup__guild"))
        allowed = nudging.nudgeable({(c.standup.guild_id, c.member_id) for c in ours}, at=now)
        return outbox.enqueue_many([messages.reminder(c) for c in ours if (c.standup.guild_id, c.member_id) in allowed])


def post_due_digests(*, now: datetime, batch: int = 100) -> int:
    due = list(Digest.objects.filter(posted_at__isnull=True, due_at__lte=now).values_list("id", flat=True)[:batch])
    if not due:
        return 0
    token = secrets.token_hex(16)
    with transaction.atomic():
        Digest.objects.filter(id__in=due, posted_at__isnull=True).update(posted_at=now, claim=token)
        ours = list(Digest.objects.filter(id__in=due, claim=token).select_related("standup"))
        checkins: dict[tuple[int, date], list[Checkin]] = {}
        rows = Checkin.objects.filter(
            standup_id__in={d.standup_id for d in ours}, local_date__in={d.local_date for d in ours}
        ).select_related("member")
        for checkin in rows.order_by("member__username", "member_id"):
            checkins.setdefault((checkin.standup_id, checkin.local_date), []).append(checkin)
        outgoing = []
        for digest in ours:
            if digest.standup.paused:
                continue
            outgoing += messages.digest(digest, checkins.get((digest.standup_id, digest.local_date), []))
        outbox.enqueue_many(outgoing)
    return len(ours)


# Members' answers.


def checkin_of(checkin_id: int, member_id: int, *, lock: bool = False) -> Checkin:
    rows = Checkin.objects.select_for_update(of=("self",)) if lock else Checkin.objects.all()
    checkin = rows.filter(id=checkin_id).select_related("standup", "standup__guild").first()
    if checkin is None or checkin.member_id != member_id:
        raise RuleError("This standup prompt is not yours, or the standup was deleted.")
    return checkin


@transaction.atomic
def answer(checkin_id: int, member_id: int, texts: list[str], *, now: datetime) -> Checkin:
    """Keep the member's answers of that day: posted at once (no cutoff) or in the digest; again: edited."""
    checkin = checkin_of(checkin_id, member_id, lock=True)
    standup = checkin.standup
    if now >= checkin.closes_at:
        raise RuleError(f"Answers to {standup.title} of {checkin.local_date:%A %d %B} are closed.")
    if checkin.status == Status.AWAY:
        raise RuleError("You are on leave that day: there is nothing to answer.")
    questions = list(standup.questions)
    texts = [(t or "").strip()[:ANSWER_LENGTH] for t in texts][: len(questions)]
    if not any(texts):
        raise RuleError("Write at least one answer.")
    first = checkin.answered_at is None
    checkin.answers = [
        [q, a] for q, a in zip(questions, (texts + [""] * len(questions))[: len(questions)], strict=True)
    ]
    checkin.status = Status.ANSWERED
    if first:
        checkin.answered_at = now
    else:
        checkin.edited_at = now
    checkin.save(update_fields=["answers", "status", "answered_at", "edited_at"])
    if standup.cutoff_at is None:
        if first:
            outbox.enqueue(**messages.answer_post(checkin))
        else:
            schedule_refresh(messages.ANSWER_KIND, checkin.id)
    return checkin


def _today_checkin(
    standup: Standup, member_id: int, now: datetime, *, lock: bool = False
) -> tuple[Checkin | None, date, ZoneInfo]:
    zone = _zone(zones([member_id]).get(member_id) or standup.guild.timezone)
    today = now.astimezone(zone).date()
    rows = Checkin.objects.select_for_update() if lock else Checkin.objects.all()
    return rows.filter(standup=standup, member_id=member_id, local_date=today).first(), today, zone


def takes_part(standup: Standup, member_id: int) -> bool:
    return member_id in participants([standup]).get(standup.id, [])


@transaction.atomic
def skip_today(standup_id: int, guild_id: int, member_id: int, *, now: datetime) -> Checkin:
    """The member skips today's standup: not asked (or not reminded), shown as skipped."""
    standup = find(standup_id, guild_id)
    if not takes_part(standup, member_id):
        raise RuleError(f"You do not take part in {standup.title}.")
    checkin, today, zone = _today_checkin(standup, member_id, now, lock=True)
    if not standup.runs_on(today.weekday()):
        raise RuleError(f"{standup.title} does not run today.")
    if checkin is None:
        checkin = Checkin(
            standup=standup,
            member_id=member_id,
            local_date=today,
            due_at=at_local(today, standup.ask_at, zone),
            closes_at=_closes(standup, today, zone),
        )
    elif checkin.status == Status.ANSWERED:
        raise RuleError("You have answered today already; answer again to change what you wrote.")
    elif checkin.status == Status.SKIPPED:
        raise RuleError(f"You skip {standup.title} today already.")
    elif checkin.status == Status.AWAY:
        raise RuleError("You are on leave today: there is nothing to skip.")
    checkin.status = Status.SKIPPED
    checkin.save()
    return checkin


def skip_checkin(checkin_id: int, member_id: int, *, now: datetime) -> Checkin:
    """The prompt's *Skip today* button."""
    checkin = checkin_of(checkin_id, member_id)
    return skip_today(checkin.standup_id, checkin.standup.guild_id, member_id, now=now)


def standups_of(guild_id: int, member_id: int) -> list[Standup]:
    """The running standups of the guild the member takes part in."""
    standups = list(Standup.objects.filter(guild_id=guild_id).select_related("guild"))
    who = participants(standups)
    return [s for s in standups if member_id in who[s.id]]


# History.


def history(guild_id: int, *, standup_id: int | None = None, member_id: int | None = None):
    """The guild's check-ins, newest first, of one standup or one member (or all)."""
    rows = Checkin.objects.filter(standup__guild_id=guild_id).select_related("standup", "member")
    if standup_id is not None:
        rows = rows.filter(standup_id=standup_id)
    if member_id is not None:
        rows = rows.filter(member_id=member_id)
    return rows.order_by("-local_date", "standup_id", "member__username")
