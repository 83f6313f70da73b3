"""HTTP interaction delivery: the application's key pair, its Interactions Endpoint URL,
and the signed POSTs Discord sends there instead of INTERACTION_CREATE.

Follows discord/discord-api-docs ``developers/interactions/overview.mdx`` ("Setting Up an
Endpoint": a PING must get ``{"type": 1}`` back, a request with an invalid signature 401)
and ``receiving-and-responding.mdx`` (the HTTP answer is the initial response; a 202 with
no body means the app answers through the callback route instead; 3 s deadline).
"""

from __future__ import annotations

import asyncio
import json
import time

import aiohttp
import yarl
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from .clock import stamp

PING = 1
# Enough connections for a vote storm (400 clicks/s) answered in up to a second each.
MAX_IN_FLIGHT = 512
USER_AGENT = "Discord-Interactions/1.0 (+https://discord.com)"
# What Discord answers PATCH /applications/@me with when the URL fails validation.
INVALID_URL_CODE = "APPLICATION_INTERACTIONS_ENDPOINT_URL_INVALID"
INVALID_URL_MESSAGE = "The specified interactions endpoint url could not be verified."


class EndpointRefused(Exception):
    """The URL was not accepted; ``reason`` says why in one sentence."""

    def __init__(self, reason: str, checks: dict | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.checks = checks or {}


def public_hex(key: Ed25519PrivateKey) -> str:
    """The public key as the developer portal shows it ("PUBLIC KEY", 64 hex digits)."""
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def check_local(url: str) -> str:
    """The URL if it is http(s) on 127.0.0.1; the sandbox never sends traffic off the machine."""
    try:
        parsed = yarl.URL(url)
    except (TypeError, ValueError):
        raise EndpointRefused(f"{url!r} is not a URL") from None
    if parsed.scheme not in ("http", "https") or parsed.host != "127.0.0.1":
        raise EndpointRefused(f"only http(s)://127.0.0.1 URLs are allowed in the sandbox, got {url!r}")
    return url


class Endpoint:
    """The key pair (made at start) and the URL interactions go to (None: the gateway)."""

    def __init__(self) -> None:
        self.key = Ed25519PrivateKey.generate()
        self.verify_key = public_hex(self.key)
        self.url: str | None = None
        self.in_flight = 0
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task] = set()

    # --- signing ----------------------------------------------------------------------------

    def signed_headers(self, body: bytes, *, key: Ed25519PrivateKey | None = None) -> dict:
        """``X-Signature-Ed25519`` (hex, over timestamp + raw body) and ``X-Signature-Timestamp``."""
        timestamp = str(int(time.time()))
        signature = (key or self.key).sign(timestamp.encode() + body).hex()
        return {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Signature-Ed25519": signature,
            "X-Signature-Timestamp": timestamp,
        }

    # --- the client ---------------------------------------------------------------------------

    def session(self) -> aiohttp.ClientSession:
        """One bounded client on the server's loop, made on first use."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=MAX_IN_FLIGHT, limit_per_host=MAX_IN_FLIGHT)
            self._session = aiohttp.ClientSession(connector=connector)
        return self._session

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()

    async def post(self, url: str, body: bytes, timeout_s: float, *, key=None) -> tuple[int, str, bytes]:
        """POST a signed body; (status, content type, body). Raises on timeout or no connection."""
        headers = self.signed_headers(body, key=key)
        timeout = aiohttp.ClientTimeout(total=timeout_s)
        async with self.session().post(url, data=body, headers=headers, timeout=timeout) as response:
            return response.status, response.content_type, await response.read()

    def spawn(self, coro) -> None:
        """Run a delivery in the background; injection returns once it is dispatched."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- validation ---------------------------------------------------------------------------

    async def validate(self, url: str, *, application_id: int, ping_id: int, timeout_s: float) -> dict:
        """Discord's checks before it accepts a URL: a signed PING must be answered 200
        ``{"type": 1}`` (JSON), and a PING with an invalid signature 401. Raises
        ``EndpointRefused`` with the first failed check; returns what both checks saw.
        """
        check_local(url)
        ping = {
            "id": str(ping_id),
            "application_id": str(application_id),
            "type": PING,
            "token": "cGluZw" + str(int(time.time() * 1000)),
            "version": 1,
            "entitlements": [],
            "authorizing_integration_owners": {},
        }
        body = json.dumps(ping, separators=(",", ":")).encode()
        checks: dict = {}
        checks["ping"] = await self._probe(url, body, timeout_s)
        seen = checks["ping"]
        if seen.get("error"):
            raise EndpointRefused(f"the PING could not be delivered: {seen['error']}", checks)
        if seen["status"] != 200 or seen["content_type"] != "application/json" or seen["body"] != {"type": 1}:
            raise EndpointRefused(
                f'the PING must be answered 200 application/json {{"type": 1}}, got {seen["status"]} '
                f"{seen['content_type'] or 'no content type'} {seen['text']!r}",
                checks,
            )
        checks["bad_signature"] = await self._probe(url, body, timeout_s, key=Ed25519PrivateKey.generate())
        seen = checks["bad_signature"]
        if seen.get("error") or seen["status"] != 401:
            got = seen.get("error") or f"it answered {seen['status']}"
            raise EndpointRefused(f"a request with an invalid signature must be answered 401; {got}", checks)
        return checks

    async def _probe(self, url: str, body: bytes, timeout_s: float, *, key=None) -> dict:
        started = time.monotonic()
        try:
            status, content_type, raw = await self.post(url, body, timeout_s, key=key)
        except TimeoutError:
            return {"error": f"no answer within {timeout_s:g} s"}
        except aiohttp.ClientError as error:
            return {"error": f"{type(error).__name__}: {error}"}
        text = raw.decode("utf-8", "replace")[:200]
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        elapsed = round(time.monotonic() - started, 4)
        return {"status": status, "content_type": content_type, "body": parsed, "text": text, "elapsed_s": elapsed}

    def describe(self) -> dict:
        return {
            "verify_key": self.verify_key,
            "interactions_endpoint_url": self.url,
            "delivery": "http" if self.url else "gateway",
            "in_flight": self.in_flight,
        }


async def set_interactions_endpoint(state, url) -> dict:
    """Validate and set the application's Interactions Endpoint URL (falsy: none, back to
    the gateway); returns what the checks saw, or raises ``EndpointRefused``.
    """
    if not url:
        state.endpoint.url = None
        state.changed()
        return {}
    if not isinstance(url, str):
        raise EndpointRefused(f"the URL must be a string, got {url!r}")
    timeout = state.config.interaction_deadline_s
    ids = {"application_id": state.application_id, "ping_id": state.ids.next()}
    checks = await state.endpoint.validate(url, **ids, timeout_s=timeout)
    state.endpoint.url = url
    state.changed()
    return checks


def sent_record(url: str) -> dict:
    """The start of an HTTP delivery's record (the readback's ``delivery``)."""
    return {
        "mode": "http",
        "url": url,
        "sent": stamp(),
        "answered": None,
        "status": None,
        "outcome": None,
        "error": None,
    }
