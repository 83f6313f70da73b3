"""One gateway websocket: HELLO, IDENTIFY/RESUME, heartbeats, and the ordered outgoing stream."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import TYPE_CHECKING

from aiohttp import WSMsgType, web

from . import intents as I
from .compression import TransportCompressor

if TYPE_CHECKING:
    from ..state import DiscordState
    from .hub import Session

log = logging.getLogger(__name__)

# Clean closes by the client end the session; anything else leaves it resumable.
SESSION_ENDING_CLOSE_CODES = (1000, 1001)
_CLOSE = object()


class GatewayConnection:
    """Serve one websocket. Outgoing frames go through a queue so their order never changes."""

    def __init__(self, state: DiscordState, request: web.Request) -> None:
        self.state = state
        self.hub = state.hub
        self.request = request
        self.ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        self.compressor = TransportCompressor(request.query.get("compress"))
        self.session: Session | None = None
        self.outbox: asyncio.Queue = asyncio.Queue()
        self.last_heartbeat = time.monotonic()

    def enqueue(self, frame: dict) -> None:
        """Queue a frame for sending (never blocks, safe from synchronous state changes)."""
        self.outbox.put_nowait(frame)

    def close_later(self, code: int | None) -> None:
        """Close after what is already queued; ``None`` aborts TCP with no close frame."""
        self.outbox.put_nowait((_CLOSE, code))

    async def serve(self) -> web.WebSocketResponse:
        """Run the connection until either side closes it."""
        await self.ws.prepare(self.request)
        self.hub.connections.add(self)
        self.hub.counters["connections"] += 1
        writer = asyncio.get_running_loop().create_task(self._write())
        try:
            if self.request.query.get("v", "10") != "10":
                await self.ws.close(code=4012, message=b"Invalid API version")
                return self.ws
            if self.request.query.get("encoding", "json") != "json":
                await self.ws.close(code=4002, message=b"Only JSON encoding is served")
                return self.ws
            delay = self.hub.hold_until - time.monotonic()
            if delay > 0:  # a drop fault is simulating an outage
                await asyncio.sleep(delay)
            interval = self.state.config.heartbeat_interval_ms
            self.enqueue({"op": I.HELLO, "d": {"heartbeat_interval": interval}, "s": None, "t": None})
            async for msg in self.ws:
                if msg.type != WSMsgType.TEXT:
                    if msg.type == WSMsgType.BINARY:
                        await self._close(4002, "Decode error")
                    continue
                try:
                    payload = json.loads(msg.data)
                    op = payload["op"]
                except (ValueError, KeyError, TypeError):
                    await self._close(4002, "Decode error")
                    break
                await self._receive(op, payload.get("d"))
        finally:
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer
            self._detach()
        return self.ws

    def _detach(self) -> None:
        self.hub.connections.discard(self)
        session = self.session
        if session is None or session.connection is not self:
            return
        session.connection = None
        session.disconnected_at = time.monotonic()
        if self.ws.close_code in SESSION_ENDING_CLOSE_CODES:
            session.invalid = True
        self.state.changed()

    async def _write(self) -> None:
        while True:
            item = await self.outbox.get()
            if isinstance(item, tuple) and item[0] is _CLOSE:
                code = item[1]
                if code is None:
                    self.request.transport.abort()
                else:
                    await self.ws.close(code=code)
                return
            data = self.compressor.encode(json.dumps(item, separators=(",", ":")))
            try:
                if isinstance(data, bytes):
                    await self.ws.send_bytes(data)
                else:
                    await self.ws.send_str(data)
            except (ConnectionError, RuntimeError):
                return

    async def _close(self, code: int, reason: str) -> None:
        self.hub.counters[f"close_{code}"] += 1
        self.close_later(code)
        await asyncio.sleep(0)

    async def _receive(self, op: int, data) -> None:
        if op == I.HEARTBEAT:
            self.last_heartbeat = time.monotonic()
            self.hub.counters["heartbeats"] += 1
            ack = {"op": I.HEARTBEAT_ACK, "d": None, "s": None, "t": None}
            delay = self.state.config.heartbeat_ack_delay_ms / 1000
            asyncio.get_running_loop().call_later(delay, self.enqueue, ack)
        elif op == I.IDENTIFY:
            await self._identify(data or {})
        elif op == I.RESUME:
            await self._resume(data or {})
        elif self.session is None:
            await self._close(4003, "Not authenticated")
        elif op == I.REQUEST_GUILD_MEMBERS:
            self._members_chunk(data or {})
        elif op in (I.PRESENCE_UPDATE, I.VOICE_STATE_UPDATE):
            pass  # accepted and ignored: the sandbox has no presence or voice
        else:
            await self._close(4001, "Unknown opcode")

    async def _identify(self, data: dict) -> None:
        if self.session is not None:
            await self._close(4005, "Already authenticated")
            return
        if not self.state.token_is_valid(data.get("token")):
            await self._close(4004, "Authentication failed")
            return
        intents = data.get("intents")
        if not isinstance(intents, int) or intents < 0 or intents & ~I.VALID:
            await self._close(4013, "Invalid intent(s)")
            return
        if intents & I.PRIVILEGED & ~self.state.privileged_intents:
            await self._close(4014, "Disallowed intent(s)")
            return
        shard_id, num_shards = data.get("shard") or [0, 1]
        if num_shards < 1 or not 0 <= shard_id < num_shards:
            await self._close(4010, "Invalid shard")
            return
        self.session = self.hub.new_session(shard_id, num_shards, intents)
        self.session.connection = self
        guilds = self.state.guilds_of_shard(shard_id, num_shards)
        ready = {
            "v": 10,
            "user": self.state.bot_user_payload(),
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": self.session.id,
            "resume_gateway_url": f"ws://{self.request.host}",
            "shard": [shard_id, num_shards],
            "application": {"id": str(self.state.application_id), "flags": self.state.application_flags()},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "geo_ordered_rtc_regions": [],
            "guild_join_requests": [],
            "user_settings": {},
            "session_type": "normal",
            "auth": {},
        }
        self.session.push("READY", ready)
        if intents & I.GUILDS:
            for guild in guilds:
                self.session.push("GUILD_CREATE", self.state.guild_create_payload(guild, intents))
        self.state.changed()

    async def _resume(self, data: dict) -> None:
        if not self.state.token_is_valid(data.get("token")):
            await self._close(4004, "Authentication failed")
            return
        session = self.hub.resumable(str(data.get("session_id")))
        missed = None
        if session is not None and isinstance(data.get("seq"), int):
            missed = session.missed_since(data["seq"])
        if session is None or missed is None:
            self.hub.counters["invalid_sessions"] += 1
            self.enqueue({"op": I.INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        if session.connection is not None and session.connection is not self:
            # A session lives on one socket; the older one is replaced, as on Discord.
            session.connection.close_later(4000)
        self.session = session
        session.connection = self
        session.disconnected_at = None
        for frame in missed:
            self.enqueue(frame)
        self.hub.counters["resumes"] += 1
        self.hub.counters["replayed_events"] += len(missed)
        session.push("RESUMED", {})
        self.state.changed()

    def _members_chunk(self, data: dict) -> None:
        guild = self.state.guilds.get(int(data.get("guild_id", 0)))
        if guild is None or not self.session.intents & I.GUILD_MEMBERS:
            return
        query = data.get("query") or ""
        limit = data.get("limit") or 0
        wanted = {int(u) for u in data.get("user_ids") or []}
        members = [
            m
            for m in guild.members.values()
            if (not wanted or m.user_id in wanted)
            and self.state.users[m.user_id].username.lower().startswith(query.lower())
        ]
        if limit:
            members = members[:limit]
        chunk = {
            "guild_id": str(guild.id),
            "members": [self.state.member_payload(m) for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
        }
        if wanted:
            chunk["not_found"] = [str(u) for u in wanted - {m.user_id for m in members}]
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        if data.get("presences"):
            chunk["presences"] = []
        self.session.push("GUILD_MEMBERS_CHUNK", chunk)
