"""Interactions: INTERACTION_CREATE as Discord sends it (or the signed POST to the
Interactions Endpoint URL), and the initial-response rules both share."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass

import aiohttp

from .. import payloads, permissions, validation
from ..clock import stamp
from ..endpoint import sent_record
from ..models import Interaction, Message
from ..rest import errors
from .messages import EPHEMERAL, edit_message, post_message

PING, APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5
MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE, AUTOCOMPLETE_RESULT, MODAL = 4, 5, 6, 7, 8, 9
LOADING = 1 << 7

# Which callback types each interaction type accepts (documented per type).
ALLOWED_CALLBACKS = {
    APPLICATION_COMMAND: {MESSAGE, DEFERRED_MESSAGE, MODAL},
    MESSAGE_COMPONENT: {MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE, MODAL},
    AUTOCOMPLETE: {AUTOCOMPLETE_RESULT},
    MODAL_SUBMIT: {MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE},
}


@dataclass(frozen=True)
class Trigger:
    """Who did what where: the parts of an interaction the control API injects."""

    type: int
    channel_id: int
    user_id: int
    data: dict | None
    message_id: int | None = None
    opened_by: int | None = None


def create_interaction(state, trigger: Trigger) -> Interaction:
    """Record an interaction and dispatch INTERACTION_CREATE (no intent needed), or, with an
    Interactions Endpoint URL set, start its signed POST there (returning at once).
    """
    channel = state.channels[trigger.channel_id]
    interaction = Interaction(
        id=state.ids.next(),
        token="aW50ZXJhY3Rpb246" + secrets.token_urlsafe(64),
        type=trigger.type,
        application_id=state.application_id,
        channel_id=trigger.channel_id,
        user_id=trigger.user_id,
        guild_id=channel.guild_id,
        data=trigger.data,
        message_id=trigger.message_id,
        opened_by=trigger.opened_by,
    )
    state.interactions[interaction.id] = interaction
    state.interaction_tokens[interaction.token] = interaction.id
    url = state.endpoint.url
    if url:
        interaction.delivery = sent_record(url)
        state.endpoint.spawn(_deliver(state, interaction, interaction_payload(state, interaction), url))
        state.stats.delivered("http")
    else:
        state.hub.dispatch("INTERACTION_CREATE", interaction_payload(state, interaction), guild_id=channel.guild_id)
        state.stats.delivered("gateway")
    state.changed()
    return interaction


async def _deliver(state, ix: Interaction, payload: dict, url: str) -> None:
    """POST the interaction, signed, and apply the answer as the initial response: a 200
    JSON interaction response is applied as a callback would be; a 202 means the app answers
    through the callback route. Anything else within the deadline, or nothing, fails it.
    """
    body = json.dumps(payload, separators=(",", ":")).encode()
    deadline = state.config.interaction_deadline_s
    remaining = deadline - (time.monotonic() - ix.created["monotonic"])
    endpoint = state.endpoint
    endpoint.in_flight += 1
    try:
        status, content_type, raw = await endpoint.post(url, body, max(remaining, 0.001))
    except TimeoutError:
        return _http_failed(state, ix, "late", f"no answer within {deadline:g} s")
    except aiohttp.ClientError as error:
        return _http_failed(state, ix, "connection", f"{type(error).__name__}: {error}")
    finally:
        endpoint.in_flight -= 1
    ix.delivery.update(answered=stamp(), status=status)
    if time.monotonic() - ix.created["monotonic"] > deadline:
        return _http_failed(state, ix, "late", f"answered after {deadline:g} s")
    if status == 202:
        ix.delivery["outcome"] = "callback"
        state.changed()
        return None
    if status != 200:
        return _http_failed(state, ix, "status", f"answered {status}")
    answer = _json_object(raw) if content_type == "application/json" else None
    if answer is None or not isinstance(answer.get("data") or {}, dict):
        return _http_failed(state, ix, "malformed", "the answer is not a JSON object (application/json)")
    try:
        respond(state, ix, answer, with_response=False, inline_status=status)
    except errors.DiscordError as error:
        return _http_failed(state, ix, "invalid", f"{error.code}: {error.message}")
    ix.delivery["outcome"] = "response"
    state.changed()
    return None


def _json_object(raw: bytes) -> dict | None:
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _http_failed(state, ix: Interaction, outcome: str, reason: str) -> None:
    """Record why the POST did not answer the interaction (``answered`` stays None when no
    answer came) and fail it unless a callback already did."""
    ix.delivery.update(outcome=outcome, error=reason)
    fail(state, ix, f"http_{outcome}")


def fail(state, ix: Interaction, reason: str) -> None:
    """Mark an unanswered interaction failed, once: it is dead (no callback, no follow-ups)."""
    if ix.response is None and ix.failed is None and state.interactions.get(ix.id) is ix:
        elapsed = time.monotonic() - ix.created["monotonic"]
        ix.failed = {"reason": reason, "at": stamp(), "elapsed_s": elapsed}
        state.stats.missed(reason)
    state.changed()


def interaction_payload(state, ix: Interaction) -> dict:
    """The interaction object: in guilds with ``member`` (roles, permissions), else ``user``."""
    channel = state.channels[ix.channel_id]
    data = {
        "id": str(ix.id),
        "application_id": str(ix.application_id),
        "type": ix.type,
        "channel_id": str(channel.id),
        "channel": state.channel_payload(channel),
        "token": ix.token,
        "version": 1,
        "locale": "en-US",
        "entitlements": [],
        "attachment_size_limit": 10 * 1024 * 1024,
    }
    if ix.data is not None:
        data["data"] = ix.data
    if ix.message_id is not None:
        data["message"] = state.message_payload(state.messages[ix.message_id])
    guild = state.guilds.get(ix.guild_id) if ix.guild_id else None
    if guild is None:
        data.update(
            user=payloads.user(state.users[ix.user_id]),
            context=1,
            authorizing_integration_owners={"0": "0"},
            app_permissions=str(permissions.DEFAULT_BOT),
        )
        return data
    member = guild.members[ix.user_id]
    bot_member = guild.members.get(state.bot.id)
    app_perms = permissions.in_channel(guild, bot_member, channel, state.channels) if bot_member else 0
    data.update(
        guild_id=str(guild.id),
        guild={"id": str(guild.id), "locale": "en-US", "features": []},
        guild_locale="en-US",
        member=payloads.member(
            member, state.users, perms=permissions.in_channel(guild, member, channel, state.channels)
        ),
        context=0,
        authorizing_integration_owners={"0": str(guild.id)},
        app_permissions=str(app_perms),
    )
    return data


def respond(
    state, ix: Interaction, body: dict, *, with_response: bool, inline_status: int | None = None
) -> dict | None:
    """Apply an initial response, or raise the error Discord answers with.

    ``inline_status``: the response came as the HTTP answer to the interaction's POST (with
    that status) rather than as a callback request.
    """
    elapsed = time.monotonic() - ix.created["monotonic"]
    kind = body.get("type")
    attempt = {"type": kind, "at": stamp(), "elapsed_s": elapsed}
    try:
        if ix.response is not None:
            raise errors.already_acknowledged()
        if ix.failed is not None:
            raise errors.unknown("interaction")
        if elapsed > state.config.interaction_deadline_s:
            fail(state, ix, "late_callback")
            raise errors.unknown("interaction")
        _check(ix, kind, body.get("data") or {})
    except errors.DiscordError as error:
        ix.refused.append({**attempt, "status": error.status, "code": error.code})
        state.changed()
        raise
    data = body.get("data") or {}
    message = _apply(state, ix, kind, data)
    if inline_status is None:
        ix.response = {**attempt, "data": data, "status": 200 if with_response else 204}
    else:
        ix.response = {**attempt, "data": data, "status": inline_status, "via": "http"}
    state.stats.answered(elapsed)
    if kind == MODAL:
        state.open_modals[(ix.user_id, data.get("custom_id"))] = ix.id
    state.changed()
    if not with_response:
        return None
    callback = {
        "id": str(ix.id),
        "type": ix.type,
        "response_message_loading": kind == DEFERRED_MESSAGE,
        "response_message_ephemeral": bool(int(data.get("flags") or 0) & EPHEMERAL),
    }
    result = {"interaction": callback}
    if message is not None:
        callback["response_message_id"] = str(message.id)
    # InteractionCallbackResponse describes a resource only for a message that was sent or
    # updated (4, 7) or an activity (12); for the other types there is no resource.
    if message is not None and kind in (MESSAGE, UPDATE_MESSAGE):
        result["resource"] = {"type": kind, "message": state.message_payload(message)}
    return result


def _check(ix: Interaction, kind, data: dict) -> None:
    allowed = ALLOWED_CALLBACKS.get(ix.type, set())
    if kind not in allowed or (kind in (DEFERRED_UPDATE, UPDATE_MESSAGE) and ix.message_id is None):
        message = "Interaction response type is not valid for this interaction."
        raise errors.invalid_form_body({"type": errors.field_error("INTERACTION_RESPONSE_TYPE_INVALID", message)})
    if kind == MESSAGE and validation.is_empty(data):
        raise errors.empty_message()
    if kind in (MESSAGE, UPDATE_MESSAGE):
        problems = validation.message_errors(data)
    elif kind == MODAL:
        problems = validation.modal_errors(data)
    elif kind == AUTOCOMPLETE_RESULT:
        problems = validation.autocomplete_errors(data)
    else:
        problems = {}
    if problems:
        raise errors.invalid_form_body({"data": problems})


def _apply(state, ix: Interaction, kind: int, data: dict) -> Message | None:
    channel = state.channels[ix.channel_id]
    meta = _message_meta(state, ix)
    if kind == MESSAGE:
        message = post_message(state, channel, state.bot.id, data, **meta)
    elif kind == DEFERRED_MESSAGE:
        flags = LOADING | (int(data.get("flags") or 0) & EPHEMERAL)
        message = post_message(state, channel, state.bot.id, {"flags": flags}, **meta)
    elif kind == UPDATE_MESSAGE:
        message = edit_message(state, state.messages[ix.message_id], data)
    elif kind == DEFERRED_UPDATE:
        message = state.messages[ix.message_id]
    else:
        return None
    ix.original_message_id = message.id
    return None if kind == DEFERRED_UPDATE else message


def interaction_metadata(state, ix: Interaction) -> dict:
    """The message's ``interaction_metadata``: one of the three shapes of MessageResponse in
    discord/discord-api-spec (``ApplicationCommandInteractionMetadataResponse``,
    ``MessageComponentInteractionMetadataResponse`` with ``interacted_message_id``,
    ``ModalSubmitInteractionMetadataResponse`` with ``triggering_interaction_metadata``).
    """
    metadata = {
        "id": str(ix.id),
        "type": ix.type,
        "user": payloads.user(state.users[ix.user_id]),
        "authorizing_integration_owners": {"0": str(ix.guild_id or 0)},
    }
    if ix.type == MESSAGE_COMPONENT and ix.message_id is not None:
        metadata["interacted_message_id"] = str(ix.message_id)
    if ix.type == MODAL_SUBMIT and ix.opened_by in state.interactions:
        metadata["triggering_interaction_metadata"] = interaction_metadata(state, state.interactions[ix.opened_by])
    return metadata


def _message_meta(state, ix: Interaction) -> dict:
    metadata = interaction_metadata(state, ix)
    return {
        "webhook_id": state.application_id,
        "application_id": state.application_id,
        "interaction_id": ix.id,
        "interaction_metadata": metadata,
        "type": 20 if ix.type == APPLICATION_COMMAND else 0,
    }


def followup_meta(state, ix: Interaction) -> dict:
    """Message fields shared by follow-ups of ``ix`` (which name the original response)."""
    meta = {**_message_meta(state, ix), "type": 0}
    if ix.original_message_id is not None:
        meta["interaction_metadata"]["original_response_message_id"] = str(ix.original_message_id)
    return meta
