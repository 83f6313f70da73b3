"""What polls offer to views over several domains (core.datasets): poll results.

One row per option with its vote count. An open poll's row also names its voters; an
anonymous poll's row never does (counts only), whatever the view.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count

from core.datasets import DATETIME, INTEGER, Column, Dataset, Row, Selection, aggregate_fingerprint, register
from core.models import GuildMember
from polls.models import Option, Poll, Vote

VOTERS_SHOWN = 50  # names per option in the Voters cell (a cell holds at most 50,000 characters)


def _voters(poll_ids: list[int], guild_id: int) -> dict[int, list[str]]:
    names = {
        str(gm.member_id): gm.nickname or str(gm.member)
        for gm in GuildMember.objects.filter(guild_id=guild_id).select_related("member")
    }
    voters: dict[int, list[str]] = {}
    votes = Vote.objects.filter(poll_id__in=poll_ids, poll__anonymous=False).order_by("cast_at", "id")
    for option_id, voter in votes.values_list("option_id", "voter"):
        listed = voters.setdefault(option_id, [])
        if len(listed) < VOTERS_SHOWN:
            listed.append(names.get(voter, voter))
    return voters


def result_rows(selection: Selection) -> Iterator[Row]:
    polls = Poll.objects.filter(guild=selection.guild)
    options = (
        Option.objects.filter(poll__in=polls)
        .select_related("poll")
        .annotate(n=Count("votes"))
        .order_by("poll__created_at", "poll_id", "position")
    )
    options = list(options)
    voters = _voters(sorted({option.poll_id for option in options}), selection.guild.id)
    for option in options:
        poll = option.poll
        yield Row(
            f"poll-{poll.id}-option-{option.position}",
            {
                "Poll ID": poll.id,
                "Question": poll.question,
                "Option": option.label,
                "Votes": option.n,
                "Voters": "" if poll.anonymous else ", ".join(voters.get(option.id, [])),
                "Anonymous": "yes" if poll.anonymous else "no",
                "Poll status": poll.get_status_display(),
                "Closes": poll.closed_at or poll.closes_at,
            },
        )


def result_fingerprint(selection: Selection) -> str:
    polls = Poll.objects.filter(guild=selection.guild)
    votes = Vote.objects.filter(poll__in=polls)
    # A moved vote in an anonymous poll keeps the count and cast_at (the poll's opening):
    # it is a new row, so the newest id tells.
    return aggregate_fingerprint(polls, "closes_at", "closed_at") + "/" + aggregate_fingerprint(votes, "cast_at", "id")


register(
    Dataset(
        name="poll_results",
        title="Poll results",
        columns=(
            Column("Poll ID", INTEGER),
            Column("Question"),
            Column("Option"),
            Column("Votes", INTEGER),
            Column("Voters"),
            Column("Anonymous"),
            Column("Poll status"),
            Column("Closes", DATETIME),
        ),
        rows=result_rows,
        fingerprint=result_fingerprint,
    )
)
