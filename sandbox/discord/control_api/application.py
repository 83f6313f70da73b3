"""Control API: the application's public key and its Interactions Endpoint URL."""

from __future__ import annotations

from aiohttp import web

from ..endpoint import EndpointRefused, set_interactions_endpoint
from . import common as c

routes = web.RouteTableDef()


def application_view(state) -> dict:
    """``{"id", "verify_key", "interactions_endpoint_url", "delivery", "in_flight"}``."""
    return {"id": str(state.application_id), **state.endpoint.describe()}


@routes.get("/_control/application")
async def get_application(request: web.Request) -> web.Response:
    return c.ok(application_view(request.app["state"]))


@routes.post("/_control/application/interactions-endpoint")
async def set_endpoint(request: web.Request) -> web.Response:
    """``{"url": "http://127.0.0.1:PORT/path"}`` (null or "": back to the gateway): Discord's
    validation first (a signed PING answered ``{"type": 1}``, a badly signed one 401). A URL
    that fails is a 400 with the reason and what each check saw; the URL stays as it was.
    """
    state, data = request.app["state"], await c.body(request)
    if "url" not in data:
        raise c.ControlError(400, 'url is required (null or "" for gateway delivery)')
    try:
        checks = await set_interactions_endpoint(state, data["url"])
    except EndpointRefused as refused:
        return c.ok({"error": refused.reason, "checks": refused.checks}, status=400)
    return c.ok({**application_view(state), "checks": checks})
