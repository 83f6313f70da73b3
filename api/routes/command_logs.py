"""The command log: every interaction Muster handled in the guild, newest first.

Rows of redacted interactions (votes in anonymous polls) are shown as stored: options
``{"redacted": true}``, no member, times to the hour, a keyed hash for an id. Neither the
answer a member got nor the error text is part of the API.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from api.routes.common import Moment, guild_of, snowflake
from api.schemas import Page, PageQuery, RowId, Snowflake, page, responses, text
from core.interactions.dispatcher import REDACTED_OPTIONS
from core.models import CommandLog

router = Router(tags=["command logs"])
Outcome = Literal["pending", "ok", "refused", "error", "unknown"]


class CommandLogOut(Schema):
    id: str = Field(description="The interaction id; for a redacted row, a keyed hash of it (negative).")
    kind: str
    command: str
    member_id: Snowflake | None
    options: dict
    outcome: Outcome
    redacted: bool
    received_at: datetime
    answered_at: datetime | None
    ack_latency_ms: int | None
    completion_latency_ms: int | None
    attempts: int
    reference: str = Field(description="The error reference the member was shown, if any.")

    @staticmethod
    def of(row: CommandLog) -> dict:
        return {
            "id": str(row.interaction_id),
            **{name: getattr(row, name) for name in ("kind", "command", "options", "outcome", "received_at")},
            **{name: getattr(row, name) for name in ("answered_at", "ack_latency_ms", "completion_latency_ms")},
            "member_id": snowflake(row.member_id),
            "redacted": row.options == REDACTED_OPTIONS,
            "attempts": row.attempts,
            "reference": row.reference,
        }


class CommandLogFilters(PageQuery):
    command: text(100) | None = Field(None, description='The command path or route, exactly: "event create".')
    member_id: Snowflake | None = None
    outcome: Outcome | None = None
    since: Moment | None = Field(None, description="Received at or after (with a UTC offset).")
    until: Moment | None = Field(None, description="Received before (with a UTC offset).")


@router.get(
    "/guilds/{guild_id}/command-logs", response=responses({200: Page[CommandLogOut]}), summary="The command log"
)
def list_command_logs(request: HttpRequest, guild_id: RowId, filters: Query[CommandLogFilters]):
    rows = CommandLog.objects.filter(guild=guild_of(request, guild_id)).order_by("-received_at", "-interaction_id")
    if filters.command:
        rows = rows.filter(command=filters.command)
    if filters.member_id:
        rows = rows.filter(member_id=int(filters.member_id))
    if filters.outcome:
        rows = rows.filter(outcome=filters.outcome)
    if filters.since:
        rows = rows.filter(received_at__gte=filters.since)
    if filters.until:
        rows = rows.filter(received_at__lt=filters.until)
    return page(rows, filters, CommandLogOut.of)
