"""Build the aiohttp application: gateway at / and /gateway, REST under /api/v10, OAuth2, control API."""

from __future__ import annotations

import asyncio
import contextlib
import warnings

from aiohttp import web

from . import control_api, oauth2, rest
from .gateway.connection import GatewayConnection
from .rest.middleware import api_middleware
from .state import Config, DiscordState


def create_app(
    *,
    bot_token: str,
    application_id: int | None = None,
    global_limit_per_s: float = 50,
    interaction_deadline_s: float = 3.0,
    token_ttl_s: float = 900,
    **opts,
) -> web.Application:
    """A Discord stand-in for one bot. ``opts`` are further ``Config`` fields, e.g.
    ``route_limits={"messages:create": (5, 0.1)}``, ``heartbeat_interval_ms``,
    ``recommended_shards``, ``privileged_intents=["GUILD_MEMBERS"]``, ``resume_window_s``.
    """
    config = Config(
        bot_token=bot_token,
        application_id=application_id,
        global_limit_per_s=global_limit_per_s,
        interaction_deadline_s=interaction_deadline_s,
        token_ttl_s=token_ttl_s,
        **opts,
    )
    # Discord refuses uploads over 10 MiB itself (40005); aiohttp's own 1 MiB cap must not come first.
    app = web.Application(middlewares=[control_api.control_errors, api_middleware], client_max_size=32 * 1024**2)
    with warnings.catch_warnings():
        # The interface contract is app["state"]; a string key is deliberate here.
        warnings.simplefilter("ignore", web.NotAppKeyWarning)
        app["state"] = DiscordState(config)
    app.router.add_get("/", gateway_or_index)
    app.router.add_get("/gateway", gateway_or_index)
    app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", attachment_file)
    rest.install(app)
    oauth2.install(app)
    control_api.install(app)
    app.on_shutdown.append(_close_sockets)
    app.on_cleanup.append(_close_endpoint_client)
    return app


async def gateway_or_index(request: web.Request) -> web.StreamResponse:
    """The gateway websocket; a plain GET gets a short description instead."""
    state = request.app["state"]
    if request.headers.get("Upgrade", "").lower() == "websocket":
        return await GatewayConnection(state, request).serve()
    return web.json_response(
        {
            "service": "Discord sandbox",
            "gateway": f"ws://{request.host}/?v=10&encoding=json",
            "rest": f"http://{request.host}/api/v10",
            "control": f"http://{request.host}/_control",
            "application_id": str(state.application_id),
        }
    )


async def attachment_file(request: web.Request) -> web.Response:
    """An uploaded file's bytes, where its attachment's ``url`` points (Discord's CDN, here)."""
    state = request.app["state"]
    try:
        channel_id, attachment_id = int(request.match_info["channel_id"]), int(request.match_info["attachment_id"])
    except ValueError:
        raise web.HTTPNotFound() from None
    for message_id in state.channel_messages.get(channel_id, []):
        for a in state.messages[message_id].attachments:
            if a["id"] == attachment_id and a["filename"] == request.match_info["filename"]:
                return web.Response(body=a["data"], content_type=a["content_type"] or "application/octet-stream")
    raise web.HTTPNotFound()


async def _close_sockets(app: web.Application) -> None:
    connections = list(app["state"].hub.connections)
    for connection in connections:
        connection.close_later(1001)
    if connections:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(_until_closed(app), 2.0)


async def _close_endpoint_client(app: web.Application) -> None:
    await app["state"].endpoint.close()


async def _until_closed(app: web.Application) -> None:
    while app["state"].hub.connections:
        await asyncio.sleep(0.01)
