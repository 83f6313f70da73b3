"""A tiny Interactions Endpoint for the sandbox tests: an aiohttp server on 127.0.0.1 that
checks each request's Ed25519 signature against the application's published public key
with ``cryptography`` directly (as an app would, from the hex key the portal shows), and
answers with whatever the test scripts.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from sandbox.runner import ServerThread


@dataclass
class Received:
    """One request as the endpoint got it."""

    headers: dict
    raw: bytes
    verified: bool

    @property
    def json(self) -> dict:
        return json.loads(self.raw)


@dataclass
class Answer:
    """What to send back: ``body`` (a dict as JSON, bytes as they are, None for nothing)."""

    status: int = 200
    body: object = None
    delay_s: float = 0.0
    content_type: str = "application/json"


def pong(payload: dict) -> Answer:
    return Answer(body={"type": 1})


class TestEndpoint:
    """Serve on its own loop and thread; ``answer(payload) -> Answer`` for verified
    non-PING requests (PINGs get PONG). ``accept_bad_signatures`` plays a careless app.
    """

    __test__ = False  # not a pytest class

    def __init__(
        self,
        verify_key: str,
        answer: Callable[[dict], Answer] = pong,
        *,
        accept_bad_signatures: bool = False,
        ping_answer: Answer | None = None,
    ) -> None:
        self.key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(verify_key))
        self.answer = answer
        self.accept_bad_signatures = accept_bad_signatures
        self.ping_answer = ping_answer or Answer(body={"type": 1})
        self.received: list[Received] = []
        app = web.Application()
        app.router.add_post("/interactions", self.handle)
        self.server = ServerThread(app)

    @property
    def url(self) -> str:
        return f"{self.server.url}/interactions"

    def start(self) -> TestEndpoint:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def verified(self, request_headers, raw: bytes) -> bool:
        try:
            signature = bytes.fromhex(request_headers["X-Signature-Ed25519"])
            timestamp = request_headers["X-Signature-Timestamp"]
            self.key.verify(signature, timestamp.encode() + raw)
        except (KeyError, ValueError, InvalidSignature):
            return False
        return True

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        ok = self.verified(request.headers, raw)
        self.received.append(Received(dict(request.headers), raw, ok))
        if not ok and not self.accept_bad_signatures:
            return web.Response(status=401, text="invalid request signature")
        payload = json.loads(raw)
        chosen = self.ping_answer if payload.get("type") == 1 else self.answer(payload)
        if chosen.delay_s:
            await asyncio.sleep(chosen.delay_s)
        if chosen.body is None:
            return web.Response(status=chosen.status)
        body = chosen.body if isinstance(chosen.body, bytes) else json.dumps(chosen.body).encode()
        return web.Response(status=chosen.status, body=body, headers={"Content-Type": chosen.content_type})

    def interactions(self) -> list[Received]:
        """The non-PING requests received, in order."""
        return [r for r in self.received if r.verified and r.json.get("type") != 1]
