"""How a poll looks in Discord: live tallies as bars, a button per option (a select
beyond five, except in anonymous polls), and for open polls who voted, as plain dicts."""

from __future__ import annotations

from events.render import mention_list, timestamp, truncate
from polls.models import Poll
from polls.services import Tally

BAR_WIDTH = 16
BUTTONS_MAX = 5
VOTERS_FIELD_LIMIT = 380  # 10 such fields plus the bars stay under Discord's 6000 per embed
COLOUR_OPEN = 0x57F287
COLOUR_CLOSED = 0x99AAB5


def bar(votes: int, total: int) -> str:
    filled = round(BAR_WIDTH * votes / total) if total else 0
    return "█" * filled + "░" * (BAR_WIDTH - filled)


def tally_lines(tallies: list[Tally]) -> str:
    total = sum(t.votes for t in tallies)
    lines = []
    for t in tallies:
        share = round(100 * t.votes / total) if total else 0
        lines.append(f"**{t.position}. {t.label}**\n`{bar(t.votes, total)}` {t.votes} · {share}%")
    return "\n".join(lines)


def poll_embed(poll: Poll, tallies: list[Tally], voters: dict[int, list[int]] | None = None) -> dict:
    """The poll's embed. ``voters`` (member ids per option position) is ignored when anonymous."""
    closed = poll.status == Poll.Status.CLOSED
    total = sum(t.votes for t in tallies)
    kind = "multiple choice" if poll.multiple_choice else "single choice"
    kind += ", anonymous" if poll.anonymous else ""
    footer = f"Poll {poll.id} · {kind} · {total} vote{'s' if total != 1 else ''}"
    status = "**Closed.**" if closed else "Click to vote; click again to withdraw."
    if not closed and poll.closes_at:
        status = f"Closes {timestamp(poll.closes_at, 'R')}. " + status
    embed = {
        "title": truncate(("[Closed] " if closed else "") + poll.question, 256),
        "description": f"{tally_lines(tallies)}\n\n{status}",
        "color": COLOUR_CLOSED if closed else COLOUR_OPEN,
        "footer": {"text": footer},
    }
    if voters and not poll.anonymous:
        counts = {t.position: t.votes for t in tallies}
        embed["fields"] = [
            {
                "name": truncate(f"{t.position}. {t.label}", 256),
                "value": mention_list(voters[t.position], counts[t.position], VOTERS_FIELD_LIMIT),
                "inline": True,
            }
            for t in tallies
            if voters.get(t.position)
        ]
    return embed


def poll_components(poll: Poll, tallies: list[Tally]) -> list[dict]:
    if poll.status == Poll.Status.CLOSED:
        return []
    if len(tallies) <= BUTTONS_MAX or poll.anonymous:
        # Anonymous polls always get buttons (a select is redacted from the command log
        # all the same: see polls.interactions).
        rows = [
            {
                "type": 1,
                "components": [
                    {"type": 2, "style": 1, "label": truncate(f"{t.position}. {t.label}", 80),
                     "custom_id": f"poll:vote:{poll.id}:{t.option_id}"}
                    for t in tallies[start : start + BUTTONS_MAX]
                ],
            }
            for start in range(0, len(tallies), BUTTONS_MAX)
        ]  # fmt: skip
    else:
        rows = [
            {
                "type": 1,
                "components": [
                    {
                        "type": 3,
                        "custom_id": f"poll:select:{poll.id}",
                        "placeholder": "Choose options" if poll.multiple_choice else "Choose an option",
                        "min_values": 1,
                        "max_values": len(tallies) if poll.multiple_choice else 1,
                        "options": [
                            {"label": truncate(f"{t.position}. {t.label}", 100), "value": str(t.option_id)}
                            for t in tallies
                        ],
                    }
                ],
            }
        ]
    withdraw = {
        "type": 1,
        "components": [{"type": 2, "style": 2, "label": "Withdraw my vote", "custom_id": f"poll:withdraw:{poll.id}"}],
    }
    return [*rows, withdraw]


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
        headline = f"Result: **{truncate(winners[0], 80)}** with {top} vote{'s' if top != 1 else ''}."
    else:
        headline = f"Tie at {top} votes: " + ", ".join(f"**{truncate(w, 80)}**" for w in winners) + "."
    return {
        "content": truncate(f"Poll closed: **{poll.question}**\n{headline}", 2000),
        "embeds": [{"description": tally_lines(tallies), "color": COLOUR_CLOSED}],
        "allowed_mentions": {"parse": []},
    }
