"""Interaction callback and the interaction webhook (original response and follow-ups).

These routes authenticate by the token in the path, not the bot token, and sit outside the
global rate limit, as on Discord.
"""

from __future__ import annotations

import time

from aiohttp import web

from .. import validation
from ..world import interactions as ix_world
from ..world.messages import delete_message, edit_message, post_message
from .errors import (
    empty_message,
    invalid_form_body,
    invalid_webhook_token,
    json_response,
    no_content,
    unknown,
)
from .routing import RouteTable, read_json, snowflake

routes = RouteTable()
WEBHOOK = "/webhooks/{webhook_id}/{webhook_token}"


@routes.route(
    "POST", "/interactions/{webhook_id}/{webhook_token}/callback", bucket="interaction_callback", auth="token"
)
async def create_interaction_response(request: web.Request) -> web.Response:
    """The initial response: within the deadline, once."""
    state = request.app["state"]
    interaction = state.interactions.get(snowflake(request, "webhook_id"))
    if interaction is None or interaction.token != request.match_info["webhook_token"]:
        raise unknown("interaction")
    body = await read_json(request)
    with_response = request.query.get("with_response", "false").lower() in ("1", "true")
    result = ix_world.respond(state, interaction, body, with_response=with_response)
    return no_content() if result is None else json_response(result)


def _interaction(request: web.Request):
    """The interaction behind an application webhook, checking id and token lifetime."""
    state = request.app["state"]
    if snowflake(request, "webhook_id") != state.application_id:
        raise unknown("Webhook")
    interaction_id = state.interaction_tokens.get(request.match_info["webhook_token"])
    if interaction_id is None:
        raise unknown("Webhook")
    interaction = state.interactions[interaction_id]
    if time.monotonic() - interaction.created["monotonic"] > state.config.token_ttl_s:
        raise invalid_webhook_token()
    return state, interaction


def _target(request: web.Request):
    """The message a /messages/{message_id} route names, if it belongs to the interaction."""
    state, interaction = _interaction(request)
    raw = request.match_info["message_id"]
    message_id = interaction.original_message_id if raw == "@original" else snowflake(request, "message_id")
    own = {interaction.original_message_id, *interaction.followup_ids}
    message = state.messages.get(message_id) if message_id in own else None
    if message is None or message.deleted:
        raise unknown("Message")
    return state, interaction, message


@routes.route("POST", WEBHOOK, bucket="webhook", auth="token")
async def create_followup(request: web.Request) -> web.Response:
    """A follow-up; after a deferred response the first one fills the loading message.

    Like every webhook execution it answers 204 unless ``wait=true`` asks for the message.
    """
    state, interaction = _interaction(request)
    if interaction.response is None:
        raise unknown("Webhook")
    body = await read_json(request)
    if validation.is_empty(body):
        raise empty_message()
    errors = validation.message_errors(body)
    if errors:
        raise invalid_form_body(errors)
    original = state.messages.get(interaction.original_message_id)
    if original is not None and original.flags & ix_world.LOADING and not original.deleted:
        original.flags &= ~ix_world.LOADING
        message = edit_message(state, original, body)
    else:
        channel = state.channels[interaction.channel_id]
        message = post_message(state, channel, state.bot.id, body, **ix_world.followup_meta(state, interaction))
        interaction.followup_ids.append(message.id)
    if request.query.get("wait", "false").lower() not in ("1", "true"):
        return no_content()
    return json_response(state.message_payload(message))


@routes.route("GET", WEBHOOK + "/messages/{message_id}", bucket="webhook", auth="token")
async def get_webhook_message(request: web.Request) -> web.Response:
    state, _, message = _target(request)
    return json_response(state.message_payload(message))


@routes.route("PATCH", WEBHOOK + "/messages/{message_id}", bucket="webhook", auth="token")
async def edit_webhook_message(request: web.Request) -> web.Response:
    """Edit the original or a follow-up; editing a loading message ends the loading state."""
    state, _, message = _target(request)
    body = await read_json(request)
    errors = validation.message_errors(body)
    if errors:
        raise invalid_form_body(errors)
    message.flags &= ~ix_world.LOADING
    return json_response(state.message_payload(edit_message(state, message, body)))


@routes.route("DELETE", WEBHOOK + "/messages/{message_id}", bucket="webhook", auth="token")
async def delete_webhook_message(request: web.Request) -> web.Response:
    state, _, message = _target(request)
    delete_message(state, message)
    return no_content()
