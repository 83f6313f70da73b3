"""Guild scheduled events (guild-scheduled-event.mdx): EXTERNAL events as a bot makes them.

EXTERNAL (3) events need ``entity_metadata.location`` and ``scheduled_end_time``; creating
one takes Create Events, changing or deleting one Manage Events (or Create Events when the
bot made it). Status moves SCHEDULED -> ACTIVE -> COMPLETED or SCHEDULED -> CANCELED only;
a guild holds at most 100 SCHEDULED or ACTIVE events (30038). Stage (1) and voice (2)
events are not served: the sandbox answers them 50035 on ``entity_type``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web

from .. import payloads
from .. import permissions as P
from ..models import ACTIVE, CANCELED, COMPLETED, EXTERNAL, SCHEDULED
from ..world import scheduled_events as world
from .errors import (
    DiscordError,
    field_error,
    invalid_form_body,
    json_response,
    missing_permissions,
    no_content,
    unknown,
)
from .guilds import guild_for_bot
from .routing import RouteTable, int_query, read_json, snowflake

routes = RouteTable()
MAX_UNCOMPLETED = 100
TRANSITIONS = {SCHEDULED: (ACTIVE, CANCELED), ACTIVE: (COMPLETED,)}
REQUIRED = field_error("BASE_TYPE_REQUIRED", "This field is required")


def _time(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _fields(body: dict, current=None) -> dict:
    """The event's fields from a create (``current`` None) or a PATCH, or 50035 with every
    problem. Field error codes other than BASE_TYPE_* are not documented by Discord; these
    are the sandbox's names for them, with the sentences Discord's client shows.
    """
    errors: dict = {}
    fields: dict = {}
    creating = current is None
    for key in ("name", "scheduled_start_time", "privacy_level", "entity_type"):
        if creating and body.get(key) is None:
            errors[key] = REQUIRED
    if "name" in body and body["name"] is not None:
        if not isinstance(body["name"], str) or not 1 <= len(body["name"]) <= 100:
            errors["name"] = field_error("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
        fields["name"] = body["name"]
    if "description" in body:
        if body["description"] is not None and not isinstance(body["description"], str):
            errors["description"] = field_error("BASE_TYPE_STRING", "Could not interpret value as string.")
        elif body["description"] is not None and len(body["description"]) > 1000:
            errors["description"] = field_error("BASE_TYPE_MAX_LENGTH", "Must be 1000 or fewer in length.")
        fields["description"] = body["description"]
    if body.get("privacy_level") is not None:
        if body["privacy_level"] != 2:
            errors["privacy_level"] = field_error("BASE_TYPE_CHOICES", "Value must be one of {2}.")
        fields["privacy_level"] = 2
    entity_type = body.get("entity_type", current.entity_type if current else None)
    if entity_type is not None and entity_type != EXTERNAL:
        errors["entity_type"] = field_error("BASE_TYPE_CHOICES", "The sandbox serves EXTERNAL (3) events only.")
    fields["entity_type"] = entity_type
    start = body.get("scheduled_start_time", current.scheduled_start_time if current else None)
    end = body.get("scheduled_end_time", current.scheduled_end_time if current else None)
    for key in ("scheduled_start_time", "scheduled_end_time"):
        if body.get(key) is not None and _time(body[key]) is None:
            errors[key] = field_error("DATE_TIME_TYPE_PARSE", f"Could not parse {body[key]}. Should be ISO8601.")
    if "scheduled_start_time" in body and _time(start) and _time(start) < datetime.now(UTC):
        errors["scheduled_start_time"] = field_error(
            "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST", "Cannot schedule event in the past."
        )
    if end is None and entity_type == EXTERNAL and "scheduled_end_time" not in errors:
        errors["scheduled_end_time"] = REQUIRED
    elif _time(start) and _time(end) and _time(end) <= _time(start):
        errors["scheduled_end_time"] = field_error(
            "GUILD_SCHEDULED_EVENT_END_BEFORE_START", "Cannot schedule event to end before starting."
        )
    fields.update(scheduled_start_time=start, scheduled_end_time=end)
    metadata = body.get("entity_metadata") if "entity_metadata" in body else None
    if metadata is not None and not isinstance(metadata, dict):
        metadata = {}
    location = metadata.get("location") if metadata is not None else (current.location if current else None)
    if location is not None and not isinstance(location, str):
        location = None
    if entity_type == EXTERNAL and not location:
        errors["entity_metadata"] = {"location": REQUIRED}
    elif location and len(location) > 100:
        errors["entity_metadata"] = {"location": field_error("BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")}
    fields["location"] = location
    if errors:
        raise invalid_form_body(errors)
    return fields


def _event(request: web.Request, guild):
    event = guild.scheduled_events.get(snowflake(request, "event_id"))
    if event is None:
        raise unknown("Guild Scheduled Event")
    return event


def _may_change(state, guild, event) -> None:
    """Manage Events, or Create Events for an event the bot made (50013 otherwise)."""
    have = P.base_permissions(guild, guild.members[state.bot.id])
    own = event.creator_id == state.bot.id
    if not have & P.MANAGE_EVENTS and not (own and have & P.CREATE_EVENTS):
        raise missing_permissions()


def _with_user_count(request: web.Request) -> bool:
    return request.query.get("with_user_count", "false").lower() in ("1", "true")


@routes.route("GET", "/guilds/{guild_id}/scheduled-events", bucket="scheduled_events")
async def list_events(request: web.Request) -> web.Response:
    state, guild = guild_for_bot(request)
    count = _with_user_count(request)
    events = sorted(guild.scheduled_events.values(), key=lambda e: e.id)
    return json_response([payloads.scheduled_event(e, state.users, with_user_count=count) for e in events])


@routes.route("POST", "/guilds/{guild_id}/scheduled-events", bucket="scheduled_events")
async def create_event(request: web.Request) -> web.Response:
    state, guild = guild_for_bot(request, need=P.CREATE_EVENTS)
    body = await read_json(request)
    fields = _fields(body)
    uncompleted = [e for e in guild.scheduled_events.values() if e.status in (SCHEDULED, ACTIVE)]
    if len(uncompleted) >= MAX_UNCOMPLETED:
        raise DiscordError(400, 30038, "Maximum number of uncompleted guild scheduled events reached (100)")
    event = world.create_event(state, guild, state.bot.id, **fields)
    return json_response(payloads.scheduled_event(event, state.users))


@routes.route("GET", "/guilds/{guild_id}/scheduled-events/{event_id}", bucket="scheduled_events")
async def get_event(request: web.Request) -> web.Response:
    state, guild = guild_for_bot(request)
    event = _event(request, guild)
    return json_response(payloads.scheduled_event(event, state.users, with_user_count=_with_user_count(request)))


@routes.route("PATCH", "/guilds/{guild_id}/scheduled-events/{event_id}", bucket="scheduled_events")
async def edit_event(request: web.Request) -> web.Response:
    """Edit, start (status 2), end (3) or cancel (4); a finished event cannot change status."""
    state, guild = guild_for_bot(request)
    event = _event(request, guild)
    _may_change(state, guild, event)
    body = await read_json(request)
    fields = _fields(body, current=event)
    status = body.get("status")
    if status is not None and status != event.status:
        if status not in TRANSITIONS.get(event.status, ()):
            # Discord's body for this refusal is not documented; 50035 on status is the shape.
            message = f"Cannot change the status of an event from {event.status} to {status}."
            raise invalid_form_body({"status": field_error("GUILD_SCHEDULED_EVENT_INVALID_STATUS", message)})
        fields["status"] = status
    return json_response(payloads.scheduled_event(world.update_event(state, guild, event, **fields), state.users))


@routes.route("DELETE", "/guilds/{guild_id}/scheduled-events/{event_id}", bucket="scheduled_events")
async def delete_event(request: web.Request) -> web.Response:
    state, guild = guild_for_bot(request)
    event = _event(request, guild)
    _may_change(state, guild, event)
    world.delete_event(state, guild, event)
    return no_content()


@routes.route("GET", "/guilds/{guild_id}/scheduled-events/{event_id}/users", bucket="scheduled_events")
async def list_event_users(request: web.Request) -> web.Response:
    """Interested users in ascending user id, ``limit`` up to 100, ``before`` over ``after``."""
    state, guild = guild_for_bot(request)
    event = _event(request, guild)
    limit = max(1, min(int_query(request, "limit", 100), 100))
    ids = sorted(event.interested)
    if "before" in request.query:
        ids = [i for i in ids if i < int_query(request, "before", 0)][-limit:]
    else:
        ids = [i for i in ids if i > int_query(request, "after", 0)][:limit]
    with_member = request.query.get("with_member", "false").lower() in ("1", "true")
    found = []
    for user_id in ids:
        entry = {
            "guild_scheduled_event_id": str(event.id),
            "user_id": str(user_id),
            "user": payloads.user(state.users[user_id]),
            "response": 1,
        }
        if with_member and user_id in guild.members:
            entry["member"] = state.member_payload(guild.members[user_id])
        found.append(entry)
    return json_response(found)
