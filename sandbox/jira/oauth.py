"""Atlassian's OAuth 2.0 (3LO) as the stand-in plays it: ``auth.atlassian.com`` (authorize,
token) and ``api.atlassian.com`` (accessible resources, ``/ex/jira/{cloudid}/...``) on the
Jira site's own port.

Followed: developer.atlassian.com "OAuth 2.0 (3LO) apps" and "Implementing the Refresh
Token Flow" — ``GET /authorize?audience=api.atlassian.com&client_id&scope&redirect_uri&state
&response_type=code&prompt=consent`` (plus PKCE ``code_challenge``/``S256``), a redirect to
``redirect_uri?code=&state=``, ``POST /oauth/token`` (JSON, or a form) for
``authorization_code`` and ``refresh_token`` with rotating refresh tokens (a used one is
``invalid_grant``; a refresh token needs ``offline_access``), ``GET
/oauth/token/accessible-resources``, and the API at ``/ex/jira/{cloudid}/rest/api/3/...``.
Tokens are opaque random strings here (Atlassian's access tokens are JWTs; clients must not
read them either way).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlencode

from aiohttp import web

AUDIENCE = "api.atlassian.com"
ACCESS_TTL = timedelta(hours=1)
CODE_TTL = timedelta(minutes=10)
REFRESH_IDLE = timedelta(days=90)  # Atlassian: a refresh token unused for 90 days expires
CLASSIC_SCOPES = {
    "read:jira-user",
    "read:jira-work",
    "write:jira-work",
    "manage:jira-project",
    "manage:jira-configuration",
    "manage:jira-webhook",
    "read:me",
    "read:account",
    "offline_access",
}
# the scope each API route needs (classic scopes); every other route needs read:jira-work
USER_ROUTES = {"serverInfo", "myself", "user", "user/search"}
VIEWER = web.RequestKey("viewer", object)  # the User a request acts as
UNAUTHORIZED = {"code": 401, "message": "Unauthorized"}
SCOPE_MISMATCH = {"code": 401, "message": "Unauthorized; scope does not match"}


@dataclass
class OAuthApp:
    """An OAuth 2.0 integration as registered in the developer console."""

    client_id: str
    client_secret: str
    redirect_uris: list[str]


@dataclass
class Grant:
    """A user's consent to an app for some scopes; revoking it kills its tokens."""

    id: str
    client_id: str
    account_id: str
    scopes: tuple[str, ...]
    revoked: bool = False


@dataclass
class Code:
    grant: Grant
    redirect_uri: str
    challenge: str | None
    expires_at: datetime
    used: bool = False


@dataclass
class Token:
    grant: Grant
    expires_at: datetime


@dataclass
class OAuthRegistry:
    """Apps, grants, codes and tokens of the stand-in's authorization server."""

    cloud_id: str
    site_name: str
    apps: dict[str, OAuthApp] = field(default_factory=dict)
    grants: dict[str, Grant] = field(default_factory=dict)
    codes: dict[str, Code] = field(default_factory=dict)
    access: dict[str, Token] = field(default_factory=dict)
    refresh: dict[str, Token] = field(default_factory=dict)  # expires_at: idle expiry
    refreshes: int = 0

    def forget_tokens(self) -> None:
        """Drop every grant, code and token; registered apps stay."""
        self.grants.clear()
        self.codes.clear()
        self.access.clear()
        self.refresh.clear()
        self.refreshes = 0

    def revoke(self, account_id: str, client_id: str | None = None) -> int:
        """Revoke the user's grants (to one app, or all); returns how many."""
        hit = [
            g
            for g in self.grants.values()
            if g.account_id == account_id and not g.revoked and client_id in (None, g.client_id)
        ]
        for grant in hit:
            grant.revoked = True
        return len(hit)

    def expire_access(self, now: datetime, account_id: str | None = None) -> int:
        """Expire access tokens now (the user's, or everyone's); returns how many."""
        hit = [t for t in self.access.values() if account_id in (None, t.grant.account_id) and t.expires_at > now]
        for token in hit:
            token.expires_at = now
        return len(hit)

    def bearer(self, request: web.Request, now: datetime) -> Token | None:
        """The live access token a request carries, if any."""
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        token = self.access.get(value.strip()) if scheme.lower() == "bearer" else None
        if token is None or token.grant.revoked or token.expires_at <= now:
            return None
        return token


def _registry(request: web.Request) -> OAuthRegistry:
    return request.app["state"].oauth


def _now(request: web.Request) -> datetime:
    return request.app["state"].now()


def _page(status: int, title: str, body: str) -> web.Response:
    page = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )
    return web.Response(status=status, text=page, content_type="text/html")


def _redirect(uri: str, **params: str | None) -> web.Response:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return web.Response(status=302, headers={"Location": f"{uri}{'&' if '?' in uri else '?'}{query}"})


class _Stop(Exception):
    def __init__(self, response: web.Response):
        self.response = response


def _check_authorize(request: web.Request, params) -> tuple[OAuthApp, str, list[str]]:
    """The app, redirect URI and scopes of an authorize request, or ``_Stop`` with the answer.

    An unknown client or unregistered redirect URI is an error page (never a redirect to an
    unverified address); every other problem goes back to the app as ``?error=``.
    """
    app = _registry(request).apps.get(params.get("client_id", ""))
    if app is None:
        raise _Stop(_page(400, "Something went wrong", "<p>No app is registered with this client_id.</p>"))
    redirect_uri = params.get("redirect_uri", "")
    if redirect_uri not in app.redirect_uris:
        message = "The redirect_uri is not a callback URL registered for this app."
        raise _Stop(_page(400, "Something went wrong", f"<p>{html.escape(message)}</p>"))
    state = params.get("state")

    def back(error: str, description: str) -> _Stop:
        return _Stop(_redirect(redirect_uri, error=error, error_description=description, state=state))

    if params.get("response_type") != "code":
        raise back("unsupported_response_type", "response_type must be code")
    if params.get("audience") != AUDIENCE:
        raise back("invalid_request", f"audience must be {AUDIENCE}")
    scopes = params.get("scope", "").split()
    if not scopes:
        raise back("invalid_scope", "scope is required")
    unknown = [s for s in scopes if s not in CLASSIC_SCOPES and not s.endswith(":jira")]
    if unknown:
        raise back("invalid_scope", f"unknown scope {unknown[0]}")
    if params.get("code_challenge") and params.get("code_challenge_method", "plain") != "S256":
        raise back("invalid_request", "code_challenge_method must be S256")
    return app, redirect_uri, scopes


def _issue_code(request: web.Request, params, account_id: str) -> web.Response:
    app, redirect_uri, scopes = _check_authorize(request, params)
    registry = _registry(request)
    grant = Grant(secrets.token_hex(8), app.client_id, account_id, tuple(scopes))
    registry.grants[grant.id] = grant
    code = secrets.token_urlsafe(24)
    registry.codes[code] = Code(grant, redirect_uri, params.get("code_challenge"), _now(request) + CODE_TTL)
    return _redirect(redirect_uri, code=code, state=params.get("state"))


KEPT = ("audience", "client_id", "scope", "redirect_uri", "state", "response_type", "prompt")
KEPT_PKCE = ("code_challenge", "code_challenge_method")


async def authorize(request: web.Request) -> web.Response:
    """``GET /authorize``: the consent page, where you pick which user you are.

    ``sandbox_user=<accountId>`` consents as that user at once (tests without HTML).
    """
    params = request.query
    users = request.app["state"].users
    try:
        app, _, scopes = _check_authorize(request, params)
        chosen = params.get("sandbox_user")
        if chosen is not None:
            if chosen not in users:
                return _page(400, "Something went wrong", f"<p>No user {html.escape(chosen)} on this site.</p>")
            return _issue_code(request, params, chosen)
    except _Stop as stop:
        return stop.response
    hidden = "".join(
        f"<input type='hidden' name='{k}' value='{html.escape(params[k], quote=True)}'>"
        for k in (*KEPT, *KEPT_PKCE)
        if k in params
    )
    people = "".join(
        f"<li><label><input type='radio' name='account_id' value='{u.account_id}'{' checked' if n == 0 else ''}>"
        f" {html.escape(u.display_name)} &lt;{html.escape(u.email)}&gt;</label></li>"
        for n, u in enumerate(users.values())
    )
    body = (
        f"<p>{html.escape(app.client_id)} is requesting access to your Atlassian account: "
        f"{html.escape(', '.join(scopes))}.</p>"
        f"<form method='post' action='/authorize'>{hidden}<p>Who are you?</p><ul>{people}</ul>"
        "<p>Use app on <b>" + html.escape(_registry(request).site_name) + "</b></p>"
        "<button type='submit' name='decision' value='accept'>Accept</button> "
        "<button type='submit' name='decision' value='deny'>Cancel</button></form>"
    )
    return _page(200, "Atlassian: authorize app", body)


async def consent(request: web.Request) -> web.Response:
    """``POST /authorize``: the consent form's answer."""
    form = await request.post()
    try:
        _, redirect_uri, _ = _check_authorize(request, form)
        if form.get("decision") != "accept":
            return _redirect(
                redirect_uri,
                error="access_denied",
                error_description="User did not authorize the request",
                state=form.get("state"),
            )
        account_id = form.get("account_id", "")
        if account_id not in request.app["state"].users:
            return _page(400, "Something went wrong", "<p>Pick which user you are.</p>")
        return _issue_code(request, form, account_id)
    except _Stop as stop:
        return stop.response


def _oauth_error(status: int, error: str, description: str) -> web.Response:
    return web.json_response({"error": error, "error_description": description}, status=status)


def _tokens(request: web.Request, grant: Grant) -> web.Response:
    registry, now = _registry(request), _now(request)
    access = secrets.token_urlsafe(32)
    registry.access[access] = Token(grant, now + ACCESS_TTL)
    body = {
        "access_token": access,
        "expires_in": int(ACCESS_TTL.total_seconds()),
        "token_type": "Bearer",
        "scope": " ".join(grant.scopes),
    }
    if "offline_access" in grant.scopes:
        refresh = secrets.token_urlsafe(32)
        registry.refresh[refresh] = Token(grant, now + REFRESH_IDLE)
        body["refresh_token"] = refresh
    return web.json_response(body, headers={"Cache-Control": "no-store"})


def _verifier_ok(challenge: str, verifier: str) -> bool:
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return hmac.compare_digest(digest, challenge)


async def _token_params(request: web.Request) -> dict:
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}
    return dict(await request.post())


async def token(request: web.Request) -> web.Response:
    """``POST /oauth/token``: exchange a code, or rotate a refresh token."""
    params = await _token_params(request)
    registry = _registry(request)
    grant_type = params.get("grant_type")
    if grant_type not in ("authorization_code", "refresh_token"):
        return _oauth_error(400, "unsupported_grant_type", "Unsupported grant type: " + str(grant_type))
    app = registry.apps.get(str(params.get("client_id", "")))
    if app is None or not hmac.compare_digest(
        str(params.get("client_secret", "")).encode(), app.client_secret.encode()
    ):
        return _oauth_error(401, "access_denied", "Unauthorized")
    now = _now(request)
    if grant_type == "authorization_code":
        code = registry.codes.get(str(params.get("code", "")))
        if code is None or code.used or code.expires_at <= now or code.grant.client_id != app.client_id:
            return _oauth_error(403, "invalid_grant", "Invalid authorization code")
        if params.get("redirect_uri") != code.redirect_uri:
            return _oauth_error(403, "invalid_grant", "Invalid redirect_uri")
        if code.challenge and not _verifier_ok(code.challenge, str(params.get("code_verifier", ""))):
            return _oauth_error(403, "invalid_grant", "Failed to verify code verifier")
        code.used = True
        return _tokens(request, code.grant)
    old = registry.refresh.pop(str(params.get("refresh_token", "")), None)
    if old is None or old.grant.revoked or old.expires_at <= now or old.grant.client_id != app.client_id:
        return _oauth_error(403, "invalid_grant", "Unknown or invalid refresh token.")
    registry.refreshes += 1
    return _tokens(request, old.grant)


async def accessible_resources(request: web.Request) -> web.Response:
    """``GET /oauth/token/accessible-resources``: the sites the token's grant reaches."""
    registry = _registry(request)
    found = registry.bearer(request, _now(request))
    if found is None:
        return web.json_response(UNAUTHORIZED, status=401)
    return web.json_response(
        [
            {
                "id": registry.cloud_id,
                "url": str(request.url.origin()),
                "name": registry.site_name,
                "scopes": [s for s in found.grant.scopes if s != "offline_access"],
                "avatarUrl": "https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/rocket.png",
            }
        ]
    )


def authenticate_api(request: web.Request, route: str, *, write: bool) -> web.Response | None:
    """For ``/ex/jira/{cloudid}/rest/...``: set the viewer from the Bearer token, or the 401.

    A write needs ``write:jira-work``; a read of a user route ``read:jira-user``, of any
    other ``read:jira-work``.
    """
    state = request.app["state"]
    registry: OAuthRegistry = state.oauth
    found = registry.bearer(request, state.now())
    if found is None:
        return web.json_response(UNAUTHORIZED, status=401)
    needed = "write:jira-work" if write else "read:jira-user" if route in USER_ROUTES else "read:jira-work"
    cloud_id = request.path.split("/")[3] if request.path.count("/") >= 3 else ""  # /ex/jira/{cloudid}/...
    if cloud_id != registry.cloud_id or needed not in found.grant.scopes:
        return web.json_response(SCOPE_MISMATCH, status=401)
    user = state.users.get(found.grant.account_id)
    if user is None:
        return web.json_response(UNAUTHORIZED, status=401)
    request[VIEWER] = user
    return None


def summary(registry: OAuthRegistry, now: datetime) -> dict:
    """What the control API shows: apps, live grants, token counts."""
    return {
        "cloud_id": registry.cloud_id,
        "site_name": registry.site_name,
        "apps": [{"client_id": a.client_id, "redirect_uris": a.redirect_uris} for a in registry.apps.values()],
        "grants": [
            {"client_id": g.client_id, "accountId": g.account_id, "scopes": list(g.scopes), "revoked": g.revoked}
            for g in registry.grants.values()
        ],
        "live_access_tokens": sum(1 for t in registry.access.values() if t.expires_at > now and not t.grant.revoked),
        "refreshes": registry.refreshes,
    }


def register_app(registry: OAuthRegistry, body) -> OAuthApp | str:
    """Register (or replace) an app from ``{"client_id", "client_secret", "redirect_uris"}``."""
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    client_id, secret, uris = body.get("client_id"), body.get("client_secret"), body.get("redirect_uris")
    if not isinstance(client_id, str) or not client_id:
        return "client_id is required"
    if not isinstance(secret, str) or not secret:
        return "client_secret is required"
    if not isinstance(uris, list) or not uris or not all(isinstance(u, str) and "://" in u for u in uris):
        return "redirect_uris must be a non-empty list of absolute URLs"
    app = OAuthApp(client_id, secret, list(uris))
    registry.apps[client_id] = app
    return app


def add_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/authorize", authorize)
    r.add_post("/authorize", consent)
    r.add_post("/oauth/token", token)
    r.add_get("/oauth/token/accessible-resources", accessible_resources)
