"""An event's registrations: list them, and set or remove a member's as an organiser would.

Setting a status goes through ``events.services.respond``, as if the member had clicked:
Going on a full event joins the waitlist, and after the signup deadline only declined is
accepted. Removing goes through ``remove_registration``: the place goes to the waitlist.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from api.errors import ApiError, field_error, rule_refusal
from api.routes.common import guild_of
from api.routes.events import find_event
from api.schemas import Error, Page, PageQuery, RowId, Snowflake, page, responses
from core.errors import RuleError
from core.models import GuildMember
from events import services
from events.models import Registration

router = Router(tags=["registrations"])
Registered = Registration.Status


class RegistrationOut(Schema):
    member_id: Snowflake
    username: str
    display_name: str
    status: Literal["going", "maybe", "declined", "waitlisted"]
    waitlist_position: int | None
    responded_at: datetime
    option: str | None = Field(description="The signup option going or waiting as (events with options).")

    @staticmethod
    def of(registration: Registration) -> dict:
        position = getattr(registration, "position", None)
        return {
            "member_id": str(registration.member_id),
            "username": registration.member.username,
            "display_name": registration.member.display_name,
            "status": registration.status,
            "waitlist_position": position if registration.status == Registered.WAITLISTED else None,
            "responded_at": registration.responded_at,
            "option": registration.option.label if registration.option_id else None,
        }


class RegistrationFilters(PageQuery):
    status: Literal["going", "maybe", "declined", "waitlisted"] | None = None


class RegistrationSet(Schema):
    status: Literal["going", "maybe", "declined"]
    option: str | None = Field(
        None, max_length=40, description="Going as this signup option (its label), on an event with options."
    )


def ranked(event_id: int):
    """The event's registrations in click order, each with its place within its status."""
    order = [F("sequence").asc(), F("id").asc()]
    return (
        Registration.objects.filter(event_id=event_id)
        .select_related("member", "option")
        .annotate(position=Window(RowNumber(), partition_by=[F("status")], order_by=order))
        .order_by("status", "sequence", "id")
    )


@router.get(
    "/guilds/{guild_id}/events/{event_id}/registrations",
    response=responses({200: Page[RegistrationOut]}),
    summary="An event's registrations (by status, then click order)",
)
def list_registrations(request: HttpRequest, guild_id: RowId, event_id: RowId, filters: Query[RegistrationFilters]):
    event = find_event(guild_of(request, guild_id), event_id)
    rows = ranked(event.id)
    if filters.status:
        rows = rows.filter(status=filters.status)
    return page(rows, filters, RegistrationOut.of)


def _member_of(event, member_id: int) -> None:
    if not GuildMember.objects.filter(guild_id=event.guild_id, member_id=member_id, left_at__isnull=True).exists():
        raise ApiError(404, "There is no such member in this guild.")


def _option_id(event, data: RegistrationSet) -> int | None:
    """The id of the option named (only with going); an unknown label is 422 naming it."""
    if data.option is None or data.status != Registered.GOING:
        return None
    option = event.signup_options.filter(label__iexact=data.option.strip()).first()
    if option is None:
        labels = ", ".join(o.label for o in event.signup_options.all()) or "none"
        detail = f"That is not one of this event's signup options ({labels})."
        raise ApiError(422, detail, [field_error(["body", "option"], detail, "rule")])
    return option.id


@router.put(
    "/guilds/{guild_id}/events/{event_id}/registrations/{member_id}",
    response=responses({200: RegistrationOut, 409: Error}),
    summary="Set a member's registration, as if they had clicked (a full event puts them on the waitlist)",
)
def set_registration(request: HttpRequest, guild_id: RowId, event_id: RowId, member_id: RowId, data: RegistrationSet):
    event = find_event(guild_of(request, guild_id), event_id)
    _member_of(event, member_id)
    now = timezone.now()
    option_id = _option_id(event, data)
    try:
        services.respond(
            event.id, member_id, data.status, sequence=services.click_sequence(now), now=now, option_id=option_id
        )
    except RuleError as error:
        loc = ["body", "option"] if "Choose how you are going" in error.message else None
        raise rule_refusal(error, status=422 if loc else 409, loc=loc) from None
    registration = Registration.objects.select_related("member", "option").get(event_id=event.id, member_id=member_id)
    registration.position = services.waitlist_position(registration)
    return RegistrationOut.of(registration)


@router.delete(
    "/guilds/{guild_id}/events/{event_id}/registrations/{member_id}",
    response=responses({204: None}),
    summary="Remove a member's registration (the first on the waitlist moves up)",
)
def remove_registration(request: HttpRequest, guild_id: RowId, event_id: RowId, member_id: RowId):
    event = find_event(guild_of(request, guild_id), event_id)
    try:
        services.remove_registration(event.id, member_id, now=timezone.now())
    except RuleError as error:
        raise ApiError(404, error.message) from None
    return Status(204, None)
