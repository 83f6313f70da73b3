"""The records behind OAuth2: the registered application, codes, and token pairs."""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass, field

# Scopes Discord documents that the sandbox can grant; others are refused as invalid_scope.
SUPPORTED_SCOPES = frozenset({"identify", "email", "guilds", "guilds.members.read", "connections"})
CODE_TTL_S = 600.0  # Discord's codes live ten minutes
TOKEN_TTL_S = 604_800  # expires_in of Discord's token responses: seven days


class GrantError(Exception):
    """An RFC 6749 error: ``{"error": code, "error_description": description}``."""

    def __init__(self, code: str, description: str | None = None, *, status: int = 400) -> None:
        super().__init__(description or code)
        self.code = code
        self.description = description
        self.status = status

    def body(self) -> dict:
        data = {"error": self.code}
        if self.description:
            data["error_description"] = self.description
        return data


@dataclass
class Application:
    client_id: int
    client_secret: str
    redirect_uris: list[str]


@dataclass
class Code:
    value: str
    user_id: int
    scopes: tuple[str, ...]
    redirect_uri: str | None
    expires_at: float


@dataclass
class Authorization:
    """One grant: its current access and refresh tokens (a refresh replaces both)."""

    user_id: int
    scopes: tuple[str, ...]
    access_token: str
    refresh_token: str | None
    expires_at: float
    revoked: bool = False


@dataclass
class OAuth2State:
    application: Application | None = None
    codes: dict[str, Code] = field(default_factory=dict)
    authorizations: list[Authorization] = field(default_factory=list)
    token_ttl_s: float = TOKEN_TTL_S
    counters: dict[str, int] = field(default_factory=dict)

    def count(self, name: str) -> None:
        self.counters[name] = self.counters.get(name, 0) + 1

    def register(self, client_id: int, client_secret: str, redirect_uris: list[str]) -> Application:
        self.application = Application(client_id, client_secret, list(redirect_uris))
        return self.application

    def check_client(self, client_id: str | None, client_secret: str | None) -> Application:
        app = self.application
        if (
            app is None
            or client_id != str(app.client_id)
            or not isinstance(client_secret, str)
            or not hmac.compare_digest(client_secret, app.client_secret)
        ):
            raise GrantError("invalid_client", status=401)
        return app

    def issue_code(self, user_id: int, scopes: tuple[str, ...], redirect_uri: str | None) -> str:
        value = secrets.token_urlsafe(22)
        self.codes[value] = Code(value, user_id, scopes, redirect_uri, time.monotonic() + CODE_TTL_S)
        return value

    def exchange_code(self, code: str | None, redirect_uri: str | None) -> Authorization:
        found = self.codes.get(code or "")
        if found is None or found.expires_at < time.monotonic():
            raise GrantError("invalid_grant", 'Invalid "code" in request.')
        if found.redirect_uri is not None and redirect_uri != found.redirect_uri:
            raise GrantError("invalid_grant", 'Invalid "redirect_uri" in request.')
        del self.codes[found.value]  # a code is good once
        return self._authorize(found.user_id, found.scopes, refreshable=True)

    def refresh(self, refresh_token: str | None) -> Authorization:
        grant = self._live(lambda a: a.refresh_token is not None and _same(a.refresh_token, refresh_token))
        if grant is None:
            raise GrantError("invalid_grant")
        grant.revoked = True
        return self._authorize(grant.user_id, grant.scopes, refreshable=True)

    def client_credentials(self, owner_id: int, scopes: tuple[str, ...]) -> Authorization:
        return self._authorize(owner_id, scopes, refreshable=False)

    def revoke(self, token: str | None) -> None:
        """Revoke the whole authorization ``token`` belongs to, access or refresh (RFC 7009: always 200)."""
        for grant in self.authorizations:
            if _same(grant.access_token, token) or (grant.refresh_token and _same(grant.refresh_token, token)):
                grant.revoked = True

    def bearer(self, token: str | None) -> Authorization | None:
        """The live authorization of an access token, or None."""
        now = time.monotonic()
        return self._live(lambda a: _same(a.access_token, token) and a.expires_at > now)

    def expire_tokens(self) -> int:
        """Make every access token expired (a test device for refresh); returns how many."""
        live = [a for a in self.authorizations if not a.revoked]
        for grant in live:
            grant.expires_at = 0.0
        return len(live)

    def _authorize(self, user_id: int, scopes: tuple[str, ...], *, refreshable: bool) -> Authorization:
        grant = Authorization(
            user_id=user_id,
            scopes=scopes,
            access_token=secrets.token_urlsafe(22),
            refresh_token=secrets.token_urlsafe(22) if refreshable else None,
            expires_at=time.monotonic() + self.token_ttl_s,
        )
        self.authorizations.append(grant)
        return grant

    def _live(self, predicate) -> Authorization | None:
        return next((a for a in self.authorizations if not a.revoked and predicate(a)), None)


def _same(stored: str, given) -> bool:
    return isinstance(given, str) and hmac.compare_digest(stored, given)


def token_response(grant: Authorization, ttl_s: float) -> dict:
    """Discord's access token response."""
    data = {
        "token_type": "Bearer",
        "access_token": grant.access_token,
        "expires_in": int(ttl_s),
        "scope": " ".join(grant.scopes),
    }
    if grant.refresh_token is not None:
        data["refresh_token"] = grant.refresh_token
    return data
