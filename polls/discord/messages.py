"""How a poll looks in Discord: live tallies as bars, a button per option (a select
beyond five, except in anonymous polls), for open polls who voted, and the result.

The post and the result go through the outbox in the caller's transaction; the
``@renderer`` redraws a posted poll (the coalesced refresh of ``core.refresh``).
"""

from __future__ import annotations

from core import outbox
from core.interactions import CustomId
from core.interactions.components import button, row, select
from core.markup import bold, escape, escape_within, mention_list, timestamp, truncate
from core.refresh import Rendered, renderer
from polls.models import Poll, Tally

BAR_WIDTH = 16
BUTTONS_MAX = 5
VOTERS_FIELD_LIMIT = 380  # 10 such fields plus the bars stay under Discord's 6000 per embed
COLOUR_OPEN = 0x57F287
COLOUR_CLOSED = 0x99AAB5

VOTE = CustomId("poll:vote:{poll_id:int}:{option_id:int}")
SELECT = CustomId("poll:select:{poll_id:int}")
WITHDRAW = CustomId("poll:withdraw:{poll_id:int}")
# /poll create's form: the command's two flags ride in the id.
CREATE_FORM = CustomId("poll:create:{multiple:int}:{anonymous:int}")
# /poll dates' form: the event's capacity and length (minutes) ride in the id.
DATES_FORM = CustomId("poll:dates:{capacity:int}:{minutes:int}")
# A date poll's "Pick the date" button (organisers), and the private menu it opens.
PICK = CustomId("poll:pick:{poll_id:int}")
DECIDE = CustomId("poll:decide:{poll_id:int}")


def bar(votes: int, total: int) -> str:
    filled = round(BAR_WIDTH * votes / total) if total else 0
    return "█" * filled + "░" * (BAR_WIDTH - filled)


def tally_lines(tallies: list[Tally]) -> str:
    total = sum(t.votes for t in tallies)
    lines = []
    for t in tallies:
        share = round(100 * t.votes / total) if total else 0
        name = timestamp(t.starts_at, "F") if t.starts_at else escape(t.label)
        lines.append(f"**{t.position}. {name}**\n`{bar(t.votes, total)}` {t.votes} · {share}%")
    return "\n".join(lines)


def _how_to_vote(poll: Poll, tallies: list[Tally]) -> str:
    if _uses_buttons(poll, tallies):
        return "Click to vote; click again to withdraw."
    return "Choose from the menu; *Withdraw my vote* takes your vote back."


def _uses_buttons(poll: Poll, tallies: list[Tally]) -> bool:
    # Anonymous polls always get buttons (a select is redacted from the command log
    # all the same: see polls.discord.handlers).
    return len(tallies) <= BUTTONS_MAX or poll.anonymous


def poll_embed(poll: Poll, tallies: list[Tally], voters: dict[int, list[int]] | None = None) -> dict:
    """The poll's embed. ``voters`` (member ids per option position) is ignored when anonymous."""
    closed = poll.status == Poll.Status.CLOSED
    total = sum(t.votes for t in tallies)
    kind = "multiple choice" if poll.multiple_choice else "single choice"
    if poll.kind == Poll.Kind.DATES:
        kind = "date poll: vote for every time you can make"
    kind += ", anonymous" if poll.anonymous else ""
    footer = f"Poll {poll.id} · {kind} · {total} vote{'s' if total != 1 else ''}"
    status = "**Closed.**" if closed else _how_to_vote(poll, tallies)
    if poll.kind == Poll.Kind.DATES:
        status = _date_status(poll, tallies) if closed else status + " The most votes win when it closes."
    if not closed and poll.closes_at:
        status = f"Closes {timestamp(poll.closes_at, 'R')}. " + status
    embed = {
        "title": ("[Closed] " if closed else "") + escape_within(poll.question, 256 - len("[Closed] ")),
        "description": f"{tally_lines(tallies)}\n\n{status}",
        "color": COLOUR_CLOSED if closed else COLOUR_OPEN,
        "footer": {"text": footer},
    }
    if voters and not poll.anonymous:
        counts = {t.position: t.votes for t in tallies}
        embed["fields"] = [
            {
                "name": f"{t.position}. {escape(t.label)}",
                "value": mention_list(voters[t.position], counts[t.position], VOTERS_FIELD_LIMIT),
                "inline": True,
            }
            for t in tallies
            if voters.get(t.position)
        ]
    return embed


def _option_button(poll: Poll, t: Tally) -> dict:
    label = truncate(f"{t.position}. {t.label}", 80)
    return button(label, VOTE.build(poll_id=poll.id, option_id=t.option_id), style="primary")


def poll_components(poll: Poll, tallies: list[Tally]) -> list[dict]:
    if poll.status == Poll.Status.CLOSED:
        return []
    if _uses_buttons(poll, tallies):
        chunks = (tallies[start : start + BUTTONS_MAX] for start in range(0, len(tallies), BUTTONS_MAX))
        rows = [row(*(_option_button(poll, t) for t in chunk)) for chunk in chunks]
    else:
        options = [(truncate(f"{t.position}. {t.label}", 100), str(t.option_id)) for t in tallies]
        placeholder = "Choose options" if poll.multiple_choice else "Choose an option"
        max_values = len(tallies) if poll.multiple_choice else 1
        rows = [row(select(SELECT.build(poll_id=poll.id), options, placeholder=placeholder, max_values=max_values))]
    last = [button("Withdraw my vote", WITHDRAW.build(poll_id=poll.id))]
    if poll.kind == Poll.Kind.DATES:
        last.append(button("Pick the date (organisers)", PICK.build(poll_id=poll.id), style="success"))
    return [*rows, row(*last)]


def poll_message(poll: Poll, tallies: list[Tally], voters: dict[int, list[int]] | None = None) -> dict:
    return {
        "embeds": [poll_embed(poll, tallies, voters)],
        "components": poll_components(poll, tallies),
        "allowed_mentions": {"parse": []},
    }


def result_message(poll: Poll, tallies: list[Tally]) -> dict:
    """The final result, posted as its own message when the poll closes."""
    top = max((t.votes for t in tallies), default=0)
    winners = [t.label for t in tallies if t.votes == top and top]
    if not winners:
        headline = "No votes were cast."
    elif len(winners) == 1:
        headline = f"Result: {bold(winners[0], 80)} with {top} vote{'s' if top != 1 else ''}."
    else:
        headline = f"Tie at {top} votes: " + ", ".join(bold(w, 80) for w in winners) + "."
    return {
        "content": truncate(f"Poll closed: **{escape(poll.question)}**\n{headline}", 2000),
        "embeds": [{"description": tally_lines(tallies), "color": COLOUR_CLOSED}],
        "allowed_mentions": {"parse": []},
    }


def _date_status(poll: Poll, tallies: list[Tally]) -> str:
    chosen = next((t for t in tallies if t.option_id == poll.decided_option_id), None)
    if chosen is None:
        return "**Closed.** No date was chosen: nobody voted for a time still ahead."
    return f"**Closed. Date chosen: {timestamp(chosen.starts_at, 'F')}** ({_votes(chosen.votes)})."


def _votes(count: int) -> str:
    return f"{count} vote{'s' if count != 1 else ''}"


def decided_message(poll: Poll, tallies: list[Tally]) -> dict:
    """The result of a date poll, posted once: the chosen time and where the event is."""
    chosen = next((t for t in tallies if t.option_id == poll.decided_option_id), None)
    if chosen is None:
        headline = (
            "No date was chosen: nobody voted for a time still ahead. An organiser can still pick one "
            f"with /poll decide poll:{poll.id}."
        )
    else:
        where = f" The event is posted in <#{poll.channel_id}>;" if poll.channel_id else ""
        headline = (
            f"Date chosen: **{timestamp(chosen.starts_at, 'F')}** ({_votes(chosen.votes)}).{where} "
            f"everyone who voted for it is registered, in the order they voted."
        )
    return {
        "content": truncate(f"Date poll closed: **{escape(poll.question)}**\n{headline}", 2000),
        "embeds": [{"description": tally_lines(tallies), "color": COLOUR_CLOSED}],
        "allowed_mentions": {"parse": []},
    }


def decide_menu(poll: Poll, tallies: list[Tally]) -> list[dict]:
    """The private menu of a date poll's times for the organiser who clicked *Pick the date*."""
    options = [(truncate(f"{t.position}. {t.label} · {_votes(t.votes)}", 100), str(t.option_id)) for t in tallies]
    return [row(select(DECIDE.build(poll_id=poll.id), options, placeholder="Choose the date"))]


# The post and the result, through the outbox.


def post_key(poll: Poll) -> str:
    return f"poll-post:{poll.id}"


def post_poll(poll: Poll) -> None:
    """Post the new poll once; the renderer reads the delivered message id back."""
    if poll.channel_id is not None:
        message = poll_message(poll, poll.tally())
        outbox.enqueue(
            key=post_key(poll),
            channel_id=poll.channel_id,
            payload=message,
            guild_id=poll.guild_id,
            refresh=("poll", poll.id),  # delivered late, it is redrawn as it is by then
        )


def poll_closed(poll: Poll) -> None:
    """Post the final result once: the key names the poll, so a second close posts nothing."""
    if poll.channel_id is not None:
        message = result_message(poll, poll.tally())
        outbox.enqueue(
            key=f"poll-result:{poll.id}", channel_id=poll.channel_id, payload=message, guild_id=poll.guild_id
        )


def dates_decided(poll: Poll, option) -> None:
    """Post a date poll's result once (the same key as any poll's result)."""
    if poll.channel_id is not None:
        message = decided_message(poll, poll.tally())
        outbox.enqueue(
            key=f"poll-result:{poll.id}", channel_id=poll.channel_id, payload=message, guild_id=poll.guild_id
        )


@renderer("poll")
def render_poll(poll_id: int) -> Rendered | None:
    """The posted poll's tally as it is now (nothing until the post is delivered)."""
    poll = Poll.objects.filter(id=poll_id).first()
    if poll is None or poll.channel_id is None or outbox.posted_message_id(poll, post_key(poll)) is None:
        return None
    return Rendered(poll.channel_id, poll.message_id, poll_message(poll, poll.tally(), poll.voters()))
