"""Helpers shared by control API handlers: JSON in and out, lookups with clear errors."""

from __future__ import annotations

from aiohttp import web


class ControlError(Exception):
    """A control API error, answered as ``{"error": message}`` with ``status``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@web.middleware
async def control_errors(request: web.Request, handler):
    """Turn ControlError into its JSON answer (only for /_control paths)."""
    try:
        return await handler(request)
    except ControlError as error:
        if not request.path.startswith("/_control"):
            raise
        return web.json_response({"error": error.message}, status=error.status)


def ok(data=None, status: int = 200) -> web.Response:
    return web.json_response(data if data is not None else {"ok": True}, status=status)


async def body(request: web.Request) -> dict:
    if not request.can_read_body:
        return {}
    try:
        data = await request.json()
    except ValueError:
        raise ControlError(400, "body must be JSON") from None
    if not isinstance(data, dict):
        raise ControlError(400, "body must be a JSON object")
    return data


def as_id(value, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ControlError(400, f"{name} must be a snowflake, got {value!r}") from None


def _lookup(table: dict, value, field: str, missing: str):
    found = table.get(as_id(value, field))
    if found is None:
        raise ControlError(404, missing)
    return found


def guild(state, guild_id):
    return _lookup(state.guilds, guild_id, "guild_id", f"no guild {guild_id}")


def channel(state, channel_id):
    return _lookup(state.channels, channel_id, "channel_id", f"no channel {channel_id}")


def user(state, user_id):
    return _lookup(state.users, user_id, "user_id", f"no user {user_id}")


def member(state, guild_obj, user_id):
    return _lookup(guild_obj.members, user_id, "user_id", f"user {user_id} is not a member of guild {guild_obj.id}")


def message(state, message_id):
    return _lookup(state.messages, message_id, "message_id", f"no message {message_id}")


def message_record(state, m) -> dict:
    """A message as the control API reports it: payload plus what only the sandbox knows."""
    return {
        "id": str(m.id),
        "channel_id": str(m.channel_id),
        "guild_id": str(m.guild_id) if m.guild_id else None,
        "author_id": str(m.author_id),
        "content": m.content,
        "embeds": m.embeds,
        "components": m.components,
        "flags": m.flags,
        "ephemeral": m.ephemeral,
        "deleted": m.deleted,
        "interaction_id": str(m.interaction_id) if m.interaction_id else None,
        "created": m.created,
        "edited_timestamp": m.edited_timestamp,
        "history": m.history,
        "payload": state.message_payload(m),
    }
