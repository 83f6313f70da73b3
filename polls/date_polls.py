"""Date polls: options are candidate times, members vote for every one they can make, and
deciding the poll creates the event (a sub-domain of ``polls.services``).

The date is chosen by an organiser (``decide``) or, when the poll closes, by the most
votes (ties: the earliest time; only times still ahead count). Polls never import
events: the decision goes out through ``core.hooks.date_poll_decided``, whose subscriber
(events) creates the event, registers the chosen time's voters in vote order (capacity
and waitlist apply) and tells the others. It happens once per poll: the claim is a
compare-and-set on the poll row, and ``Poll.event`` is the unique link to the event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from django.db import transaction

from core import hooks
from core.errors import RuleError
from core.models import Guild
from core.refresh import schedule_refresh
from polls.discord import messages
from polls.models import Option, Poll, Vote

MIN_DATES, MAX_DATES = 2, 10
TITLE_MAX = 100  # the event's title
LOCATION_MAX = Poll._meta.get_field("event_location").max_length
CAPACITY_MAX = 100_000
LONGEST = timedelta(days=14)


@dataclass(frozen=True)
class DatePollDraft:
    """What an organiser writes about a date poll: the event's title and the candidate times."""

    title: str
    starts: list[datetime]
    closes_at: datetime | None = None
    duration: timedelta | None = None
    capacity: int | None = None
    location: str = ""


@dataclass(frozen=True)
class Decided:
    """What deciding did: the chosen option (None: no votes for a time still ahead) and the event made."""

    option: Option | None
    event_id: int | None
    going: int = 0
    others: int = 0


def label(moment: datetime, zone: ZoneInfo) -> str:
    """A candidate as a button shows it, in the author's zone: 'Tue 8 Dec 19:00 CET'."""
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %H:%M %Z}"


def check(draft: DatePollDraft, *, now: datetime) -> list[datetime]:
    """Refuse a date poll the rules do not take; returns its times, earliest first."""
    title = draft.title.strip()
    if not title:
        raise RuleError("The date poll needs a title (the event's).")
    if len(title) > TITLE_MAX:
        raise RuleError(f"The title can be at most {TITLE_MAX} characters; this one has {len(title)}.")
    if len(draft.location) > LOCATION_MAX:
        raise RuleError(f"The location can be at most {LOCATION_MAX} characters; this one has {len(draft.location)}.")
    if not MIN_DATES <= len(draft.starts) <= MAX_DATES:
        raise RuleError(
            f"A date poll needs {MIN_DATES} to {MAX_DATES} dates, one per line; I read {len(draft.starts)}."
        )
    starts = sorted(draft.starts)
    for earlier, later in pairwise(starts):
        if earlier == later:
            raise RuleError(f"Two of the dates are the same time ({earlier:%Y-%m-%d %H:%M} UTC); give each once.")
    if draft.closes_at is not None:
        if draft.closes_at <= now:
            raise RuleError("The closing time is in the past.")
        if draft.closes_at > starts[0]:
            raise RuleError("The poll must close before the earliest date, so that date can still be chosen.")
    if draft.capacity is not None and not 1 <= draft.capacity <= CAPACITY_MAX:
        raise RuleError(f"The capacity must be 1 to {CAPACITY_MAX} (leave it empty for no limit).")
    if draft.duration is not None and not timedelta(0) < draft.duration <= LONGEST:
        raise RuleError("The length must be more than zero and at most 14 days.")
    return starts


@transaction.atomic
def create_date_poll(
    guild: Guild,
    draft: DatePollDraft,
    zone: ZoneInfo,
    *,
    now: datetime,
    created_by_id: int | None = None,
    channel_id: int | None = None,
) -> Poll:
    """Create an open date poll (multiple choice: members vote for every time they can make)."""
    starts = check(draft, now=now)
    poll = Poll.objects.create(
        guild=guild,
        kind=Poll.Kind.DATES,
        question=draft.title.strip(),
        multiple_choice=True,
        closes_at=draft.closes_at,
        event_duration=draft.duration,
        event_capacity=draft.capacity,
        event_location=draft.location.strip(),
        created_by_id=created_by_id,
        channel_id=channel_id or guild.announcement_channel_id,
        created_at=now,
    )
    Option.objects.bulk_create(
        Option(poll=poll, position=position, label=label(start, zone), starts_at=start)
        for position, start in enumerate(starts, 1)
    )
    messages.post_poll(poll)
    return poll


def most_votes(poll: Poll, *, now: datetime) -> Option | None:
    """The time still ahead with the most votes, the earliest of a tie; None without any vote."""
    tallies = [t for t in poll.tally() if t.votes and t.starts_at and t.starts_at > now]
    if not tallies:
        return None
    best = min(tallies, key=lambda t: (-t.votes, t.starts_at))
    return Option.objects.get(id=best.option_id)


def decide(poll_id: int, option_id: int | None, *, now: datetime, guild_id: int | None = None) -> Decided:
    """Choose the date (``option_id``, or the most votes when None) and create the event, once.

    An open poll is closed by it. A poll whose date is already chosen is refused, as is a
    time that has passed. The closing tick and ``/poll close`` call it with None.
    """
    with transaction.atomic():
        poll = Poll.objects.select_for_update().filter(id=poll_id)
        poll = (poll if guild_id is None else poll.filter(guild_id=guild_id)).select_related("guild").first()
        if poll is None:
            raise RuleError("There is no such poll in this server.")
        if poll.kind != Poll.Kind.DATES:
            raise RuleError("That poll is not a date poll.")
        if poll.decided_option_id is not None:
            raise RuleError("This poll's date is already chosen.")
        if option_id is None:  # the closing rule: once, when the poll closes
            if poll.status != Poll.Status.OPEN:
                raise RuleError("This poll is closed.")
            option = most_votes(poll, now=now)
        else:
            option = Option.objects.filter(id=option_id, poll=poll).first()
            if option is None:
                raise RuleError("That date is not one of this poll's.")
            if option.starts_at <= now:
                raise RuleError("That date has passed; choose a later one.")
        fields = {"decided_at": now, "decided_option": option, "status": Poll.Status.CLOSED}
        if poll.status == Poll.Status.OPEN:
            fields["closed_at"] = now
        # The claim: one caller moves the poll to decided; a second (a retried task) finds none.
        if not Poll.objects.filter(id=poll.id, decided_option__isnull=True).update(**fields):
            raise RuleError("This poll's date is already chosen.")
        poll.refresh_from_db()
        decided = Decided(option=None, event_id=None) if option is None else _create_event(poll, option, now=now)
        messages.dates_decided(poll, decided.option)
        schedule_refresh("poll", poll.id)
    return decided


def _create_event(poll: Poll, option: Option, *, now: datetime) -> Decided:
    order = Vote.objects.filter(poll=poll).order_by("cast_at", "id")
    going = _unique(int(v) for v in order.filter(option=option).values_list("voter", flat=True))
    voted = _unique(int(v) for v in order.values_list("voter", flat=True))
    others = tuple(member for member in voted if member not in set(going))
    decision = hooks.DatePollDecision(
        poll_id=poll.id,
        guild_id=poll.guild_id,
        title=poll.question,
        starts_at=option.starts_at,
        ends_at=option.starts_at + poll.event_duration if poll.event_duration else None,
        location=poll.event_location,
        capacity=poll.event_capacity,
        channel_id=poll.channel_id,
        created_by_id=poll.created_by_id,
        going=going,
        others=others,
        now=now,
    )
    event_id = next((answer for answer in hooks.date_poll_decided.call(decision=decision) if answer), None)
    Poll.objects.filter(id=poll.id).update(event_id=event_id)
    poll.event_id = event_id
    return Decided(option=option, event_id=event_id, going=len(going), others=len(others))


def _unique(ids) -> tuple[int, ...]:
    return tuple(dict.fromkeys(ids))
