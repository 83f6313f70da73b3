"""Polls and their results; who voted only for polls that are not anonymous."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from api.errors import ApiError
from api.routes.common import guild_of, snowflake
from api.schemas import Page, PageQuery, RowId, Snowflake, page, responses
from polls.models import Poll

router = Router(tags=["polls"])
VOTERS_SHOWN = 100  # per option


class PollOut(Schema):
    id: int
    guild_id: Snowflake
    question: str
    multiple_choice: bool
    anonymous: bool
    status: Literal["open", "closed"]
    closes_at: datetime | None
    closed_at: datetime | None
    channel_id: Snowflake | None
    message_id: Snowflake | None
    created_at: datetime

    @staticmethod
    def of(poll: Poll) -> dict:
        return {
            **{name: getattr(poll, name) for name in ("id", "question", "multiple_choice", "anonymous", "status")},
            **{name: getattr(poll, name) for name in ("closes_at", "closed_at", "created_at")},
            "guild_id": str(poll.guild_id),
            "channel_id": snowflake(poll.channel_id),
            "message_id": snowflake(poll.message_id),
        }


class OptionResult(Schema):
    id: int
    position: int
    label: str
    votes: int
    voters: list[Snowflake] | None = Field(
        description=f"Member ids in voting order (the first {VOTERS_SHOWN}); null for an anonymous poll."
    )


class PollResults(PollOut):
    votes: int = Field(description="Votes on every option together.")
    options: list[OptionResult]


class PollFilters(PageQuery):
    status: Literal["open", "closed"] | None = None


@router.get("/guilds/{guild_id}/polls", response=responses({200: Page[PollOut]}), summary="List polls, newest first")
def list_polls(request: HttpRequest, guild_id: RowId, filters: Query[PollFilters]):
    rows = Poll.objects.filter(guild=guild_of(request, guild_id)).order_by("-created_at", "-id")
    if filters.status:
        rows = rows.filter(status=filters.status)
    return page(rows, filters, PollOut.of)


@router.get(
    "/guilds/{guild_id}/polls/{poll_id}",
    response=responses({200: PollResults}),
    summary="One poll with its results (voters only when it is not anonymous)",
)
def get_poll(request: HttpRequest, guild_id: RowId, poll_id: RowId):
    poll = Poll.objects.filter(guild=guild_of(request, guild_id), id=poll_id).first()
    if poll is None:
        raise ApiError(404, "There is no such poll in this guild.")
    voters = None if poll.anonymous else poll.voters(per_option=VOTERS_SHOWN)
    tally = poll.tally()
    options = [
        {
            "id": row.option_id,
            "position": row.position,
            "label": row.label,
            "votes": row.votes,
            "voters": None if voters is None else [str(voter) for voter in voters.get(row.position, [])],
        }
        for row in tally
    ]
    return {**PollOut.of(poll), "votes": sum(row.votes for row in tally), "options": options}
