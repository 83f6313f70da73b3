"""The rules of polls: creating, voting, changing and withdrawing a vote, closing.

One vote per member per poll (per option in a multiple-choice poll) is held by unique
constraints, not by reading first, so simultaneous clicks cannot double-count. Votes
take a share lock on the poll row: they run side by side, while closing (an UPDATE)
waits for votes in flight, so the final tally includes every vote that was accepted.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, transaction

from core.errors import RuleError
from core.models import Guild
from core.refresh import schedule_refresh
from polls import date_polls
from polls.discord import messages
from polls.models import Option, Poll, Vote

MIN_OPTIONS, MAX_OPTIONS = 2, 10
QUESTION_MAX = Poll._meta.get_field("question").max_length  # the form's input says the same


@dataclass(frozen=True)
class PollDraft:
    """What an organiser writes about a poll."""

    question: str
    options: list[str]
    multiple_choice: bool = False
    anonymous: bool = False
    closes_at: datetime | None = None


@dataclass(frozen=True)
class Ballot:
    """The member's choices after a click, as option positions, and what the click did."""

    chosen: tuple[int, ...]
    action: str  # "voted", "changed", "withdrawn" or "unchanged"
    poll: Poll | None = field(default=None, compare=False)  # as read for the click: the caller shows it
    labels: dict[int, str] | None = field(default=None, compare=False)  # position -> label, as read for the click


MISSING_VOTER_KEY = "POLL_VOTER_KEY is not set: workers need it to record anonymous votes (see README, Anonymous polls)"


def voter_key(poll: Poll, member_id: int) -> str:
    """Who a vote belongs to: the member id, or in an anonymous poll a keyed hash of it.

    The hash is keyed with POLL_VOTER_KEY (which only workers hold) and the poll, so the
    same member cannot be followed from one anonymous poll to the next and a database dump
    says nothing about who voted what.
    """
    if not poll.anonymous:
        return str(member_id)
    message = f"poll:{poll.id}:member:{member_id}".encode()
    return hmac.new(poll_voter_secret(), message, hashlib.sha256).hexdigest()


def poll_voter_secret() -> bytes:
    """POLL_VOTER_KEY; in DEBUG without it, a stable key derived from the database's name.

    The DEBUG fallback is no secret (anyone who knows the database name can derive it): it
    only keeps votes countable across restarts of a development setup.
    """
    if settings.POLL_VOTER_KEY:
        return settings.POLL_VOTER_KEY.encode()
    if not settings.DEBUG:
        raise ImproperlyConfigured(MISSING_VOTER_KEY)
    database = str(settings.DATABASES["default"]["NAME"])
    return hashlib.sha256(f"muster-debug-poll-voter-key:{database}".encode()).digest()


def vote_time(poll: Poll, now: datetime) -> datetime:
    """What a vote records as its time: ``now``, or for an anonymous poll the poll's opening.

    An anonymous vote that kept its moment could be matched to whatever else happened at
    that moment (a log line, a member's row being updated); the poll's own opening says
    nothing about who voted.
    """
    return poll.created_at if poll.anonymous else now


def clean_options(labels: list[str]) -> list[str]:
    options = [label.strip() for label in labels if label.strip()]
    if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        raise RuleError(f"A poll needs {MIN_OPTIONS} to {MAX_OPTIONS} options; I read {len(options)}.")
    seen: dict[str, int] = {}
    for position, option in enumerate(options, 1):
        first = seen.setdefault(option.casefold(), position)
        if first != position:
            raise RuleError(f"Options {first} and {position} are the same: {options[first - 1]!r} and {option!r}.")
    too_long = [option for option in options if len(option) > 80]
    if too_long:
        raise RuleError(f"Options are at most 80 characters: {too_long[0][:40]}… is longer.")
    return options


def check_closing_time(closes_at: datetime | None, *, now: datetime) -> None:
    """Refuse a closing time that has already passed."""
    if closes_at is not None and closes_at <= now:
        raise RuleError("The closing time is in the past.")


@transaction.atomic
def create_poll(
    guild: Guild, draft: PollDraft, *, now: datetime, created_by_id: int | None = None, channel_id: int | None = None
) -> Poll:
    """Create an open poll with 2 to 10 options; ``closes_at`` must be in the future."""
    question = draft.question.strip()
    if not question:
        raise RuleError("The poll needs a question.")
    if len(question) > QUESTION_MAX:
        raise RuleError(f"The question can be at most {QUESTION_MAX} characters; this one has {len(question)}.")
    labels = clean_options(draft.options)
    check_closing_time(draft.closes_at, now=now)
    poll = Poll.objects.create(
        guild=guild,
        question=question,
        multiple_choice=draft.multiple_choice,
        anonymous=draft.anonymous,
        closes_at=draft.closes_at,
        created_by_id=created_by_id,
        channel_id=channel_id,
        created_at=now,
    )
    Option.objects.bulk_create(
        Option(poll=poll, position=position, label=label) for position, label in enumerate(labels, 1)
    )
    messages.post_poll(poll)
    return poll


def poll_edited(poll_id: int) -> None:
    """An organiser changed the question or closing time (admin, dashboard): redraw the post, coalesced."""
    schedule_refresh("poll", poll_id)


NOT_IN_GUILD = "There is no such poll in this server."


def _share_lock(poll_id: int, guild_id: int | None = None) -> Poll:
    """The poll, share-locked; with ``guild_id``, only if it belongs to that guild (a click's scope)."""
    if connection.vendor == "postgresql":
        sql, params = "SELECT * FROM polls_poll WHERE id = %s", [poll_id]
        if guild_id is not None:
            sql, params = sql + " AND guild_id = %s", [poll_id, guild_id]
        poll = next(iter(Poll.objects.raw(sql + " FOR SHARE", params)), None)
    else:  # SQLite takes the database's write lock at BEGIN: votes are serialised there anyway.
        polls = Poll.objects.filter(id=poll_id)
        poll = (polls if guild_id is None else polls.filter(guild_id=guild_id)).first()
    if poll is None:
        raise RuleError("This poll no longer exists." if guild_id is None else NOT_IN_GUILD)
    return poll


def _open_poll(poll_id: int, now: datetime, member_id: int, guild_id: int | None = None) -> tuple[Poll, str]:
    """Share-lock an open poll and serialise this member's clicks on it; returns (poll, voter)."""
    poll = _share_lock(poll_id, guild_id)
    if poll.status != Poll.Status.OPEN or (poll.closes_at is not None and now >= poll.closes_at):
        raise RuleError("This poll is closed.")
    voter = voter_key(poll, member_id)
    if connection.vendor == "postgresql":
        # Two clicks of one member that delete and insert the same rows would deadlock;
        # this lock (released at commit) orders them. Other members are not held up.
        digest = hashlib.blake2b(f"{poll_id}:{voter}".encode(), digest_size=8).digest()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest, "big", signed=True)])
    return poll, voter


def vote(poll_id: int, option_id: int, member_id: int, *, now: datetime, guild_id: int | None = None) -> Ballot:
    """What happens when a member clicks an option.

    Single choice: clicking a new option moves the vote there; clicking the chosen one
    withdraws it. Multiple choice: each click toggles that option. A second identical
    click racing the first changes nothing. ``guild_id``: the guild the click came from;
    a poll of another guild is refused as unknown there (one locked read scopes it).
    """
    try:
        with transaction.atomic():
            poll, voter = _open_poll(poll_id, now, member_id, guild_id)
            # One read of the options: the check, the member's choices after the click, the answer's labels.
            options = {
                id_: (position, label) for id_, position, label in poll.options.values_list("id", "position", "label")
            }
            if option_id not in options:
                raise RuleError("That option is not part of this poll.")
            mine = Vote.objects.filter(poll_id=poll_id, voter=voter)
            before = set(mine.values_list("option_id", flat=True))
            if option_id in before:
                mine.filter(option_id=option_id).delete()
                action, after = "withdrawn", before - {option_id}
            else:
                if before and not poll.multiple_choice:  # a first vote has nothing to move (the lock above holds)
                    mine.delete()
                single = not poll.multiple_choice
                Vote.objects.create(
                    poll_id=poll_id,
                    option_id=option_id,
                    voter=voter,
                    single_choice=single,
                    cast_at=vote_time(poll, now),
                )
                action = "changed" if before and not poll.multiple_choice else "voted"
                after = {option_id} if single else before | {option_id}
    except IntegrityError:
        # The same member's other click won the race; theirs stands.
        poll = Poll.objects.get(id=poll_id)
        schedule_refresh("poll", poll_id)
        return Ballot(chosen=my_choices(poll, member_id), action="unchanged", poll=poll)
    schedule_refresh("poll", poll_id)
    chosen = tuple(sorted(options[chosen_id][0] for chosen_id in after))
    labels = {position: label for position, label in options.values()}
    return Ballot(chosen=chosen, action=action, poll=poll, labels=labels)


def choose(poll_id: int, option_ids: list[int], member_id: int, *, now: datetime) -> Ballot:
    """What happens when a member picks from the select menu: their choices become exactly these."""
    wanted = set(option_ids)
    try:
        with transaction.atomic():
            poll, voter = _open_poll(poll_id, now, member_id)
            if not poll.multiple_choice and len(wanted) > 1:
                raise RuleError("This poll takes one choice.")
            if Option.objects.filter(id__in=wanted, poll_id=poll_id).count() != len(wanted):
                raise RuleError("That option is not part of this poll.")
            mine = Vote.objects.filter(poll_id=poll_id, voter=voter)
            before = set(mine.values_list("option_id", flat=True))
            mine.exclude(option_id__in=wanted).delete()
            single = not poll.multiple_choice
            Vote.objects.bulk_create(
                Vote(
                    poll_id=poll_id,
                    option_id=option_id,
                    voter=voter,
                    single_choice=single,
                    cast_at=vote_time(poll, now),
                )
                for option_id in sorted(wanted - before)
            )
            action = "unchanged" if before == wanted else ("changed" if before else "voted")
    except IntegrityError:
        action = "unchanged"
        poll = Poll.objects.get(id=poll_id)
    schedule_refresh("poll", poll_id)
    return Ballot(chosen=my_choices(poll, member_id), action=action)


def withdraw(poll_id: int, member_id: int, *, now: datetime) -> int:
    """Remove all of a member's votes on an open poll; returns how many were removed."""
    with transaction.atomic():
        _, voter = _open_poll(poll_id, now, member_id)
        deleted, _ = Vote.objects.filter(poll_id=poll_id, voter=voter).delete()
    schedule_refresh("poll", poll_id)
    return deleted


def my_choices(poll: Poll, member_id: int) -> tuple[int, ...]:
    return tuple(
        Vote.objects.filter(poll=poll, voter=voter_key(poll, member_id))
        .order_by("option__position")
        .values_list("option__position", flat=True)
    )


def close_poll(poll_id: int, *, now: datetime) -> bool:
    """Close an open poll exactly once (compare-and-set); True for the caller that closed it.

    The caller that closed it posts the final result; everyone else does nothing. A date
    poll is decided by its closing rule instead (``polls.date_polls``: the most votes).
    """
    if Poll.objects.filter(id=poll_id, kind=Poll.Kind.DATES).exists():
        try:
            date_polls.decide(poll_id, None, now=now)
        except RuleError:  # closed already (another caller, or its date was chosen)
            return False
        return True
    with transaction.atomic():
        closed = Poll.objects.filter(id=poll_id, status=Poll.Status.OPEN).update(
            status=Poll.Status.CLOSED, closed_at=now
        )
        if closed:
            messages.poll_closed(Poll.objects.select_related("guild").get(id=poll_id))
            schedule_refresh("poll", poll_id)
    return bool(closed)


def due_polls(*, now: datetime, batch: int = 100) -> list[int]:
    return list(
        Poll.objects.filter(status=Poll.Status.OPEN, closes_at__lte=now)
        .order_by("closes_at")
        .values_list("id", flat=True)[:batch]
    )


def close_due_polls(*, now: datetime) -> list[int]:
    """Close every poll past its deadline; returns the ids this call closed."""
    return [poll_id for poll_id in due_polls(now=now) if close_poll(poll_id, now=now)]
