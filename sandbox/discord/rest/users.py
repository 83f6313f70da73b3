"""Users, the application, DM channels and gateway discovery."""

from __future__ import annotations

from aiohttp import web

from .. import payloads
from ..world.messages import open_dm
from .errors import json_response, unknown
from .routing import RouteTable, read_json, snowflake

routes = RouteTable()


@routes.route("GET", "/users/@me")
async def get_current_user(request: web.Request) -> web.Response:
    return json_response(request.app["state"].bot_user_payload())


@routes.route("GET", "/users/{user_id}")
async def get_user(request: web.Request) -> web.Response:
    state = request.app["state"]
    user = state.users.get(snowflake(request, "user_id"))
    if user is None:
        raise unknown("User")
    return json_response(payloads.user(user))


@routes.route("POST", "/users/@me/channels", bucket="dm_channels")
async def create_dm(request: web.Request) -> web.Response:
    """Open (or return) the DM channel with ``recipient_id``; closed DMs fail only on send."""
    state = request.app["state"]
    body = await read_json(request)
    try:
        user = state.users.get(int(body.get("recipient_id")))
    except (TypeError, ValueError):
        user = None
    if user is None:
        raise unknown("User")
    return json_response(state.channel_payload(open_dm(state, user)))


def application_payload(state) -> dict:
    """The application object (``PrivateApplicationResponse`` of discord/discord-api-spec)."""
    owner = next((u for u in state.users.values() if not u.bot), state.bot)
    return {
        "id": str(state.application_id),
        "name": state.bot.username,
        "icon": None,
        "description": "",
        "summary": "",
        "type": None,
        "bot_public": False,
        "bot_require_code_grant": False,
        "verify_key": "0" * 64,
        "flags": state.application_flags(),
        "flags_new": str(state.application_flags()),
        "owner": payloads.user(owner),
        "team": None,
        "bot": state.bot_user_payload(),
        "interactions_endpoint_url": None,
        "role_connections_verification_url": None,
        "explicit_content_filter": 0,
        "eligible_oauth2_scopes": ["bot", "applications.commands"],
        "redirect_uris": [],
        "tags": [],
        "approximate_guild_count": sum(1 for g in state.guilds.values() if g.has_bot),
        "approximate_user_install_count": 0,
        "approximate_user_authorization_count": 0,
        "integration_types_config": {"0": {}},
    }


@routes.route("GET", "/oauth2/applications/@me")
async def get_oauth2_application(request: web.Request) -> web.Response:
    return json_response(application_payload(request.app["state"]))


@routes.route("GET", "/applications/@me")
async def get_application(request: web.Request) -> web.Response:
    return json_response(application_payload(request.app["state"]))


@routes.route("GET", "/gateway", auth="none")
async def get_gateway(request: web.Request) -> web.Response:
    return json_response({"url": f"ws://{request.host}"})


@routes.route("GET", "/gateway/bot")
async def get_gateway_bot(request: web.Request) -> web.Response:
    state = request.app["state"]
    limit = {"total": 1000, "remaining": 1000 - state.hub.counters["identifies"], "reset_after": 86_400_000}
    limit["max_concurrency"] = state.config.max_concurrency
    return json_response(
        {
            "url": f"ws://{request.host}",
            "shards": state.config.recommended_shards,
            "session_start_limit": limit,
        }
    )
