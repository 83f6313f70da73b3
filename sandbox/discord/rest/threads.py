"""Threads as the bot starts, joins, edits and lists them (channel.mdx, "Start Thread ...").

Permissions are the parent channel's (``permissions.in_channel``): Create Public Threads for
a thread from a message or type 11, Create Private Threads for type 12, Send Messages in
Threads to add a member, Manage Threads to remove someone else or to archive or lock.
"""

from __future__ import annotations

from aiohttp import web

from .. import payloads
from .. import permissions as P
from ..gateway import intents as I
from ..models import GUILD_TEXT, PRIVATE_THREAD, PUBLIC_THREAD
from ..world import threads as world
from .channels import _message, bot_permissions, channel_for_bot
from .errors import (
    DiscordError,
    field_error,
    invalid_form_body,
    json_response,
    missing_access,
    missing_permissions,
    no_content,
    thread_archived,
    unknown,
    wrong_channel_type,
)
from .guilds import guild_for_bot
from .routing import RouteTable, int_query, read_json

routes = RouteTable()
ARCHIVE_DURATIONS = (60, 1440, 4320, 10080)
# Announcement channels (5) also take threads on Discord; the sandbox makes text channels.
THREAD_PARENTS = (GUILD_TEXT, 5)


def _thread_fields(body: dict) -> dict:
    """``name`` (1-100) and ``auto_archive_duration`` (60, 1440, 4320, 10080), or 50035."""
    errors = {}
    name = body.get("name")
    if not isinstance(name, str) or not 1 <= len(name) <= 100:
        errors["name"] = field_error("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
    duration = body.get("auto_archive_duration")
    if duration is not None and duration not in ARCHIVE_DURATIONS:
        errors["auto_archive_duration"] = field_error(
            "BASE_TYPE_CHOICES", "Value must be one of {60, 1440, 4320, 10080}."
        )
    if errors:
        raise invalid_form_body(errors)
    return {"auto_archive_duration": duration or 4320}


def _parent(request: web.Request):
    state, channel = channel_for_bot(request)
    if channel.type not in THREAD_PARENTS:
        raise wrong_channel_type()
    return state, channel


@routes.route("POST", "/channels/{channel_id}/messages/{message_id}/threads", bucket="threads")
async def start_thread_from_message(request: web.Request) -> web.Response:
    """A public thread whose id is the message's: one thread per message (160004)."""
    state, channel = _parent(request)
    if not bot_permissions(state, channel) & P.CREATE_PUBLIC_THREADS:
        raise missing_permissions()
    message = _message(request, state, channel)
    body = await read_json(request)
    fields = _thread_fields(body)
    if message.id in state.channels:
        raise DiscordError(400, 160004, "A thread has already been created for this message")
    thread = world.start_thread_from_message(state, channel, message, state.bot.id, body["name"], **fields)
    return json_response(payloads.thread(thread), status=201)


@routes.route("POST", "/channels/{channel_id}/threads", bucket="threads")
async def start_thread(request: web.Request) -> web.Response:
    """A thread with no message: ``type`` 11 (public) or 12 (private, Discord's default)."""
    state, channel = _parent(request)
    body = await read_json(request)
    fields = _thread_fields(body)
    kind = body.get("type") if body.get("type") is not None else PRIVATE_THREAD
    if kind not in (PUBLIC_THREAD, PRIVATE_THREAD):
        raise invalid_form_body({"type": field_error("BASE_TYPE_CHOICES", "Value must be one of {10, 11, 12}.")})
    need = P.CREATE_PUBLIC_THREADS if kind == PUBLIC_THREAD else P.CREATE_PRIVATE_THREADS
    if not bot_permissions(state, channel) & need:
        raise missing_permissions()
    invitable = body.get("invitable") is not False
    thread = world.start_thread(state, channel, state.bot.id, body["name"], type=kind, invitable=invitable, **fields)
    return json_response(payloads.thread(thread), status=201)


def edit_thread(state, thread, body: dict) -> web.Response:
    """PATCH /channels/{thread.id}: unarchiving an unlocked thread takes Send Messages in
    Threads; anything else Manage Threads. An archived thread must be unarchived (50083).
    """
    fields = {k: body[k] for k in ("name", "archived", "locked", "auto_archive_duration", "invitable") if k in body}
    if "name" in fields:
        _thread_fields({"name": fields["name"]})
    if fields.get("auto_archive_duration") not in (None, *ARCHIVE_DURATIONS):
        _thread_fields({"name": thread.name, "auto_archive_duration": fields["auto_archive_duration"]})
    if thread.archived and fields.get("archived") is not False:
        raise thread_archived()
    perms = bot_permissions(state, thread)
    only_unarchive = set(fields) <= {"archived", "locked"} and fields.get("archived") is False
    locked = fields.get("locked", thread.locked)
    need = P.SEND_MESSAGES_IN_THREADS if only_unarchive and not locked else P.MANAGE_THREADS
    if not perms & need:
        raise missing_permissions()
    return json_response(payloads.thread(world.update_thread(state, thread, **fields)))


def _thread(request: web.Request):
    state, thread = channel_for_bot(request)
    if not thread.is_thread:
        raise wrong_channel_type()
    return state, thread


def _user_id(request: web.Request, state) -> int:
    raw = request.match_info["user_id"]
    if raw == "@me":
        return state.bot.id
    try:
        return int(raw)
    except ValueError:
        raise unknown("User") from None


@routes.route("PUT", "/channels/{channel_id}/thread-members/{user_id}", bucket="thread_members")
async def add_thread_member(request: web.Request) -> web.Response:
    """Add a guild member (or ``@me``); 204 whether or not they were already in."""
    state, thread = _thread(request)
    if thread.archived:
        raise thread_archived()
    user_id = _user_id(request, state)
    if user_id not in state.guilds[thread.guild_id].members:
        raise unknown("Member")
    perms = bot_permissions(state, thread)
    if not perms & P.SEND_MESSAGES_IN_THREADS:
        raise missing_permissions()
    closed = thread.type == PRIVATE_THREAD and not thread.invitable and user_id != state.bot.id
    if closed and not perms & P.MANAGE_THREADS:  # only moderators invite to a non-invitable thread
        raise missing_permissions()
    world.add_thread_member(state, thread, user_id)
    return no_content()


@routes.route("DELETE", "/channels/{channel_id}/thread-members/{user_id}", bucket="thread_members")
async def remove_thread_member(request: web.Request) -> web.Response:
    """Leave (``@me``), or remove someone: Manage Threads, or the creator of a private thread."""
    state, thread = _thread(request)
    if thread.archived:
        raise thread_archived()
    user_id = _user_id(request, state)
    creator = thread.type == PRIVATE_THREAD and thread.owner_id == state.bot.id
    if user_id != state.bot.id and not creator and not bot_permissions(state, thread) & P.MANAGE_THREADS:
        raise missing_permissions()
    world.remove_thread_member(state, thread, user_id)
    return no_content()


def _member_object(state, thread, user_id: int, with_member: bool) -> dict:
    guild = state.guilds[thread.guild_id]
    member = guild.members.get(user_id)
    extra = state.member_payload(member) if with_member and member is not None else None
    return payloads.thread_member(thread, user_id, extra)


def _with_member(request: web.Request) -> bool:
    return request.query.get("with_member", "false").lower() in ("1", "true")


@routes.route("GET", "/channels/{channel_id}/thread-members/{user_id}", bucket="thread_members")
async def get_thread_member(request: web.Request) -> web.Response:
    state, thread = _thread(request)
    user_id = _user_id(request, state)
    if user_id not in thread.thread_members:
        raise unknown("Member")
    return json_response(_member_object(state, thread, user_id, _with_member(request)))


@routes.route("GET", "/channels/{channel_id}/thread-members", bucket="thread_members")
async def list_thread_members(request: web.Request) -> web.Response:
    """Members by user id; ``with_member`` pages them (``after``, ``limit`` 1-100). Without the
    GUILD_MEMBERS privileged intent the route is refused (50001), as the docs warn.
    """
    state, thread = _thread(request)
    if not state.privileged_intents & I.GUILD_MEMBERS:
        raise missing_access()
    ids = sorted(thread.thread_members)
    with_member = _with_member(request)
    if with_member:
        after = int_query(request, "after", 0)
        limit = max(1, min(int_query(request, "limit", 100), 100))
        ids = [i for i in ids if i > after][:limit]
    return json_response([_member_object(state, thread, i, with_member) for i in ids])


@routes.route("GET", "/guilds/{guild_id}/threads/active")
async def list_active_guild_threads(request: web.Request) -> web.Response:
    """guild.mdx, "List Active Guild Threads": the guild's unarchived threads, public and
    private, newest first (the sandbox lists those the bot may see), with the bot's own thread
    member object for each it is in (``ThreadsResponse``)."""
    state, guild = guild_for_bot(request)
    threads = [
        c
        for c in state.channels.values()
        if c.is_thread and c.guild_id == guild.id and not c.archived and bot_permissions(state, c) & P.VIEW_CHANNEL
    ]
    threads.sort(key=lambda c: c.id, reverse=True)
    members = [payloads.thread_member(c, state.bot.id) for c in threads if state.bot.id in c.thread_members]
    return json_response({"threads": [payloads.thread(c) for c in threads], "members": members})
