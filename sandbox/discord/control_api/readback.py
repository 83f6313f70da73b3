"""Control API: read back messages, DMs and interactions, and wait for them (long-poll)."""

from __future__ import annotations

import re
import time

from aiohttp import web

from . import common as c

routes = web.RouteTableDef()
MAX_WAIT_S = 120.0


def channel_messages(state, channel_id: int, *, include_deleted: bool = True) -> list:
    """Every message ever posted in a channel, oldest first (ephemeral ones included)."""
    ids = state.channel_messages.get(channel_id, [])
    return [m for m in (state.messages[i] for i in ids) if include_deleted or not m.deleted]


def interaction_record(state, ix) -> dict:
    """An interaction with its response, refused attempts, original and follow-ups."""
    original = state.messages.get(ix.original_message_id) if ix.original_message_id else None
    return {
        "id": str(ix.id),
        "type": ix.type,
        "token": ix.token,
        "channel_id": str(ix.channel_id),
        "guild_id": str(ix.guild_id) if ix.guild_id else None,
        "user_id": str(ix.user_id),
        "data": ix.data,
        "created": ix.created,
        "response": ix.response,
        "refused": ix.refused,
        "failed": ix.failed,
        "delivery": ix.delivery,
        "original": c.message_record(state, original) if original else None,
        "followups": [c.message_record(state, state.messages[i]) for i in ix.followup_ids],
    }


@routes.get("/_control/channels/{channel_id}/messages")
async def list_channel_messages(request: web.Request) -> web.Response:
    state = request.app["state"]
    channel = c.channel(state, request.match_info["channel_id"])
    include_deleted = request.query.get("include_deleted", "1") != "0"
    messages = channel_messages(state, channel.id, include_deleted=include_deleted)
    return c.ok([c.message_record(state, m) for m in messages])


@routes.get("/_control/users/{user_id}/dms")
async def list_dms(request: web.Request) -> web.Response:
    """The bot's DM channel with a user: ``{"channel_id", "messages"}`` (empty if never opened)."""
    state = request.app["state"]
    user = c.user(state, request.match_info["user_id"])
    channel_id = state.dm_channels.get(user.id)
    messages = channel_messages(state, channel_id) if channel_id else []
    return c.ok(
        {
            "channel_id": str(channel_id) if channel_id else None,
            "messages": [c.message_record(state, m) for m in messages],
        }
    )


@routes.get("/_control/messages/{message_id}")
async def get_message(request: web.Request) -> web.Response:
    state = request.app["state"]
    return c.ok(c.message_record(state, c.message(state, request.match_info["message_id"])))


@routes.get("/_control/interactions/{interaction_id}")
async def get_interaction(request: web.Request) -> web.Response:
    state = request.app["state"]
    ix = state.interactions.get(c.as_id(request.match_info["interaction_id"], "interaction_id"))
    if ix is None:
        raise c.ControlError(404, f"no interaction {request.match_info['interaction_id']}")
    return c.ok(interaction_record(state, ix))


@routes.get("/_control/commands")
async def list_commands(request: web.Request) -> web.Response:
    """Registered commands: ``{"global": [...], "guilds": {guild_id: [...]}}``."""
    state = request.app["state"]
    guilds = {str(k): v for k, v in state.guild_commands.items()}
    return c.ok({"global": state.global_commands, "guilds": guilds})


def _message_matcher(state, data: dict):
    """A predicate over a channel's messages built from the wait request's filters."""
    if data.get("user_id") and not data.get("channel_id"):
        channel_id = lambda: state.dm_channels.get(c.as_id(data["user_id"], "user_id"))  # noqa: E731
    else:
        fixed = c.channel(state, data.get("channel_id")).id
        channel_id = lambda: fixed  # noqa: E731
    pattern = re.compile(data["regex"]) if data.get("regex") else None
    author = c.as_id(data["author_id"], "author_id") if data.get("author_id") else None
    count = int(data.get("count", 1))

    def matches(m) -> bool:
        return (
            (data.get("include_deleted") or not m.deleted)
            and (data.get("include_ephemeral", True) or not m.ephemeral)
            and (author is None or m.author_id == author)
            and ("content" not in data or m.content == data["content"])
            and ("contains" not in data or data["contains"] in m.content)
            and (pattern is None or pattern.search(m.content) is not None)
        )

    def predicate():
        cid = channel_id()
        found = [m for m in channel_messages(state, cid)] if cid else []
        found = [m for m in found if matches(m)]
        return [c.message_record(state, m) for m in found] if len(found) >= count else None

    return predicate


def _predicate(state, data: dict):
    kind = data.get("for")
    if kind == "interaction_response":
        ix = state.interactions.get(c.as_id(data.get("interaction_id"), "interaction_id"))
        if ix is None:
            raise c.ControlError(404, f"no interaction {data.get('interaction_id')}")
        if data.get("include_refused"):
            settled = lambda: ix.response or ix.refused or ix.failed  # noqa: E731
        else:
            settled = lambda: ix.response  # noqa: E731
        return lambda: interaction_record(state, ix) if settled() else None
    if kind == "original_edited":
        ix = state.interactions.get(c.as_id(data.get("interaction_id"), "interaction_id"))
        if ix is None:
            raise c.ControlError(404, f"no interaction {data.get('interaction_id')}")

        def edited():
            original = state.messages.get(ix.original_message_id)
            return interaction_record(state, ix) if original is not None and original.history else None

        return edited
    if kind in ("message", "dm"):
        return _message_matcher(state, data)
    if kind == "sessions":
        want = int(data.get("count", 1))
        ready = lambda: [s for s in state.hub.sessions.values() if s.connection and not s.invalid]  # noqa: E731
        return lambda: state.hub.snapshot() if len(ready()) >= want else None
    raise c.ControlError(400, "for must be interaction_response, original_edited, message, dm or sessions")


@routes.post("/_control/wait")
async def wait(request: web.Request) -> web.Response:
    """Long-poll until a condition holds: 200 ``{"ok": true, "result"}`` or 408 on timeout."""
    state, data = request.app["state"], await c.body(request)
    timeout = min(float(data.get("timeout", 5.0)), MAX_WAIT_S)
    predicate = _predicate(state, data)
    started = time.monotonic()
    result = await state.wait_until(predicate, timeout)
    waited = round(time.monotonic() - started, 4)
    if result is None:
        return c.ok({"ok": False, "timed_out": True, "waited_s": waited, "condition": data}, status=408)
    return c.ok({"ok": True, "waited_s": waited, "result": result})
