"""Sessions and event fan-out: which session gets which event, with which sequence number."""

from __future__ import annotations

import secrets
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..snowflake import shard_for
from . import intents as I

if TYPE_CHECKING:
    from .connection import GatewayConnection

# How many dispatched frames a session keeps for RESUME; older ones force a new session.
REPLAY_BUFFER = 10_000


@dataclass
class Session:
    """One identified gateway session (survives its websocket until it expires)."""

    id: str
    shard_id: int
    num_shards: int
    intents: int
    seq: int = 0
    buffer: deque = field(default_factory=lambda: deque(maxlen=REPLAY_BUFFER))
    connection: GatewayConnection | None = None
    disconnected_at: float | None = None
    invalid: bool = False
    # Shared with the hub: how many of each event were sent, over all sessions.
    sent: Counter = field(default_factory=Counter)

    def wants(self, guild_id: int | None, intent: int) -> bool:
        """Whether this session's shard and intents select an event."""
        shard = 0 if guild_id is None else shard_for(guild_id, self.num_shards)
        return shard == self.shard_id and (intent == 0 or bool(self.intents & intent))

    def push(self, event: str, data: dict) -> dict:
        """Number the event, keep it for replay and send it if a socket is attached."""
        self.seq += 1
        frame = {"op": I.DISPATCH, "t": event, "s": self.seq, "d": data}
        self.buffer.append(frame)
        self.sent[event] += 1
        if self.connection is not None:
            self.connection.enqueue(frame)
        return frame

    def missed_since(self, seq: int) -> list[dict] | None:
        """Frames after ``seq``, or None when they are no longer all in the buffer."""
        if seq > self.seq:
            return None
        if seq < self.seq and (not self.buffer or self.buffer[0]["s"] > seq + 1):
            return None
        return [f for f in self.buffer if f["s"] > seq]


class GatewayHub:
    """Every session and socket of the sandbox, and the fan-out of dispatched events."""

    def __init__(self, resume_window_s: float = 120.0) -> None:
        self.sessions: dict[str, Session] = {}
        self.connections: set[GatewayConnection] = set()
        self.resume_window_s = resume_window_s
        # New sockets wait for HELLO until this monotonic time (the "outage" of a drop fault).
        self.hold_until = 0.0
        self.counters: Counter = Counter()
        self.events: Counter = Counter()

    def new_session(self, shard_id: int, num_shards: int, intents: int) -> Session:
        """Register a freshly identified session."""
        session = Session(secrets.token_hex(16), shard_id, num_shards, intents, sent=self.events)
        self.sessions[session.id] = session
        self.counters["identifies"] += 1
        return session

    def resumable(self, session_id: str) -> Session | None:
        """The session a RESUME names, if it still exists and has not expired."""
        session = self.sessions.get(session_id)
        if session is None or session.invalid:
            return None
        if session.disconnected_at and time.monotonic() - session.disconnected_at > self.resume_window_s:
            session.invalid = True
            return None
        return session

    def dispatch(
        self,
        event: str,
        data: dict | Callable[[int], dict],
        *,
        guild_id: int | None = None,
        intent: int = 0,
        without_content: dict | None = None,
    ) -> int:
        """Send ``event`` to every live session whose shard and intents select it.

        ``data`` may be a function of the session's intents (GUILD_CREATE lists members only
        with GUILD_PRESENCES). ``without_content`` is what sessions lacking MESSAGE_CONTENT
        get instead of ``data``.
        Returns how many sessions got it.
        """
        sent = 0
        for session in list(self.sessions.values()):
            if session.invalid or not session.wants(guild_id, intent):
                continue
            payload = data(session.intents) if callable(data) else data
            if without_content is not None and not session.intents & I.MESSAGE_CONTENT:
                payload = without_content
            session.push(event, payload)
            sent += 1
        return sent

    def select(self, shard_id: int | None = None) -> list[GatewayConnection]:
        """Open sockets, optionally only those of one shard."""
        return [
            c
            for c in self.connections
            if shard_id is None or (c.session is not None and c.session.shard_id == shard_id)
        ]

    def invalidate_all(self) -> None:
        """Forget every session (used by reset)."""
        for session in self.sessions.values():
            session.invalid = True
        self.sessions.clear()

    def snapshot(self) -> dict:
        """Counters and sessions for the control API."""
        return {
            "counters": dict(self.counters),
            "events": dict(self.events),
            "connections": len(self.connections),
            "sessions": [
                {
                    "id": s.id,
                    "shard": [s.shard_id, s.num_shards],
                    "intents": s.intents,
                    "seq": s.seq,
                    "connected": s.connection is not None,
                    "invalid": s.invalid,
                }
                for s in self.sessions.values()
            ],
        }
