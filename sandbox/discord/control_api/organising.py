"""Control API for what issue 18's features change: threads, overwrites and what a member may
do in a channel, member roles, scheduled events and their "Interested" users.
"""

from __future__ import annotations

from aiohttp import web

from .. import payloads
from .. import permissions as P
from ..models import EXTERNAL, PRIVATE_THREAD, PUBLIC_THREAD, SCHEDULED
from ..world import scheduled_events as event_world
from ..world import threads as thread_world
from . import common as c

routes = web.RouteTableDef()


def thread_view(state, thread) -> dict:
    """A thread's payload with its members' ids and the flags tests ask about."""
    return {
        **payloads.thread(thread),
        "members": [str(u) for u in sorted(thread.thread_members)],
        "archived": thread.archived,
        "locked": thread.locked,
    }


def _thread(state, thread_id):
    thread = c.channel(state, thread_id)
    if not thread.is_thread:
        raise c.ControlError(400, f"channel {thread.id} is not a thread")
    return thread


@routes.get("/_control/channels/{channel_id}/threads")
async def list_threads(request: web.Request) -> web.Response:
    state = request.app["state"]
    channel = c.channel(state, request.match_info["channel_id"])
    return c.ok([thread_view(state, t) for t in thread_world.threads_of(state, channel.id)])


@routes.post("/_control/channels/{channel_id}/threads")
async def start_thread_as_user(request: web.Request) -> web.Response:
    """A member (``owner_id``) starts a thread: ``name``, ``type`` 11/12, or ``message_id``."""
    state, data = request.app["state"], await c.body(request)
    channel = c.channel(state, request.match_info["channel_id"])
    owner = c.member(state, c.guild(state, channel.guild_id), data.get("owner_id"))
    kind = int(data.get("type", PUBLIC_THREAD))
    if kind not in (PUBLIC_THREAD, PRIVATE_THREAD):
        raise c.ControlError(400, "type must be 11 (public) or 12 (private)")
    name = data.get("name") or "thread"
    if data.get("message_id"):
        message = c.message(state, data["message_id"])
        if message.id in state.channels:
            raise c.ControlError(409, f"message {message.id} already has a thread")
        thread = thread_world.start_thread_from_message(state, channel, message, owner.user_id, name)
    else:
        thread = thread_world.start_thread(state, channel, owner.user_id, name, type=kind)
    return c.ok(thread_view(state, thread), status=201)


@routes.get("/_control/threads/{thread_id}")
async def get_thread(request: web.Request) -> web.Response:
    state = request.app["state"]
    return c.ok(thread_view(state, _thread(state, request.match_info["thread_id"])))


@routes.patch("/_control/threads/{thread_id}")
async def update_thread(request: web.Request) -> web.Response:
    """A moderator renames, archives or locks a thread: THREAD_UPDATE."""
    state, data = request.app["state"], await c.body(request)
    thread = _thread(state, request.match_info["thread_id"])
    fields = {k: data[k] for k in ("name", "archived", "locked") if k in data}
    return c.ok(thread_view(state, thread_world.update_thread(state, thread, **fields)))


@routes.put("/_control/threads/{thread_id}/members/{user_id}")
async def join_thread(request: web.Request) -> web.Response:
    state = request.app["state"]
    thread = _thread(state, request.match_info["thread_id"])
    member = c.member(state, c.guild(state, thread.guild_id), request.match_info["user_id"])
    thread_world.add_thread_member(state, thread, member.user_id)
    return c.ok(thread_view(state, thread))


@routes.delete("/_control/threads/{thread_id}/members/{user_id}")
async def leave_thread(request: web.Request) -> web.Response:
    state = request.app["state"]
    thread = _thread(state, request.match_info["thread_id"])
    thread_world.remove_thread_member(state, thread, c.as_id(request.match_info["user_id"], "user_id"))
    return c.ok(thread_view(state, thread))


@routes.get("/_control/channels/{channel_id}/permissions/{user_id}")
async def member_permissions(request: web.Request) -> web.Response:
    """What a member may do in a channel or thread, overwrites applied: ``permissions`` (the
    bit set as a string), ``view_channel``, ``send_messages``, and the channel's overwrites.
    """
    state = request.app["state"]
    channel = c.channel(state, request.match_info["channel_id"])
    guild = c.guild(state, channel.guild_id)
    member = c.member(state, guild, request.match_info["user_id"])
    perms = P.in_channel(guild, member, channel, state.channels)
    send = P.SEND_MESSAGES_IN_THREADS if channel.is_thread else P.SEND_MESSAGES
    source = state.channels.get(channel.parent_id) if channel.is_thread else channel
    return c.ok(
        {
            "permissions": str(perms),
            "view_channel": bool(perms & P.VIEW_CHANNEL),
            "send_messages": bool(perms & P.VIEW_CHANNEL and perms & send),
            "overwrites": source.permission_overwrites if source else [],
        }
    )


@routes.get("/_control/guilds/{guild_id}/members/{user_id}")
async def get_member(request: web.Request) -> web.Response:
    """A member with ``role_names`` beside the role ids (highest first)."""
    state = request.app["state"]
    guild = c.guild(state, request.match_info["guild_id"])
    member = c.member(state, guild, request.match_info["user_id"])
    roles = sorted((guild.roles[r] for r in member.roles if r in guild.roles), key=lambda r: -r.position)
    return c.ok({**state.member_payload(member), "role_names": [r.name for r in roles]})


def event_view(state, event) -> dict:
    return {**payloads.scheduled_event(event, state.users), "interested": [str(u) for u in event.interested]}


def _event(guild, event_id):
    event = guild.scheduled_events.get(c.as_id(event_id, "event_id"))
    if event is None:
        raise c.ControlError(404, f"no scheduled event {event_id} in guild {guild.id}")
    return event


@routes.get("/_control/guilds/{guild_id}/scheduled-events")
async def list_events(request: web.Request) -> web.Response:
    state = request.app["state"]
    guild = c.guild(state, request.match_info["guild_id"])
    return c.ok([event_view(state, e) for e in sorted(guild.scheduled_events.values(), key=lambda e: e.id)])


@routes.post("/_control/guilds/{guild_id}/scheduled-events")
async def create_event_as_user(request: web.Request) -> web.Response:
    """A member (``creator_id``) makes an EXTERNAL event: ``name``, ``scheduled_start_time``,
    ``scheduled_end_time``, ``location``, optional ``status`` and ``description``. Unchecked:
    tests use it to fill a guild (the 100-event limit) or make events the bot did not.
    """
    state, data = request.app["state"], await c.body(request)
    guild = c.guild(state, request.match_info["guild_id"])
    creator = c.member(state, guild, data.get("creator_id"))
    for key in ("scheduled_start_time", "scheduled_end_time"):
        if not data.get(key):
            raise c.ControlError(400, f"{key} is required (ISO 8601)")
    event = event_world.create_event(
        state,
        guild,
        creator.user_id,
        name=data.get("name") or "event",
        scheduled_start_time=data["scheduled_start_time"],
        scheduled_end_time=data["scheduled_end_time"],
        entity_type=EXTERNAL,
        location=data.get("location") or "somewhere",
        description=data.get("description"),
        status=int(data.get("status", SCHEDULED)),
    )
    return c.ok(event_view(state, event), status=201)


@routes.put("/_control/guilds/{guild_id}/scheduled-events/{event_id}/users/{user_id}")
async def add_interested(request: web.Request) -> web.Response:
    """A member clicks "Interested": GUILD_SCHEDULED_EVENT_USER_ADD."""
    state = request.app["state"]
    guild = c.guild(state, request.match_info["guild_id"])
    event = _event(guild, request.match_info["event_id"])
    member = c.member(state, guild, request.match_info["user_id"])
    event_world.set_interested(state, guild, event, member.user_id, True)
    return c.ok(event_view(state, event))


@routes.delete("/_control/guilds/{guild_id}/scheduled-events/{event_id}/users/{user_id}")
async def remove_interested(request: web.Request) -> web.Response:
    state = request.app["state"]
    guild = c.guild(state, request.match_info["guild_id"])
    event = _event(guild, request.match_info["event_id"])
    event_world.set_interested(state, guild, event, c.as_id(request.match_info["user_id"], "user_id"), False)
    return c.ok(event_view(state, event))
