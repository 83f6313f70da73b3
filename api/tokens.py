"""API tokens: made once, shown once, stored as a prefix and a keyed hash, checked in constant time.

A token reads ``mst_<prefix>_<secret>``: the prefix (8 characters) finds its row, and the
HMAC-SHA256 of the whole token, keyed with a key derived from ``SECRET_KEY``, proves it.
Neither the token nor its secret part is stored or logged; rotating ``SECRET_KEY``
invalidates every token.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils.crypto import salted_hmac

from api.models import SCOPES, ApiToken
from core.errors import RuleError
from core.models import Guild

TOKEN_PATTERN = re.compile(r"mst_(?P<prefix>[A-Za-z0-9]{8})_(?P<secret>[A-Za-z0-9_-]{20,64})")
MAX_DAYS = 365
LAST_USED_EVERY = timedelta(minutes=1)  # last_used_at is written at most this often per token


@dataclass(frozen=True)
class TokenRequest:
    """What an organiser asks for: a name, the scopes and how long it lasts."""

    guild: Guild
    name: str
    scopes: tuple[str, ...]
    lifetime: timedelta


@dataclass(frozen=True)
class Refusal:
    """Why a presented token is refused (401), in one sentence."""

    reason: str


def digest(token: str) -> str:
    return salted_hmac("muster.api.token", token, algorithm="sha256").hexdigest()


def parse_scopes(text: str) -> tuple[str, ...]:
    """``read``, ``write`` or ``read,write`` as a tuple in that order."""
    wanted = {part.strip().lower() for part in text.split(",") if part.strip()}
    unknown = sorted(wanted - set(SCOPES))
    if unknown:
        raise RuleError(f"Unknown scope {unknown[0]!r}: use read, write or read,write.")
    if not wanted:
        raise RuleError("Give at least one scope: read, write or read,write.")
    return tuple(scope for scope in SCOPES if scope in wanted)


def parse_lifetime(text: str) -> timedelta:
    """How long a token lasts, written ``90d`` (1 to 365 days)."""
    match = re.fullmatch(r"\s*(\d{1,4})\s*d\s*", text.lower())
    if not match:
        raise RuleError(f"I could not read the expiry {text!r}: write a number of days such as 90d.")
    days = int(match[1])
    if not 1 <= days <= MAX_DAYS:
        raise RuleError(f"A token lasts 1 to {MAX_DAYS} days; {days}d is outside that.")
    return timedelta(days=days)


def create_token(request: TokenRequest, *, now: datetime, created_by_id: int | None = None) -> tuple[ApiToken, str]:
    """Make a token; returns the row and the token, which is shown this once and never again."""
    name = request.name.strip()
    if not name:
        raise RuleError("Give the token a name: what will use it?")
    if len(name) > ApiToken._meta.get_field("name").max_length:
        raise RuleError("A token's name is at most 100 characters.")
    scopes = parse_scopes(",".join(request.scopes))
    prefix = secrets.token_hex(4)
    token = f"mst_{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiToken.objects.create(
        guild=request.guild,
        name=name,
        prefix=prefix,
        digest=digest(token),
        scopes=list(scopes),
        expires_at=now + request.lifetime,
        created_by_id=created_by_id,
        created_at=now,
    )
    return row, token


def authenticate(presented: str, *, now: datetime) -> ApiToken | Refusal:
    """The live token that ``presented`` is, or why it is refused."""
    match = TOKEN_PATTERN.fullmatch(presented.strip())
    row = ApiToken.objects.select_related("guild").filter(prefix=match["prefix"]).first() if match else None
    # Compared even without a row, so an unknown prefix costs the same as a wrong secret.
    expected = row.digest if row else digest("mst_00000000_unknown-token-placeholder")
    if not match or not hmac.compare_digest(expected, digest(presented.strip())) or row is None:
        return Refusal("This API token is not valid: send Authorization: Bearer <token>.")
    if row.revoked_at is not None:
        return Refusal("This API token was revoked: ask an organiser for a new one.")
    if row.expires_at <= now:
        return Refusal("This API token has expired: ask an organiser for a new one.")
    seen_before = now - LAST_USED_EVERY
    ApiToken.objects.filter(Q(last_used_at__isnull=True) | Q(last_used_at__lt=seen_before), id=row.id).update(
        last_used_at=now.replace(second=0, microsecond=0)
    )
    return row


def revoke(token_id: int, *, now: datetime) -> bool:
    """Revoke a token at once; False when it was already revoked or does not exist."""
    return bool(ApiToken.objects.filter(id=token_id, revoked_at__isnull=True).update(revoked_at=now))
