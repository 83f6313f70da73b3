"""Google OAuth for service accounts: keys, the JWT-bearer token endpoint, bearer checks.

google-auth signs an RS256 JWT with the service account's private key and posts it to the
key file's ``token_uri`` (grant_type ``urn:ietf:params:oauth:grant-type:jwt-bearer``).
The sandbox verifies that assertion against the public keys it registered, checks the
claims Google checks (iss, aud, scope, iat, exp) and issues an opaque access token.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass

from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
TOKEN_LIFETIME = 3600
MAX_ASSERTION_LIFETIME = 3600
CLOCK_SKEW = 300
WRITE_SCOPES = {
    "https://www.googleapis.com/auth/spreadsheets",
    "https://www.googleapis.com/auth/drive",
    "https://www.googleapis.com/auth/drive.file",
}
READ_SCOPES = WRITE_SCOPES | {
    "https://www.googleapis.com/auth/spreadsheets.readonly",
    "https://www.googleapis.com/auth/drive.readonly",
}


@dataclass
class ServiceAccount:
    client_email: str
    private_key_id: str
    public_key: rsa.RSAPublicKey
    private_key_pem: str | None = None  # kept only for keys the sandbox generated


@dataclass
class AccessToken:
    email: str
    scopes: set[str]
    expires_at: float


class TokenError(Exception):
    """An OAuth error: ``error`` code and ``description`` as Google's token endpoint sends them."""

    def __init__(self, error: str, description: str):
        super().__init__(description)
        self.error = error
        self.description = description


def generate_service_account(client_email: str) -> ServiceAccount:
    """A fresh 2048-bit RSA key pair for ``client_email``."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return ServiceAccount(client_email, secrets.token_hex(20), key.public_key(), pem)


def key_file(account: ServiceAccount, base_url: str, project_id: str = "muster-sandbox") -> dict:
    """The JSON key file Google would let you download, with ``token_uri`` on the sandbox."""
    return {
        "type": "service_account",
        "project_id": project_id,
        "private_key_id": account.private_key_id,
        "private_key": account.private_key_pem,
        "client_email": account.client_email,
        "client_id": str(int(account.private_key_id[:15], 16)),
        "auth_uri": f"{base_url}/auth",
        "token_uri": f"{base_url}/token",
        "auth_provider_x509_cert_url": f"{base_url}/certs",
        "client_x509_cert_url": f"{base_url}/certs/{account.client_email}",
        "universe_domain": "googleapis.com",
    }


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def verify_assertion(assertion: str, accounts: dict[str, ServiceAccount], now: float) -> tuple[str, set[str]]:
    """Check a JWT-bearer assertion; return (client_email, scopes) or raise ``TokenError``."""
    parts = assertion.split(".")
    if len(parts) != 3:
        raise TokenError("invalid_grant", "Invalid JWT: not a three-part compact serialization.")
    try:
        header = json.loads(_b64decode(parts[0]))
        claims = json.loads(_b64decode(parts[1]))
        signature = _b64decode(parts[2])
    except (ValueError, UnicodeDecodeError):
        raise TokenError("invalid_grant", "Invalid JWT: cannot decode.") from None
    if not isinstance(header, dict) or not isinstance(claims, dict) or header.get("alg") != "RS256":
        raise TokenError("invalid_grant", "Invalid JWT: signing algorithm must be RS256.")
    account = accounts.get(claims.get("iss", ""))
    if account is None:
        raise TokenError("invalid_grant", "Invalid grant: account not found")
    if "kid" in header and header["kid"] != account.private_key_id:
        raise TokenError("invalid_grant", "Invalid JWT Signature.")
    try:
        account.public_key.verify(signature, f"{parts[0]}.{parts[1]}".encode(), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise TokenError("invalid_grant", "Invalid JWT Signature.") from None
    iat, exp = claims.get("iat"), claims.get("exp")
    if (
        not isinstance(iat, int | float)
        or not isinstance(exp, int | float)
        or exp <= now
        or iat > now + CLOCK_SKEW
        or exp - iat > MAX_ASSERTION_LIFETIME
    ):
        raise TokenError(
            "invalid_grant",
            "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. "
            "Check your iat and exp values in the JWT claim.",
        )
    aud = claims.get("aud", "")
    if not isinstance(aud, str) or not aud.endswith("/token"):
        raise TokenError("invalid_grant", "Invalid JWT: Failed audience check.")
    scopes = set(str(claims.get("scope", "")).split())
    if not scopes:
        raise TokenError("invalid_scope", "Invalid OAuth scope or ID token audience provided.")
    return account.client_email, scopes


async def token_endpoint(request: web.Request) -> web.Response:
    """``POST /token``: exchange a signed assertion for an access token."""
    state = request.app["state"]
    state.requests["oauth2.token"] += 1
    form = await request.post()
    if form.get("grant_type") != GRANT_TYPE:
        body = {
            "error": "unsupported_grant_type",
            "error_description": f"Invalid grant_type: {form.get('grant_type')}",
        }
        return web.json_response(body, status=400)
    try:
        email, scopes = verify_assertion(str(form.get("assertion", "")), state.service_accounts, time.time())
    except TokenError as exc:
        return web.json_response({"error": exc.error, "error_description": exc.description}, status=400)
    token = "ya29.sandbox-" + secrets.token_urlsafe(32)
    state.tokens[token] = AccessToken(email, scopes, time.time() + TOKEN_LIFETIME)
    return web.json_response({"access_token": token, "expires_in": TOKEN_LIFETIME - 1, "token_type": "Bearer"})


def bearer(request: web.Request, tokens: dict[str, AccessToken]) -> AccessToken | None:
    """The live access token the request carries, if any."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    found = tokens.get(token) if scheme.lower() == "bearer" else None
    if found is None or found.expires_at <= time.time():
        return None
    return found
