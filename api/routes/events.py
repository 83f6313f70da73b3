"""Events: list, get, create, update and cancel, through ``events.services`` and its rules.

A refusal of what was sent (a start in the past, a title too long) is 422 naming the field;
a refusal because of the event's state (cancelled, people already going) is 409.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from api import idempotency
from api.errors import ApiError, field_error, rule_refusal
from api.routes import event_spaces
from api.routes.common import Moment, guild_of, posting_channel, snowflake
from api.routes.event_spaces import SpaceIn, SpaceOut
from api.schemas import Error, Page, PageQuery, RowId, Snowflake, page, responses, text
from core.errors import RuleError
from core.models import Guild
from core.timeparse import parse_offsets
from events import services, signup
from events.discord.messages import offset_text
from events.models import Event, Registration, SignupOption
from events.services import CAPACITY_MAX, DESCRIPTION_MAX, LOCATION_MAX, TITLE_MAX, EventDraft

router = Router(tags=["events"])
Registered = Registration.Status
Title, Location, Description = text(TITLE_MAX), text(LOCATION_MAX), text(DESCRIPTION_MAX)
Capacity = Annotated[int, Field(ge=1, le=CAPACITY_MAX)]
Reminders = Annotated[list[Annotated[str, Field(max_length=10)]], Field(max_length=5)]
Roles = Annotated[list[Snowflake], Field(max_length=signup.MAX_ROLES)]
# Which field a rule's sentence is about, by the words it uses (first match wins).
RULE_FIELDS = (
    ("signup option", "signup_options"),
    ("capacity of", "signup_options"),
    ("option needs", "signup_options"),
    ("restricted", "allowed_role_ids"),
    ("title", "title"),
    ("location", "location"),
    ("details", "description"),
    ("capacity", "capacity"),
    ("signup deadline", "signup_deadline"),
    ("the end", "ends_at"),
    ("start", "starts_at"),
    ("reminder", "reminders"),
)
NO_CHANNEL = "this server has no announcement channel: give channel_id"
UNKNOWN_CHANNEL = (
    "is not a channel Muster knows in this server: use the announcement channel or one an event or poll was posted in"
)


class SignupOptionIn(Schema):
    label: text(signup.LABEL_MAX)
    capacity: Capacity | None = Field(None, description="This option's own places. Blank: only the event's limit.")


class SignupOptionOut(SignupOptionIn):
    going: int
    waitlisted: int


OPTIONS_HELP = (
    "Going asks which (/event edit signup_options:): each option has its own capacity inside the event's, "
    "and beyond it members wait for a place of that option. [] for none."
)
ROLES_HELP = "Going and Maybe only for members holding one of these role ids (/event edit only_role:). [] for everyone."
SPACE_HELP = (
    "Its thread or private channel and attendee role (/event edit space:), kept to the members going "
    "and cleaned up after the event. A new event takes the guild's defaults (/event defaults)."
)


class EventOut(Schema):
    id: int
    guild_id: Snowflake
    title: str
    description: str
    location: str
    starts_at: datetime
    ends_at: datetime | None
    capacity: int | None
    signup_deadline: datetime | None
    status: Literal["scheduled", "cancelled"]
    channel_id: Snowflake | None
    message_id: Snowflake | None
    reminders: list[str] = Field(description='Offsets before the start, as typed in Discord: "1d", "1h".')
    needs_rides: bool = Field(description="Members organise rides for it (/ride); logistics tracks who has none.")
    needs_rooms: bool = Field(description="Members share rooms for it (/room); logistics tracks who has no bed.")
    signup_options: list[SignupOptionOut] = Field(description=OPTIONS_HELP)
    allowed_role_ids: list[Snowflake] = Field(description=ROLES_HELP)
    space: SpaceOut = Field(description=SPACE_HELP)
    going: int
    waitlisted: int
    maybe: int
    declined: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def of(event: Event) -> dict:
        counts = getattr(event, "counts", None) or event.roster().counts
        offsets = sorted((reminder.offset for reminder in event.reminders.all()), reverse=True)
        return {
            **{name: getattr(event, name) for name in ("id", "title", "description", "location", "capacity")},
            **{name: getattr(event, name) for name in ("starts_at", "ends_at", "signup_deadline", "status")},
            **{name: getattr(event, name) for name in ("needs_rides", "needs_rooms")},
            "guild_id": str(event.guild_id),
            "channel_id": snowflake(event.channel_id),
            "message_id": snowflake(event.message_id),
            "reminders": [offset_text(offset) for offset in offsets],
            "signup_options": [
                {"label": o.label, "capacity": o.capacity, "going": o.going, "waitlisted": o.waitlisted}
                for o in event.signup_options.all()
            ],
            "allowed_role_ids": [str(role) for role in event.allowed_role_ids],
            "space": SpaceOut.of(event),
            **{status: counts.get(status, 0) for status in ("going", "waitlisted", "maybe", "declined")},
            "created_at": event.created_at,
            "updated_at": event.updated_at,
        }


class EventFilters(PageQuery):
    when: Literal["upcoming", "past", "all"] = Field("upcoming", description="Upcoming: not yet started.")
    status: Literal["scheduled", "cancelled"] | None = None
    channel_id: Snowflake | None = None


class EventCreate(Schema):
    title: Title
    starts_at: Moment
    ends_at: Moment | None = None
    description: Description = ""
    location: Location = ""
    capacity: Capacity | None = Field(None, description="Blank: no limit.")
    signup_deadline: Moment | None = Field(None, description="Registration closes then. Blank: at the start.")
    channel_id: Snowflake | None = Field(None, description="Where it is posted. Blank: the announcement channel.")
    reminders: Reminders = Field(["1h"], description='DMs to everyone going, e.g. ["1d", "1h"]; [] for none.')
    needs_rides: bool = Field(False, description="Members organise rides for it (/ride).")
    needs_rooms: bool = Field(False, description="Members share rooms for it (/room).")
    signup_options: list[SignupOptionIn] = Field([], max_length=signup.MAX_OPTIONS, description=OPTIONS_HELP)
    allowed_role_ids: Roles = Field([], description=ROLES_HELP)
    space: SpaceIn | None = Field(None, description=SPACE_HELP + " Blank: the defaults.")


class EventUpdate(Schema):
    """Only the fields sent change; null removes an end, a capacity or a signup deadline."""

    title: Title | None = None
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    description: Description | None = None
    location: Location | None = None
    capacity: Capacity | None = None
    signup_deadline: Moment | None = None
    reminders: Reminders | None = None
    needs_rides: bool | None = None
    needs_rooms: bool | None = None
    signup_options: list[SignupOptionIn] | None = Field(
        None,
        max_length=signup.MAX_OPTIONS,
        description="The options exactly (a label kept keeps its members; one members chose cannot go: 409).",
    )
    allowed_role_ids: Roles | None = None
    space: SpaceIn | None = Field(None, description="Only the space's fields sent change.")


def counted(rows):
    """Events with their registrations counted per status, their reminders and their signup
    options with theirs (four queries a page)."""
    by_status = {status: Count("registrations", filter=Q(registrations__status=status)) for status in Registered.values}
    options = SignupOption.objects.annotate(
        going=Count("registrations", filter=Q(registrations__status=Registered.GOING)),
        waitlisted=Count("registrations", filter=Q(registrations__status=Registered.WAITLISTED)),
    ).order_by("position", "id")  # grouped: Meta.ordering is left out
    annotated = rows.annotate(**{f"n_{status}": count for status, count in by_status.items()})
    return annotated.select_related("space").prefetch_related("reminders", Prefetch("signup_options", queryset=options))


def _with_counts(event: Event) -> Event:
    event.counts = {status: getattr(event, f"n_{status}") for status in Registered.values}
    return event


def find_event(guild: Guild, event_id: int) -> Event:
    event = counted(Event.objects.filter(guild=guild, id=event_id)).first()
    if event is None:
        raise ApiError(404, "There is no such event in this guild.")
    return _with_counts(event)


def rule_field(error: RuleError) -> list | None:
    words = error.message.lower()
    name = next((field for clue, field in RULE_FIELDS if clue in words), None)
    return ["body", name] if name else None


def invalid(error: RuleError) -> ApiError:
    return rule_refusal(error, status=422, loc=rule_field(error))


def gates(roles: list[str] | None, options: list[SignupOptionIn] | None) -> signup.Signup:
    """The roles and options sent, checked as Discord's are (422 naming the field)."""
    specs = tuple(signup.OptionSpec(option.label.strip(), option.capacity) for option in options or ())
    try:
        signup.validate_options(specs)
        return signup.Signup(signup.validate_roles(int(role) for role in roles or ()), specs)
    except RuleError as error:
        raise invalid(error) from None


def offsets(reminders: list[str]):
    try:
        return parse_offsets(",".join(reminders))
    except RuleError as error:
        raise rule_refusal(error, status=422, loc=["body", "reminders"]) from None


@router.get("/guilds/{guild_id}/events", response=responses({200: Page[EventOut]}), summary="List events")
def list_events(request: HttpRequest, guild_id: RowId, filters: Query[EventFilters]):
    rows = Event.objects.filter(guild=guild_of(request, guild_id))
    now = timezone.now()
    if filters.when == "upcoming":
        rows = rows.filter(starts_at__gt=now).order_by("starts_at", "id")
    elif filters.when == "past":
        rows = rows.filter(starts_at__lte=now).order_by("-starts_at", "-id")
    else:
        rows = rows.order_by("starts_at", "id")
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.channel_id:
        rows = rows.filter(channel_id=int(filters.channel_id))
    return page(counted(rows), filters, lambda event: EventOut.of(_with_counts(event)))


@router.get("/guilds/{guild_id}/events/{event_id}", response=responses({200: EventOut}), summary="One event")
def get_event(request: HttpRequest, guild_id: RowId, event_id: RowId):
    return EventOut.of(find_event(guild_of(request, guild_id), event_id))


@router.post(
    "/guilds/{guild_id}/events",
    response=responses({201: EventOut}),
    summary="Create an event (posted in Discord, as /event create does)",
)
def create_event(request: HttpRequest, response: HttpResponse, guild_id: RowId, data: EventCreate):
    guild = guild_of(request, guild_id)

    def work():
        draft = EventDraft(**{name: getattr(data, name) for name in EventDraft.__dataclass_fields__})
        reminder_offsets = offsets(data.reminders)
        channel_id = posting_channel(guild, data.channel_id, default=guild.announcement_channel_id)
        with transaction.atomic():  # a refused space makes no event either
            try:
                event = services.create_event(
                    guild,
                    draft,
                    now=timezone.now(),
                    channel_id=channel_id,
                    reminder_offsets=reminder_offsets,
                    gates=gates(data.allowed_role_ids, data.signup_options),
                )
            except RuleError as error:
                raise invalid(error) from None
            if data.space is not None:
                event_spaces.configure(event.id, data.space)
        return 201, EventOut.of(find_event(guild, event.id))

    return Status(*idempotency.once(request, response, lambda: _json(work())))


def _json(result: tuple[int, dict]) -> tuple[int, dict]:
    status, body = result
    return status, EventOut.model_validate(body).model_dump(mode="json")


NOT_NULL = ("title", "starts_at", "description", "location", "needs_rides", "needs_rooms")


@router.patch(
    "/guilds/{guild_id}/events/{event_id}",
    response=responses({200: EventOut, 409: Error}),
    summary="Change an event (registrants are told of a new title, time or place)",
)
def update_event(request: HttpRequest, guild_id: RowId, event_id: RowId, data: EventUpdate):
    event = find_event(guild_of(request, guild_id), event_id)
    sent = data.model_fields_set
    lists = ("reminders", "signup_options", "allowed_role_ids", "space")
    nulls = [name for name in (*NOT_NULL, *lists) if name in sent and getattr(data, name) is None]
    if nulls:
        errors = [field_error(["body", name], "may not be null") for name in nulls]
        raise ApiError(422, f"The request is not valid: body.{nulls[0]}: may not be null", errors)
    changes = {name: getattr(data, name) for name in sent if name not in lists}
    if not changes and not set(lists) & sent:
        raise ApiError(422, "Nothing to change: send at least one field.")
    if event.status == Event.Status.CANCELLED:
        raise ApiError(409, "This event is cancelled.")
    now = timezone.now()
    going = event.counts.get(Registered.GOING, 0)
    try:
        services.validate_event(services.edited_draft(event, changes), now=now, changed=changes, going=going)
    except RuleError as error:
        raise (rule_refusal(error) if "already going" in error.message else invalid(error)) from None
    if "reminders" in sent:
        changes["reminder_offsets"] = offsets(data.reminders)
    if {"signup_options", "allowed_role_ids"} & sent:
        sent_gates = gates(data.allowed_role_ids, data.signup_options)
        if "signup_options" in sent:
            changes["signup_options"] = list(sent_gates.options)
        if "allowed_role_ids" in sent:
            changes["allowed_role_ids"] = list(sent_gates.allowed_role_ids)
    with transaction.atomic():  # a refused space changes nothing else either
        if "space" in sent:
            event_spaces.configure(event.id, data.space)
        if changes:
            try:
                services.edit_event(event.id, now=now, **changes)
            except RuleError as error:
                raise rule_refusal(error) from None
    return EventOut.of(find_event(event.guild, event.id))


@router.post(
    "/guilds/{guild_id}/events/{event_id}/cancel",
    response=responses({200: EventOut}),
    summary="Cancel an event (registrants are told by DM); cancelling it again changes nothing",
)
def cancel_event(request: HttpRequest, response: HttpResponse, guild_id: RowId, event_id: RowId):
    event = find_event(guild_of(request, guild_id), event_id)

    def work():
        services.cancel_event(event.id, now=timezone.now())
        return 200, EventOut.of(find_event(event.guild, event.id))

    return Status(*idempotency.once(request, response, lambda: _json(work())))
