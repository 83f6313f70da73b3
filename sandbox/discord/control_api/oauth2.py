"""Control API: register the OAuth2 application, read back and expire user tokens."""

from __future__ import annotations

from aiohttp import web

from . import common as c

routes = web.RouteTableDef()


@routes.post("/_control/oauth2/application")
async def register_application(request: web.Request) -> web.Response:
    """``{"client_secret", "redirect_uris": [...]}``: the client id is the application id."""
    state, data = request.app["state"], await c.body(request)
    secret, uris = data.get("client_secret"), data.get("redirect_uris")
    if not isinstance(secret, str) or not secret:
        raise c.ControlError(400, "client_secret must be a non-empty string")
    if not isinstance(uris, list) or not uris or not all(isinstance(u, str) and "://" in u for u in uris):
        raise c.ControlError(400, "redirect_uris must be a non-empty list of absolute URLs")
    app = state.oauth2.register(state.application_id, secret, uris)
    return c.ok(_application(app), status=201)


@routes.get("/_control/oauth2")
async def oauth2_state(request: web.Request) -> web.Response:
    """The application (without its secret), live authorizations per user, and counters."""
    oauth = request.app["state"].oauth2
    live = [a for a in oauth.authorizations if not a.revoked]
    return c.ok(
        {
            "application": _application(oauth.application, secret=False) if oauth.application else None,
            "authorizations": [{"user_id": str(a.user_id), "scopes": list(a.scopes)} for a in live],
            "counters": dict(oauth.counters),
        }
    )


@routes.post("/_control/oauth2/expire")
async def expire_tokens(request: web.Request) -> web.Response:
    """Make every access token expired now (refresh tokens stay good)."""
    return c.ok({"expired": request.app["state"].oauth2.expire_tokens()})


def _application(app, *, secret: bool = True) -> dict:
    data = {"client_id": str(app.client_id), "redirect_uris": list(app.redirect_uris)}
    if secret:
        data["client_secret"] = app.client_secret
    return data
