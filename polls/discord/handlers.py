"""Worker-side handlers of /poll and the poll buttons and select.

In an anonymous poll nothing that names the member and their choice is kept: votes and
selections are routed with ``redact=anonymous_poll``, so the command log and the worker's
log lines never hold the option ids or select values (whatever the outcome), and the
private answer does not repeat the choice (answers are stored in the command log with
the member).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from core.errors import RuleError
from core.interactions import Interaction, Reply, Update, command, component, modal
from core.markup import escape, timestamp
from core.models import Guild
from core.permissions import organiser
from core.timeparse import day_first, describe, member_zone, parse_local_time, read_time
from polls import date_polls, services
from polls.discord import messages
from polls.discord.messages import CREATE_FORM, DATES_FORM, DECIDE, PICK, SELECT, VOTE, WITHDRAW
from polls.models import Poll
from polls.services import Ballot, PollDraft


def _poll(poll_id: int, guild_id: int | None) -> Poll:
    poll = Poll.objects.filter(id=int(poll_id), guild_id=guild_id).first()
    if poll is None:
        raise RuleError(services.NOT_IN_GUILD)
    return poll


@modal(CREATE_FORM, allowed=organiser)
def create(interaction: Interaction, multiple: int, anonymous: int) -> Reply:
    fields, now = interaction.fields, timezone.now()
    zone = member_zone(interaction.actor.id, interaction.guild_id)
    dmy = day_first(interaction.guild_id)
    closes_at = read_time(fields.get("closes"), zone, now=now, field="closing time", day_first=dmy)
    draft = PollDraft(
        question=fields.get("question") or "",
        options=(fields.get("options") or "").splitlines(),
        multiple_choice=bool(multiple),
        anonymous=bool(anonymous),
        closes_at=closes_at,
    )
    guild = Guild.objects.get(id=interaction.guild_id)
    poll = services.create_poll(
        guild, draft, now=now, created_by_id=interaction.actor.id, channel_id=interaction.channel_id
    )
    closes = " Close it with /poll close."
    if closes_at:
        closes = f" It closes {timestamp(closes_at, 'F')} (read as {describe(closes_at, zone)})."
    return Reply(content=f"Poll {poll.id} is posted in <#{poll.channel_id}>.{closes}")


def organiser_or_author(interaction: Interaction) -> bool:
    """Who may close a poll: organisers, and the poll's author."""
    poll_id = interaction.options.get("poll")
    authored = Poll.objects.filter(id=poll_id or 0, created_by_id=interaction.actor.id).exists()
    return authored or organiser(interaction)


@command("poll close", allowed=organiser_or_author)
def close(interaction: Interaction) -> Reply:
    poll = _poll(interaction.options["poll"], interaction.guild_id)
    if not services.close_poll(poll.id, now=timezone.now()):
        raise RuleError("That poll is already closed.")
    return Reply(content=f"Closed poll {poll.id}; the result is posted in <#{poll.channel_id}>.")


def _answer(poll: Poll, ballot: Ballot) -> Reply:
    if poll.anonymous:
        text = {"withdrawn": "Your vote was withdrawn.", "unchanged": "Your vote is unchanged."}.get(
            ballot.action, "Your vote is counted. This poll is anonymous: nobody can see what you chose."
        )
        return Reply(content=text)
    labels = ballot.labels if ballot.labels is not None else dict(poll.options.values_list("position", "label"))
    chosen = ", ".join(f"**{escape(labels[p])}**" for p in ballot.chosen)
    return Reply(content=f"Your vote: {chosen}." if chosen else "You have no vote in this poll now.")


def anonymous_poll(interaction: Interaction, poll_id: int, **parts) -> bool:
    """Whether the interaction is a choice in an anonymous poll."""
    return bool(Poll.objects.filter(id=poll_id).values_list("anonymous", flat=True).first())


@component(VOTE, redact=anonymous_poll)
def vote(interaction: Interaction, poll_id: int, option_id: int) -> Reply:
    if interaction.guild_id is None:
        raise RuleError(services.NOT_IN_GUILD)
    now, member_id = timezone.now(), interaction.actor.id
    ballot = services.vote(int(poll_id), option_id, member_id, now=now, guild_id=interaction.guild_id)
    return _answer(ballot.poll, ballot)


@component(SELECT, redact=anonymous_poll)
def select(interaction: Interaction, poll_id: int) -> Reply:
    poll = _poll(poll_id, interaction.guild_id)
    option_ids = [int(value) for value in interaction.values]
    ballot = services.choose(poll.id, option_ids, interaction.actor.id, now=timezone.now())
    return _answer(poll, ballot)


@component(WITHDRAW)
def withdraw(interaction: Interaction, poll_id: int) -> Reply:
    poll = _poll(poll_id, interaction.guild_id)
    removed = services.withdraw(poll.id, interaction.actor.id, now=timezone.now())
    return Reply(content="Your vote was withdrawn." if removed else "You had not voted in this poll.")


# Date polls (polls.date_polls): /poll dates, /poll decide, the Pick the date button and menu.


@modal(DATES_FORM, allowed=organiser)
def create_dates(interaction: Interaction, capacity: int, minutes: int) -> Reply:
    """The submitted /poll dates form: each line a time, read in the author's zone like event times."""
    fields, now = interaction.fields, timezone.now()
    zone = member_zone(interaction.actor.id, interaction.guild_id)
    dmy = day_first(interaction.guild_id)
    lines = [line for line in (fields.get("dates") or "").splitlines() if line.strip()]
    starts = [
        parse_local_time(line, zone, now=now, field=f"date {number}", day_first=dmy)
        for number, line in enumerate(lines, 1)
    ]
    draft = date_polls.DatePollDraft(
        title=fields.get("title") or "",
        starts=starts,
        closes_at=read_time(fields.get("closes"), zone, now=now, field="closing time", day_first=dmy),
        duration=timedelta(minutes=minutes) if minutes else None,
        capacity=capacity or None,
        location=fields.get("location") or "",
    )
    guild = Guild.objects.get(id=interaction.guild_id)
    poll = date_polls.create_date_poll(
        guild, draft, zone, now=now, created_by_id=interaction.actor.id, channel_id=interaction.channel_id
    )
    read_as = "; ".join(f"{o.position}. {describe(o.starts_at, zone)}" for o in poll.options.order_by("position"))
    closes = f"/poll decide poll:{poll.id} option:<number> chooses the date"
    if poll.closes_at:
        closes = f"It closes {timestamp(poll.closes_at, 'F')} with the most votes winning, unless {closes} first"
    return Reply(
        content=f"Date poll {poll.id} is posted in <#{poll.channel_id}>. The dates, earliest first, read as: "
        f"{read_as}. {closes}; the event is then created and its voters registered."
    )


@command("poll decide", allowed=organiser)
def decide(interaction: Interaction) -> Reply:
    poll = _poll(interaction.options["poll"], interaction.guild_id)
    option = poll.options.filter(position=int(interaction.options["option"])).first()
    if option is None:
        raise RuleError(f"Poll {poll.id} has no date number {interaction.options['option']}.")
    return Reply(content=_decided(poll, date_polls.decide(poll.id, option.id, now=timezone.now())))


@component(PICK, allowed=organiser)
def pick(interaction: Interaction, poll_id: int) -> Reply:
    """Pick the date on a date poll's post: a private menu of its times, with their votes."""
    poll = _poll(poll_id, interaction.guild_id)
    if poll.kind != Poll.Kind.DATES or poll.decided_option_id is not None:
        raise RuleError("This poll's date is already chosen." if poll.decided_option_id else "Not a date poll.")
    return Reply(
        content=f"Which date for **{escape(poll.question)}**? The event is created at once.",
        components=messages.decide_menu(poll, poll.tally()),
    )


@component(DECIDE, allowed=organiser)
def decide_from_menu(interaction: Interaction, poll_id: int) -> Update:
    poll = _poll(poll_id, interaction.guild_id)
    option_id = int(interaction.values[0]) if interaction.values else 0
    decided = date_polls.decide(poll.id, option_id, now=timezone.now(), guild_id=interaction.guild_id)
    return Update(content=_decided(poll, decided), components=[])


def _decided(poll: Poll, decided: date_polls.Decided) -> str:
    going = f"{decided.going} voter{'s' if decided.going != 1 else ''} registered"
    told = f"; {decided.others} who voted for other dates are told" if decided.others else ""
    return (
        f"Chose {timestamp(decided.option.starts_at, 'F')} for **{escape(poll.question)}**: the event is posted "
        f"in <#{poll.channel_id}>, {going} in vote order{told}."
    )
