"""Channels and their messages, with the bot's permission checks."""

from __future__ import annotations

import time

from aiohttp import web

from .. import permissions as P
from .. import validation
from ..models import DM, GUILD_CATEGORY
from ..world import guilds as guild_world
from ..world import threads as thread_world
from ..world.messages import delete_message, edit_message, post_message, visible_messages
from .errors import (
    DiscordError,
    cannot_dm,
    empty_message,
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
from .routing import RouteTable, body_int, int_query, read_json, read_message, snowflake

routes = RouteTable()
CHANNEL_FIELDS = ("name", "topic", "position", "nsfw", "permission_overwrites", "parent_id")


def bot_permissions(state, channel) -> int:
    """The bot's permissions in a guild channel or thread (0 when it is not in the guild)."""
    guild = state.guilds.get(channel.guild_id)
    member = guild.members.get(state.bot.id) if guild else None
    return P.in_channel(guild, member, channel, state.channels) if member else 0


def channel_for_bot(request: web.Request, *, need: int = 0):
    """The path's channel, if the bot can see it; ``need`` adds a permission to check."""
    state = request.app["state"]
    channel = state.channels.get(snowflake(request, "channel_id"))
    if channel is None:
        raise unknown("Channel")
    if channel.type == DM:
        return state, channel
    perms = bot_permissions(state, channel)
    if not perms & P.VIEW_CHANNEL:
        raise missing_access()
    if need and perms & need != need:
        raise missing_permissions()
    return state, channel


@routes.route("GET", "/channels/{channel_id}")
async def get_channel(request: web.Request) -> web.Response:
    state, channel = channel_for_bot(request)
    return json_response(state.channel_payload(channel))


@routes.route("PATCH", "/channels/{channel_id}", bucket="channels")
async def edit_channel(request: web.Request) -> web.Response:
    """Edit a guild channel (Manage Channels; its overwrites also need Manage Roles) or a
    thread (see ``threads.edit_thread``).
    """
    state, channel = channel_for_bot(request)
    if channel.type == DM:
        raise DiscordError(403, 50003, "Cannot execute action on a DM channel")
    body = await read_json(request)
    if channel.is_thread:
        from .threads import edit_thread  # threads.py builds on this module's access checks

        return edit_thread(state, channel, body)
    perms = bot_permissions(state, channel)
    if not perms & P.MANAGE_CHANNELS:
        raise missing_permissions()
    fields = {k: body[k] for k in CHANNEL_FIELDS if k in body}
    if "name" in fields and not 1 <= len(fields["name"] or "") <= 100:
        raise invalid_form_body({"name": field_error("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")})
    if "permission_overwrites" in fields:
        if not isinstance(fields["permission_overwrites"] or [], list):
            problem = field_error("BASE_TYPE_ARRAY", "Must be an array.")  # Discord's wording unverified
            raise invalid_form_body({"permission_overwrites": problem})
        check_overwrites(state, channel.guild_id, fields["permission_overwrites"] or [], channel)
    if "parent_id" in fields:
        fields["parent_id"] = check_parent(state, channel.guild_id, fields["parent_id"], channel.type)
    return json_response(state.channel_payload(guild_world.update_channel(state, channel, **fields)))


def check_parent(state, guild_id: int, parent_id, channel_type: int) -> int | None:
    """A parent must be a category of the same guild, and a category has none (50035)."""
    if parent_id is None:
        return None
    parent = state.channels.get(body_int(parent_id, "parent_id"))
    if channel_type == GUILD_CATEGORY or parent is None or parent.type != GUILD_CATEGORY or parent.guild_id != guild_id:
        # Discord's field error code here is not documented; the sentence is what it shows.
        raise invalid_form_body({"parent_id": field_error("CHANNEL_PARENT_INVALID", "Category does not exist")})
    return parent.id


def check_overwrites(state, guild_id: int, overwrites: list, channel=None, *, single: bool = False) -> None:
    """Setting overwrites needs Manage Roles, and the bot may only allow or deny permissions it
    has in the guild, unless an overwrite in the channel gives it Manage Roles (50013).
    """
    guild = state.guilds[guild_id]
    bot = guild.members[state.bot.id]
    base = P.base_permissions(guild, bot)
    in_channel = P.channel_permissions(guild, bot, channel) if channel is not None else base
    if not in_channel & P.MANAGE_ROLES:
        raise missing_permissions()
    for i, overwrite in enumerate(overwrites):
        problem = None
        if not isinstance(overwrite, dict):
            problem = {"_errors": [{"code": "DICT_TYPE_CONVERT", "message": "Only dictionaries may be used."}]}
        elif overwrite.get("type") not in (0, 1):
            problem = {"type": field_error("BASE_TYPE_CHOICES", "Value must be one of (0, 1).")}
        else:
            for key in ("id", "allow", "deny"):
                try:
                    int(overwrite.get(key) or 0)
                except (TypeError, ValueError):
                    problem = {key: field_error("NUMBER_TYPE_COERCE", f'Value "{overwrite[key]}" is not snowflake.')}
        if problem is not None:
            raise invalid_form_body(problem if single else {"permission_overwrites": {str(i): problem}})
    granted_here = channel is not None and not base & P.MANAGE_ROLES
    if base & P.ADMINISTRATOR or granted_here:
        return
    for overwrite in overwrites:
        if (int(overwrite.get("allow") or 0) | int(overwrite.get("deny") or 0)) & ~base:
            raise missing_permissions()


@routes.route("PUT", "/channels/{channel_id}/permissions/{overwrite_id}", bucket="channels")
async def edit_permission_overwrite(request: web.Request) -> web.Response:
    """Set one role's (type 0) or member's (type 1) overwrite; 204 and CHANNEL_UPDATE."""
    state, channel = channel_for_bot(request)
    if channel.type == DM or channel.is_thread:
        raise wrong_channel_type()
    body = await read_json(request)
    overwrite = {"id": snowflake(request, "overwrite_id"), **{k: body.get(k) for k in ("type", "allow", "deny")}}
    check_overwrites(state, channel.guild_id, [overwrite], channel, single=True)
    guild_world.set_overwrite(state, channel, guild_world.stored_overwrites([overwrite])[0])
    return no_content()


@routes.route("DELETE", "/channels/{channel_id}/permissions/{overwrite_id}", bucket="channels")
async def delete_permission_overwrite(request: web.Request) -> web.Response:
    state, channel = channel_for_bot(request)
    if channel.type == DM or channel.is_thread:
        raise wrong_channel_type()
    check_overwrites(state, channel.guild_id, [], channel)
    guild_world.delete_overwrite(state, channel, snowflake(request, "overwrite_id"))
    return no_content()


@routes.route("DELETE", "/channels/{channel_id}", bucket="channels")
async def delete_channel(request: web.Request) -> web.Response:
    """Delete a guild channel (Manage Channels) or a thread (Manage Threads); for a DM, close
    it (Discord returns the channel and keeps it).
    """
    state, channel = channel_for_bot(request)
    if channel.is_thread:
        if not bot_permissions(state, channel) & P.MANAGE_THREADS:
            raise missing_permissions()
        payload = state.channel_payload(channel)
        thread_world.delete_thread(state, channel)
        return json_response(payload)
    if channel.type != DM:
        if not bot_permissions(state, channel) & P.MANAGE_CHANNELS:
            raise missing_permissions()
        guild_world.delete_channel(state, channel)
    return json_response(state.channel_payload(channel))


def _can_dm(state, channel) -> bool:
    user = state.users[channel.recipient_id]
    shares_guild = any(user.id in g.members and g.has_bot for g in state.guilds.values())
    return user.dms_open and shares_guild and not user.bot


@routes.route("POST", "/channels/{channel_id}/messages", bucket="messages:create")
async def create_message(request: web.Request) -> web.Response:
    """Send a message; a DM to someone who closed DMs fails here with 50007, as on Discord.

    In a thread it takes Send Messages in Threads; a message unarchives an archived thread
    unless it is locked (then only Manage Threads may: 50083 otherwise).
    """
    state, channel = channel_for_bot(request)
    if channel.type == GUILD_CATEGORY:
        raise DiscordError(400, 50008, "Cannot send messages in a non-text channel")
    need = P.SEND_MESSAGES_IN_THREADS if channel.is_thread else P.SEND_MESSAGES
    if channel.type != DM and not bot_permissions(state, channel) & need:
        raise missing_permissions()
    body, files = await read_message(request)
    if validation.is_empty(body) and not files:
        raise empty_message()
    errors = validation.message_errors(body)
    if errors:
        raise invalid_form_body(errors)
    attachments = _attachments(state, request, channel, body, files)
    if channel.type == DM and not _can_dm(state, channel):
        raise cannot_dm()
    earlier = _same_nonce(state, channel, body)
    if earlier is not None:  # enforce_nonce: Discord returns the first message and creates none
        return json_response(state.message_payload(earlier))
    if channel.is_thread and channel.archived:
        if channel.locked and not bot_permissions(state, channel) & P.MANAGE_THREADS:
            raise thread_archived()
        thread_world.update_thread(state, channel, archived=False)
    message = post_message(state, channel, state.bot.id, body, attachments=attachments)
    return json_response(state.message_payload(message))


def _attachments(state, request: web.Request, channel, body: dict, files: dict[int, dict]) -> list[dict]:
    """The uploaded files as the message's attachments; each ``attachments`` entry must name one by id."""
    named = {}
    for i, entry in enumerate(body.get("attachments") or []):
        file_id = entry.get("id") if isinstance(entry, dict) else None
        try:
            file_id = int(file_id)
        except (TypeError, ValueError):
            file_id = None
        if file_id not in files:
            problem = field_error("ATTACHMENT_NOT_FOUND", "Attachment data not found")
            raise invalid_form_body({"attachments": {str(i): {"id": problem}}})
        named[file_id] = entry
    stored = []
    for file_id in sorted(files):
        upload, entry = files[file_id], named.get(file_id, {})
        filename = entry.get("filename") or upload["filename"] or f"file{file_id}"
        attachment_id = state.ids.next()
        stored.append(
            {
                "id": attachment_id,
                "filename": filename,
                "size": len(upload["data"]),
                "content_type": upload["content_type"],
                "url": f"http://{request.host}/attachments/{channel.id}/{attachment_id}/{filename}",
                "data": upload["data"],
            }
        )
    return stored


# Discord checks an enforced nonce "in the past few minutes"; the figure is not documented.
NONCE_WINDOW_S = 300.0


def _same_nonce(state, channel, body: dict):
    """The bot's message in ``channel`` with the body's nonce, created within the window, if enforced."""
    nonce = body.get("nonce")
    if not body.get("enforce_nonce") or nonce is None:
        return None
    now = time.monotonic()
    for message_id in reversed(state.channel_messages.get(channel.id, [])):
        message = state.messages[message_id]
        if now - message.created["monotonic"] > NONCE_WINDOW_S:
            return None
        if message.author_id == state.bot.id and message.nonce == nonce and not message.deleted:
            return message
    return None


@routes.route("GET", "/channels/{channel_id}/messages", bucket="messages:read")
async def list_messages(request: web.Request) -> web.Response:
    """Newest first, with ``limit`` (1-100) and one of ``before``/``after``/``around``."""
    state, channel = channel_for_bot(request, need=P.READ_MESSAGE_HISTORY)
    limit = int_query(request, "limit", 50)
    if limit < 1:
        problem = field_error("NUMBER_TYPE_MIN", "Int value should be greater than or equal to 1.")
        raise invalid_form_body({"limit": problem})
    if limit > 100:
        problem = field_error("NUMBER_TYPE_MAX", "Int value should be less than or equal to 100.")
        raise invalid_form_body({"limit": problem})
    messages = sorted(visible_messages(state, channel.id), key=lambda m: m.id, reverse=True)
    if "before" in request.query:
        before = int_query(request, "before", 0)
        messages = [m for m in messages if m.id < before]
    elif "after" in request.query:
        after = int_query(request, "after", 0)
        messages = [m for m in messages if m.id > after][-limit:]
    elif "around" in request.query:
        around = int_query(request, "around", 0)
        newer = [m for m in messages if m.id > around][-(limit // 2) :]
        messages = newer + [m for m in messages if m.id <= around]
    return json_response([state.message_payload(m) for m in messages[:limit]])


def _message(request: web.Request, state, channel):
    message = state.messages.get(snowflake(request, "message_id"))
    if message is None or message.channel_id != channel.id or message.deleted or message.ephemeral:
        raise unknown("Message")
    return message


@routes.route("GET", "/channels/{channel_id}/messages/{message_id}", bucket="messages:read")
async def get_message(request: web.Request) -> web.Response:
    state, channel = channel_for_bot(request, need=P.READ_MESSAGE_HISTORY)
    return json_response(state.message_payload(_message(request, state, channel)))


@routes.route("PATCH", "/channels/{channel_id}/messages/{message_id}", bucket="messages:edit")
async def edit_channel_message(request: web.Request) -> web.Response:
    state, channel = channel_for_bot(request)
    message = _message(request, state, channel)
    if message.author_id != state.bot.id:
        raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
    body = await read_json(request)
    errors = validation.message_errors(body)
    if errors:
        raise invalid_form_body(errors)
    return json_response(state.message_payload(edit_message(state, message, body)))


@routes.route("DELETE", "/channels/{channel_id}/messages/{message_id}", bucket="messages:delete")
async def delete_channel_message(request: web.Request) -> web.Response:
    state, channel = channel_for_bot(request)
    message = _message(request, state, channel)
    if message.author_id != state.bot.id and not bot_permissions(state, channel) & P.MANAGE_MESSAGES:
        raise missing_permissions()
    delete_message(state, message)
    return no_content()
