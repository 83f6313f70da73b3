"""Worker-side handlers of /poll and the poll buttons and select.

In an anonymous poll nothing that names the member and their choice is kept: votes and
selections are routed with ``redact=anonymous_poll``, so the command log and the worker's
log lines never hold the option ids or select values (whatever the outcome), and the
private answer does not repeat the choice (answers are stored in the command log with
the member).
"""

from __future__ import annotations

from django.utils import timezone

from core.models import Guild
from discord_gateway.interaction import Interaction, Refusal, Reply
from discord_gateway.routing import command, component, modal
from events.interactions import member_zone, organiser, read_time
from events.organisers import REFUSAL
from events.render import timestamp
from polls import services
from polls.models import Poll
from polls.services import Ballot, PollRuleError


def _rules(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except PollRuleError as error:
        raise Refusal(str(error)) from None


def _poll(poll_id, guild_id: int | None) -> Poll:
    poll = Poll.objects.filter(id=int(poll_id), guild_id=guild_id).first()
    if poll is None:
        raise Refusal("There is no such poll in this server.")
    return poll


@modal("poll:create", allowed=organiser)
def create(interaction: Interaction) -> Reply:
    multiple, anonymous = (bool(int(flag)) for flag in interaction.ids[:2])
    fields, now = interaction.fields, timezone.now()
    closes_at = read_time(fields.get("closes"), member_zone(interaction), now, "closing time")
    poll = _rules(
        services.create_poll, Guild.objects.get(id=interaction.guild_id), now=now,
        question=fields.get("question") or "", options=(fields.get("options") or "").splitlines(),
        multiple_choice=multiple, anonymous=anonymous, closes_at=closes_at,
        created_by_id=interaction.actor.id, channel_id=interaction.channel_id,
    )  # fmt: skip
    closes = f" It closes {timestamp(closes_at, 'F')}." if closes_at else " Close it with /poll close."
    return Reply(content=f"Poll {poll.id} is posted in <#{poll.channel_id}>.{closes}")


@command("poll close")
def close(interaction: Interaction) -> Reply:
    poll = _poll(interaction.options["poll"], interaction.guild_id)
    if poll.created_by_id != interaction.actor.id and not organiser(interaction):
        raise Refusal(REFUSAL)
    if not services.close_poll(poll.id, now=timezone.now()):
        raise Refusal("That poll is already closed.")
    return Reply(content=f"Closed poll {poll.id}; the result is posted in <#{poll.channel_id}>.")


def _answer(poll: Poll, ballot: Ballot) -> Reply:
    if poll.anonymous:
        text = {"withdrawn": "Your vote was withdrawn.", "unchanged": "Your vote is unchanged."}.get(
            ballot.action, "Your vote is counted. This poll is anonymous: nobody can see what you chose."
        )
        return Reply(content=text)
    labels = dict(poll.options.values_list("position", "label"))
    chosen = ", ".join(f"**{labels[p]}**" for p in ballot.chosen)
    return Reply(content=f"Your vote: {chosen}." if chosen else "You have no vote in this poll now.")


def anonymous_poll(interaction: Interaction) -> bool:
    """Whether the interaction is a choice in an anonymous poll (its first id is the poll's)."""
    return bool(Poll.objects.filter(id=int(interaction.ids[0])).values_list("anonymous", flat=True).first())


@component("poll:vote", redact=anonymous_poll)
def vote(interaction: Interaction) -> Reply:
    poll_id, option_id = interaction.ids
    poll = _poll(poll_id, interaction.guild_id)
    ballot = _rules(services.vote, poll.id, int(option_id), interaction.actor.id, now=timezone.now())
    return _answer(poll, ballot)


@component("poll:select", redact=anonymous_poll)
def select(interaction: Interaction) -> Reply:
    poll = _poll(interaction.ids[0], interaction.guild_id)
    option_ids = [int(value) for value in interaction.values]
    ballot = _rules(services.choose, poll.id, option_ids, interaction.actor.id, now=timezone.now())
    return _answer(poll, ballot)


@component("poll:withdraw")
def withdraw(interaction: Interaction) -> Reply:
    poll = _poll(interaction.ids[0], interaction.guild_id)
    removed = _rules(services.withdraw, poll.id, interaction.actor.id, now=timezone.now())
    return Reply(content="Your vote was withdrawn." if removed else "You had not voted in this poll.")
