"""Whether an HTTP-delivered interaction comes from Discord, now, for the first time.

Discord signs each POST to the Interactions Endpoint URL with the application's Ed25519
key: the signature (``X-Signature-Ed25519``, hex) is over the ``X-Signature-Timestamp``
header followed by the raw body, checked against the portal's public key
(``DISCORD_PUBLIC_KEY``). Discord requires a bad signature to be answered 401, and probes
for it when the URL is saved.

A valid signature alone would let whoever captured a request send it again, so a request
must also be fresh (its timestamp within ``FRESH_FOR_S`` of this machine's clock, either
way) and new: its interaction id is marked in Redis (SET NX) for longer than a timestamp
stays fresh, so a second delivery is refused until the first would be stale anyway.
"""

from __future__ import annotations

import json
import logging
import os
import time

import redis
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings

log = logging.getLogger(__name__)

# Discord posts the moment the member acts and wants the answer within 3 s: a request
# older than this cannot be answered in time, and is either replayed or far too late.
FRESH_FOR_S = 5
SEEN_FOR_S = 2 * FRESH_FOR_S + 1  # covers a timestamp fresh on either side of our clock
SEEN_KEY = "muster:http-interaction:{}"
# The answer is due within 3 s: a hung Redis must cost a fraction of that (core.redis waits 5 s).
REDIS_TIMEOUT_S = 0.5


class Refused(Exception):
    """Not Discord's, not fresh, or seen before: answer 401 and do nothing else."""


def public_key() -> Ed25519PublicKey | None:
    """The application's public key from DISCORD_PUBLIC_KEY (64 hex digits), or None: the endpoint is off."""
    if not settings.DISCORD_PUBLIC_KEY:
        return None
    return Ed25519PublicKey.from_public_bytes(bytes.fromhex(settings.DISCORD_PUBLIC_KEY))


def checked(body: bytes, signature: str | None, timestamp: str | None, *, now: float | None = None) -> dict:
    """The interaction Discord signed in ``body``, fresh; raises ``Refused`` (saying why, for the log) otherwise.

    Whether it is new is ``mark_delivered``'s question, asked next.
    """
    key = public_key()
    if key is None:
        raise Refused("the endpoint is off (DISCORD_PUBLIC_KEY is not set)")
    if not signature or not timestamp:
        raise Refused("unsigned")
    try:
        key.verify(bytes.fromhex(signature), timestamp.encode() + body)
    except (ValueError, InvalidSignature):
        raise Refused("bad signature") from None
    if not timestamp.isdigit() or abs((time.time() if now is None else now) - int(timestamp)) > FRESH_FOR_S:
        raise Refused("stale timestamp")
    try:
        interaction = json.loads(body)
        int(interaction["id"])
    except (ValueError, TypeError, KeyError):
        raise Refused("signed, but not an interaction") from None
    return interaction


def mark_delivered(interaction: dict) -> None:
    """Mark the interaction's id as seen; ``Refused`` if it already was (Redis errors propagate)."""
    interaction_id = int(interaction["id"])
    if not _redis().set(SEEN_KEY.format(interaction_id), 1, nx=True, ex=SEEN_FOR_S):
        raise Refused(f"replay of interaction {interaction_id}")


_clients: dict[int, redis.Redis] = {}


def _redis() -> redis.Redis:
    """This process's client for the marks, with short timeouts (rebuilt after a fork)."""
    pid = os.getpid()
    if pid not in _clients:
        _clients.clear()
        _clients[pid] = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=REDIS_TIMEOUT_S, socket_connect_timeout=REDIS_TIMEOUT_S
        )
    return _clients[pid]
