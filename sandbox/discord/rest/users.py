"""Users, the application, DM channels and gateway discovery."""

from __future__ import annotations

from aiohttp import web

from .. import payloads, permissions
from ..endpoint import INVALID_URL_CODE, INVALID_URL_MESSAGE, EndpointRefused, set_interactions_endpoint
from ..world.messages import open_dm
from .errors import field_error, invalid_form_body, json_response, unknown
from .middleware import OAUTH2_GRANT
from .routing import RouteTable, int_query, read_json, snowflake

routes = RouteTable()


@routes.route("GET", "/users/@me", auth="bot|identify", unversioned=True)
async def get_current_user(request: web.Request) -> web.Response:
    """The bot, or with a user's Bearer token that user (``email`` only with the email scope)."""
    state = request.app["state"]
    grant = request.get(OAUTH2_GRANT)
    if grant is None:
        return json_response(state.bot_user_payload())
    user = state.users.get(grant.user_id)
    if user is None:
        raise unknown("User")
    data = payloads.user(user)
    data.update({"mfa_enabled": False, "locale": "en-US", "premium_type": 0})
    if "email" in grant.scopes:
        data.update({"email": f"{user.username}@users.sandbox.invalid", "verified": True})
    return json_response(data)


@routes.route("GET", "/users/@me/guilds", auth="bot|guilds", unversioned=True)
async def get_current_user_guilds(request: web.Request) -> web.Response:
    """The guilds of the bot, or of the Bearer token's user, with their permissions there."""
    state = request.app["state"]
    grant = request.get(OAUTH2_GRANT)
    user_id = grant.user_id if grant is not None else state.bot.id
    limit = int_query(request, "limit", 200)
    after, before = int_query(request, "after", 0), int_query(request, "before", 0)
    guilds = []
    for guild in sorted(state.guilds.values(), key=lambda g: g.id):
        member = guild.members.get(user_id)
        in_guild = guild.has_bot if user_id == state.bot.id else member is not None
        if not in_guild or guild.id <= after or (before and guild.id >= before):
            continue
        perms = permissions.base_permissions(guild, member) if member is not None else 0
        guilds.append(
            {
                "id": str(guild.id),
                "name": guild.name,
                "icon": None,
                "banner": None,
                "owner": guild.owner_id == user_id,
                "permissions": str(perms),
                "features": [],
                "approximate_member_count": len(guild.members),
                "approximate_presence_count": 0,
            }
        )
    if request.query.get("with_counts") not in ("true", "True", "1"):
        for entry in guilds:
            del entry["approximate_member_count"], entry["approximate_presence_count"]
    return json_response(guilds[: max(1, min(limit, 200))])


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
        "verify_key": state.endpoint.verify_key,
        "flags": state.application_flags(),
        "flags_new": str(state.application_flags()),
        "owner": payloads.user(owner),
        "team": None,
        "bot": state.bot_user_payload(),
        "interactions_endpoint_url": state.endpoint.url,
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


@routes.route("PATCH", "/applications/@me")
async def edit_application(request: web.Request) -> web.Response:
    """Edit Current Application; the sandbox keeps ``interactions_endpoint_url`` only (the
    other documented fields are accepted and ignored). A URL is validated first, as Discord
    does (``endpoint.Endpoint.validate``); null or "" goes back to gateway delivery.
    """
    state = request.app["state"]
    body = await read_json(request)
    if not isinstance(body, dict):
        raise invalid_form_body(field_error("DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType"))
    if "interactions_endpoint_url" in body:
        try:
            await set_interactions_endpoint(state, body["interactions_endpoint_url"])
        except EndpointRefused:
            problem = field_error(INVALID_URL_CODE, INVALID_URL_MESSAGE)
            raise invalid_form_body({"interactions_endpoint_url": problem}) from None
    return json_response(application_payload(state))


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
