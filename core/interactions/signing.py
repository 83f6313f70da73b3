"""The gateway's signature on each interaction payload, and the workers' check of it.

Anyone who can put a message on the broker (Flower's API, a shell on the Redis host)
could otherwise queue a made-up interaction: any member, any permissions, any guild.
The gateway signs every payload with an HMAC-SHA256 over its canonical JSON under
``INTERACTION_SIGNING_KEY``, a key only the gateway and the workers hold; a worker runs
only payloads whose signature matches. The canonical form is the JSON the broker carries
(sorted keys, no spaces), so what a worker receives hashes exactly as what was signed.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from django.conf import settings

SIGNATURE = "sig"


class SigningKeyMissing(Exception):
    """INTERACTION_SIGNING_KEY is not set (required outside DEBUG by the gateway and workers)."""


def signing_key() -> bytes:
    """The key, or in DEBUG without one a key derived from SECRET_KEY (local development only)."""
    key = settings.INTERACTION_SIGNING_KEY
    if key:
        return key.encode()
    if settings.DEBUG:
        return hmac.new(settings.SECRET_KEY.encode(), b"muster interaction signing", hashlib.sha256).digest()
    raise SigningKeyMissing("INTERACTION_SIGNING_KEY is required: workers run only interactions the gateway signed")


def canonical(payload: dict) -> bytes:
    """The payload without its signature, as sorted compact JSON."""
    unsigned = {name: value for name, value in payload.items() if name != SIGNATURE}
    return json.dumps(unsigned, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def signature(payload: dict, key: bytes | None = None) -> str:
    return hmac.new(key or signing_key(), canonical(payload), hashlib.sha256).hexdigest()


def sign(payload: dict, key: bytes | None = None) -> dict:
    """A copy of ``payload`` carrying its signature."""
    return {**payload, SIGNATURE: signature(payload, key)}


def verified(payload: object, key: bytes | None = None) -> dict | None:
    """The payload without its signature if the signature is valid, else None."""
    if not isinstance(payload, dict) or not isinstance(payload.get(SIGNATURE), str):
        return None
    try:
        expected = signature(payload, key)
    except (TypeError, ValueError):  # not JSON-encodable: it did not come from the broker
        return None
    if not hmac.compare_digest(expected, payload[SIGNATURE]):
        return None
    return {name: value for name, value in payload.items() if name != SIGNATURE}
