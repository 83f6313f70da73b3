"""The OAuth2 URLs: the authorize page, the token and revocation endpoints.

As Discord's docs say, the token and revocation URLs accept only
``application/x-www-form-urlencoded``; client credentials come by HTTP basic auth or as
``client_id``/``client_secret`` form fields. Errors are RFC 6749's JSON.
"""

from __future__ import annotations

import base64
import binascii
import html
from urllib.parse import urlencode

from aiohttp import web

from .grants import SUPPORTED_SCOPES, GrantError, token_response

FORM = "application/x-www-form-urlencoded"
# Discord serves both; allauth's provider uses the /api one.
AUTHORIZE_PATHS = ("/oauth2/authorize", "/api/oauth2/authorize", "/api/v10/oauth2/authorize")
TOKEN_PATHS = ("/api/oauth2/token", "/api/v10/oauth2/token")
REVOKE_PATHS = ("/api/oauth2/token/revoke", "/api/v10/oauth2/token/revoke")
DENIED = "The resource owner or authorization server denied the request"


def install(app: web.Application) -> None:
    for path in AUTHORIZE_PATHS:
        app.router.add_get(path, authorize_page)
        app.router.add_post(path, authorize_decision)
    for path in TOKEN_PATHS:
        app.router.add_post(path, token)
    for path in REVOKE_PATHS:
        app.router.add_post(path, revoke)


# --- authorize -----------------------------------------------------------------------------


class AuthorizeRequest:
    """The authorize parameters, checked as Discord checks them before showing the page."""

    def __init__(self, state, params) -> None:
        self.params = {k: params.get(k) for k in ("response_type", "client_id", "scope", "state", "prompt")}
        oauth = state.oauth2
        app = oauth.application
        if app is None or params.get("client_id") != str(app.client_id):
            raise web.HTTPBadRequest(text="Unknown Application: client_id is not a registered OAuth2 application")
        redirect_uri = params.get("redirect_uri") or (app.redirect_uris[0] if app.redirect_uris else None)
        if redirect_uri not in app.redirect_uris:
            raise web.HTTPBadRequest(text="Invalid OAuth2 redirect_uri")
        self.redirect_uri = redirect_uri
        self.explicit_redirect = params.get("redirect_uri")
        self.scopes = tuple((params.get("scope") or "").split())

    def problem(self) -> tuple[str, str] | None:
        if self.params["response_type"] != "code":
            return "unsupported_response_type", "The authorization server does not support obtaining an access token"
        if not self.scopes:
            return "invalid_scope", "The requested scope is invalid, unknown, or malformed."
        unknown = [s for s in self.scopes if s not in SUPPORTED_SCOPES]
        if unknown:
            return "invalid_scope", f"The requested scope is invalid, unknown, or malformed. ({unknown[0]})"
        return None

    def back(self, **query) -> web.HTTPFound:
        if self.params["state"] is not None:
            query["state"] = self.params["state"]
        joiner = "&" if "?" in self.redirect_uri else "?"
        return web.HTTPFound(self.redirect_uri + joiner + urlencode(query))


async def authorize_page(request: web.Request) -> web.Response:
    """The consent page; ``sandbox_user=<username or id>`` consents for that user at once."""
    state = request.app["state"]
    ask = AuthorizeRequest(state, request.query)
    problem = ask.problem()
    if problem:
        raise ask.back(error=problem[0], error_description=problem[1])
    chosen = request.query.get("sandbox_user")
    if chosen:
        user = _find_user(state, chosen)
        if user is None:
            raise web.HTTPBadRequest(text=f"sandbox_user {chosen!r} is not a sandbox user")
        raise _consent(state, ask, user.id)
    return web.Response(text=_page(state, ask, request.path), content_type="text/html")


async def authorize_decision(request: web.Request) -> web.Response:
    """The consent form's POST: ``user_id`` and ``decision`` (authorize or cancel)."""
    state = request.app["state"]
    form = await request.post()
    ask = AuthorizeRequest(state, form)
    problem = ask.problem()
    if problem:
        raise ask.back(error=problem[0], error_description=problem[1])
    if form.get("decision") != "authorize":
        raise ask.back(error="access_denied", error_description=DENIED)
    user = _find_user(state, form.get("user_id") or "")
    if user is None:
        raise web.HTTPBadRequest(text="Pick who you are: user_id is not a sandbox user")
    raise _consent(state, ask, user.id)


def _consent(state, ask: AuthorizeRequest, user_id: int) -> web.HTTPFound:
    state.oauth2.count("authorize")
    code = state.oauth2.issue_code(user_id, ask.scopes, ask.explicit_redirect)
    return ask.back(code=code)


def _find_user(state, key: str):
    for user in state.users.values():
        if not user.bot and (str(user.id) == key or user.username == key):
            return user
    return None


def _page(state, ask: AuthorizeRequest, action: str) -> str:
    esc = html.escape
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{esc(value)}">'
        for name, value in {**ask.params, "redirect_uri": ask.explicit_redirect}.items()
        if value is not None
    )
    people = [u for u in state.users.values() if not u.bot]
    choices = "".join(
        f'<label><input type="radio" name="user_id" value="{u.id}"{" checked" if i == 0 else ""}> '
        f"{esc(u.global_name or u.username)} <small>@{esc(u.username)}</small></label><br>"
        for i, u in enumerate(people)
    )
    scopes = "".join(f"<li>{esc(s)}</li>" for s in ask.scopes)
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Discord sandbox: authorize</title></head>"
        f"<body><h1>{esc(state.bot.username)} wants to access your account</h1>"
        f"<p>Scopes:</p><ul>{scopes}</ul>"
        f'<form method="post" action="{esc(action)}">{hidden}<fieldset><legend>Who are you?</legend>'
        f"{choices or '<p>No sandbox users yet.</p>'}</fieldset>"
        '<button type="submit" name="decision" value="cancel">Cancel</button> '
        '<button type="submit" name="decision" value="authorize">Authorize</button>'
        "</form></body></html>"
    )


# --- token and revocation ------------------------------------------------------------------


async def token(request: web.Request) -> web.Response:
    state = request.app["state"]
    try:
        form = await _form(request)
        app = state.oauth2.check_client(*_client_credentials(request, form))
        grant_type = form.get("grant_type")
        oauth = state.oauth2
        if grant_type == "authorization_code":
            grant = oauth.exchange_code(form.get("code"), form.get("redirect_uri"))
        elif grant_type == "refresh_token":
            grant = oauth.refresh(form.get("refresh_token"))
        elif grant_type == "client_credentials":
            scopes = tuple((form.get("scope") or "identify").split())
            if any(s not in SUPPORTED_SCOPES for s in scopes):
                raise GrantError("invalid_scope")
            grant = oauth.client_credentials(_owner_id(state, app), scopes)
        elif not grant_type:
            raise GrantError("unsupported_grant_type", "Grant type None is not supported")
        else:
            raise GrantError("unsupported_grant_type", f"Grant type {grant_type} is not supported")
    except GrantError as error:
        state.oauth2.count(f"token:{error.code}")
        return web.json_response(error.body(), status=error.status)
    state.oauth2.count(f"token:{grant_type}")
    return web.json_response(token_response(grant, state.oauth2.token_ttl_s))


async def revoke(request: web.Request) -> web.Response:
    state = request.app["state"]
    try:
        form = await _form(request)
        state.oauth2.check_client(*_client_credentials(request, form))
    except GrantError as error:
        return web.json_response(error.body(), status=error.status)
    state.oauth2.revoke(form.get("token"))
    state.oauth2.count("revoke")
    return web.json_response({})


async def _form(request: web.Request):
    if request.content_type != FORM:
        raise GrantError("invalid_request", "Content-Type must be application/x-www-form-urlencoded")
    return await request.post()


def _client_credentials(request: web.Request, form) -> tuple[str | None, str | None]:
    kind, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if kind.lower() == "basic":
        try:
            client_id, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise GrantError("invalid_client", status=401) from None
        return client_id, secret
    return form.get("client_id"), form.get("client_secret")


def _owner_id(state, app) -> int:
    """The application's owner, whom a client credentials token stands for."""
    owner = next((u for u in state.users.values() if not u.bot), state.bot)
    return owner.id
