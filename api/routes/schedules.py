"""Scheduled messages: CRUD, pause and resume through ``community.schedules``.

A schedule is replaced whole (PUT), as the service takes it: its first time must be in
the future, and it posts next at its first occurrence from then.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from api import idempotency
from api.errors import ApiError, field_error, rule_refusal
from api.routes.common import Moment, guild_of, posting_channel
from api.routes.custom_commands import Embed, EmbedOut, Roles, embed_of
from api.schemas import Error, Page, PageQuery, RowId, Snowflake, page, responses, text
from community import schedules
from community.models import ScheduledMessage
from community.schedules import ScheduleDraft
from core.errors import RuleError
from core.models import Guild
from core.timezones import validate_timezone

router = Router(tags=["scheduled messages"])
SHOWN = 5  # next occurrences shown with a schedule


class ScheduleIn(Schema):
    channel_id: Snowflake = Field(description="The announcement channel, or one Muster already posts in.")
    starts_at: Moment = Field(description="The first time (with a UTC offset); it repeats on the zone's wall clock.")
    repeat: text(60) = Field(
        "once", description='once, daily, weekly ("weekly mon,thu"), monthly ("monthly 2nd tue", "monthly last fri").'
    )
    ends_on: date | None = Field(None, description="The last day it may post, in its time zone.")
    timezone: text(64) = Field("", description="An IANA zone such as Europe/Paris; empty: the guild's.")
    content: text(2000) = ""
    embed: Embed | None = None
    mention_role_ids: Roles = []
    grace_minutes: Annotated[int, Field(ge=0, le=schedules.MAX_GRACE_MINUTES)] = Field(
        60, description="After an outage, occurrences missed by more than this are skipped."
    )


class ScheduleOut(Schema):
    id: int
    channel_id: Snowflake
    content: str
    embed: EmbedOut | None
    mention_role_ids: list[Snowflake]
    timezone: str
    starts_at: datetime
    repeat: str = Field(description='As it reads back: "weekly on mon, thu".')
    ends_on: date | None
    grace_minutes: int
    status: Literal["active", "paused", "finished"]
    paused_reason: str
    next_occurrences: list[datetime] = Field(description=f"The next {SHOWN} times it posts (none while paused).")
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def of(schedule: ScheduledMessage) -> dict:
        plan = schedules.plan_of(schedule)
        following = []
        if schedule.status == ScheduledMessage.Status.ACTIVE and schedule.next_occurrence_at:
            first = schedule.next_occurrence_at
            following = [first, *schedules.upcoming(plan, after=first, count=SHOWN - 1)]
        return {
            **{name: getattr(schedule, name) for name in ("id", "content", "timezone", "starts_at", "ends_on")},
            **{name: getattr(schedule, name) for name in ("grace_minutes", "status", "paused_reason")},
            **{name: getattr(schedule, name) for name in ("created_at", "updated_at")},
            "channel_id": str(schedule.channel_id),
            "embed": schedule.embed or None,
            "mention_role_ids": [str(role) for role in schedule.mention_role_ids],
            "repeat": schedules.describe_recurrence(plan.recurrence),
            "next_occurrences": following,
        }


class ScheduleFilters(PageQuery):
    status: Literal["active", "paused", "finished"] | None = None


def find(guild: Guild, schedule_id: int) -> ScheduledMessage:
    schedule = ScheduledMessage.objects.filter(guild=guild, id=schedule_id).select_related("guild").first()
    if schedule is None:
        raise ApiError(404, "There is no such scheduled message in this guild.")
    return schedule


def draft_of(guild: Guild, data: ScheduleIn) -> ScheduleDraft:
    try:
        validate_timezone(data.timezone)
    except DjangoValidationError as error:
        message = error.messages[0]
        raise ApiError(422, message, [field_error(["body", "timezone"], message)]) from None
    try:
        recurrence = schedules.parse_recurrence(data.repeat)
    except RuleError as error:
        raise rule_refusal(error, status=422, loc=["body", "repeat"]) from None
    return ScheduleDraft(
        channel_id=posting_channel(guild, data.channel_id),
        starts_at=data.starts_at,
        content=data.content,
        embed=embed_of(data.embed),
        recurrence=recurrence,
        ends_on=data.ends_on,
        grace_minutes=data.grace_minutes,
        mention_role_ids=tuple(int(role) for role in data.mention_role_ids),
        timezone=data.timezone,
    )


def _json(schedule: ScheduledMessage) -> dict:
    return ScheduleOut.model_validate(ScheduleOut.of(schedule)).model_dump(mode="json")


@router.get("/guilds/{guild_id}/scheduled-messages", response=responses({200: Page[ScheduleOut]}), summary="List")
def list_schedules(request: HttpRequest, guild_id: RowId, filters: Query[ScheduleFilters]):
    rows = ScheduledMessage.objects.filter(guild=guild_of(request, guild_id)).order_by("id")
    if filters.status:
        rows = rows.filter(status=filters.status)
    return page(rows, filters, ScheduleOut.of)


# Before the {schedule_id} routes, which would otherwise take "preview" for an id.
@router.post(
    "/guilds/{guild_id}/scheduled-messages/preview",
    response=responses({200: list[datetime]}),
    summary="The first five times a schedule would post, checked as creating it is (nothing is saved)",
)
def preview_schedule(request: HttpRequest, guild_id: RowId, data: ScheduleIn):
    guild = guild_of(request, guild_id)
    draft = draft_of(guild, data)
    try:
        return schedules.preview(guild, draft, now=timezone.now())
    except RuleError as error:
        raise rule_refusal(error, status=422, loc=["body"]) from None


@router.get(
    "/guilds/{guild_id}/scheduled-messages/{schedule_id}", response=responses({200: ScheduleOut}), summary="Get"
)
def get_schedule(request: HttpRequest, guild_id: RowId, schedule_id: RowId):
    return ScheduleOut.of(find(guild_of(request, guild_id), schedule_id))


@router.post(
    "/guilds/{guild_id}/scheduled-messages",
    response=responses({201: ScheduleOut}),
    summary="Schedule a message (as /schedule create does)",
)
def create_schedule(request: HttpRequest, response: HttpResponse, guild_id: RowId, data: ScheduleIn):
    guild = guild_of(request, guild_id)

    def work():
        draft = draft_of(guild, data)
        try:
            schedule = schedules.create_schedule(guild, draft, now=timezone.now())
        except RuleError as error:
            raise rule_refusal(error, status=422, loc=["body"]) from None
        return 201, _json(schedule)

    return Status(*idempotency.once(request, response, work))


@router.put(
    "/guilds/{guild_id}/scheduled-messages/{schedule_id}",
    response=responses({200: ScheduleOut}),
    summary="Replace a schedule (it posts next at its new first occurrence)",
)
def replace_schedule(request: HttpRequest, guild_id: RowId, schedule_id: RowId, data: ScheduleIn):
    schedule = find(guild_of(request, guild_id), schedule_id)
    draft = draft_of(schedule.guild, data)
    try:
        saved = schedules.update_schedule(schedule, draft, now=timezone.now())
    except RuleError as error:
        raise rule_refusal(error, status=422, loc=["body"]) from None
    return ScheduleOut.of(saved)


@router.post(
    "/guilds/{guild_id}/scheduled-messages/{schedule_id}/pause",
    response=responses({200: ScheduleOut, 409: Error}),
    summary="Pause a schedule (nothing posts until it is resumed)",
)
def pause_schedule(request: HttpRequest, guild_id: RowId, schedule_id: RowId):
    schedule = find(guild_of(request, guild_id), schedule_id)
    paused = schedules.pause_schedule(schedule, now=timezone.now(), reason="paused through the API")
    if not paused and schedule.status != ScheduledMessage.Status.PAUSED:
        raise ApiError(409, f"That schedule is {schedule.status}, not active: only an active one can be paused.")
    return ScheduleOut.of(find(schedule.guild, schedule.id))


@router.post(
    "/guilds/{guild_id}/scheduled-messages/{schedule_id}/resume",
    response=responses({200: ScheduleOut, 409: Error}),
    summary="Resume a paused schedule at its next occurrence from now",
)
def resume_schedule(request: HttpRequest, guild_id: RowId, schedule_id: RowId):
    schedule = find(guild_of(request, guild_id), schedule_id)
    try:
        saved = schedules.resume_schedule(schedule, now=timezone.now())
    except RuleError as error:
        raise rule_refusal(error, status=409) from None
    return ScheduleOut.of(saved)


@router.delete("/guilds/{guild_id}/scheduled-messages/{schedule_id}", response=responses({204: None}), summary="Delete")
def delete_schedule(request: HttpRequest, guild_id: RowId, schedule_id: RowId):
    schedules.delete_schedule(find(guild_of(request, guild_id), schedule_id))
    return Status(204, None)
