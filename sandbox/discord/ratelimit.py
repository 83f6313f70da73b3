"""Discord's limits: a global per-bot limit and per-route buckets keyed by major parameters.

Buckets are fixed windows that open at the first request, as Discord's headers describe
them: ``limit`` requests, then 429 until ``reset_after`` has passed.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

# Bucket name -> (requests, per seconds). Names group routes the way Discord's bucket
# hashes do; the values are in the range Discord answers a small bot (tune with configure).
DEFAULT_ROUTE_LIMITS: dict[str, tuple[int, float]] = {
    "messages:create": (5, 5.0),
    "messages:edit": (5, 5.0),
    "messages:delete": (5, 1.0),
    "messages:read": (50, 1.0),
    "channels": (5, 5.0),
    "threads": (5, 5.0),
    "thread_members": (10, 10.0),
    "scheduled_events": (10, 10.0),
    "roles": (10, 10.0),
    "member_roles": (10, 10.0),
    "members": (10, 10.0),
    "commands": (4, 20.0),
    "dm_channels": (1, 0.5),
    "webhook": (5, 2.0),
    "interaction_callback": (50, 1.0),
    "default": (50, 1.0),
}


@dataclass
class Window:
    remaining: int
    reset_at: float


@dataclass
class Verdict:
    """The outcome of taking a token: headers to send and, when refused, how long to wait."""

    headers: dict[str, str]
    retry_after: float | None = None
    scope: str | None = None


def bucket_hash(name: str) -> str:
    """A stable opaque hash per bucket name, like X-RateLimit-Bucket on Discord."""
    return hashlib.sha256(name.encode()).hexdigest()[:32]


def _ceil_ms(seconds: float) -> float:
    return math.ceil(max(seconds, 0.0) * 1000) / 1000


class RateLimits:
    """Global and per-route limits, reconfigurable at run time (``configure``)."""

    def __init__(self, global_per_s: float, route_limits: dict[str, tuple[int, float]] | None = None) -> None:
        self.rules = dict(DEFAULT_ROUTE_LIMITS)
        self.global_per_s = global_per_s
        self.enabled = True
        self.reset()  # before configure(), which prunes windows and caps tokens
        self.configure(route_limits=route_limits or {})

    def reset(self) -> None:
        """Empty every window (keeps the rules)."""
        self.windows: dict[tuple[str, str], Window] = {}
        self._tokens = float(max(1.0, self.global_per_s))
        self._refilled = time.monotonic()

    def configure(
        self,
        *,
        global_per_s: float | None = None,
        route_limits: dict[str, tuple[int, float]] | None = None,
        enabled: bool | None = None,
    ) -> None:
        """Change limits; a route bucket named ``default`` applies to unlisted routes."""
        if global_per_s is not None:
            self.global_per_s = float(global_per_s)
            self._tokens = min(self._tokens, max(1.0, self.global_per_s))
        for name, (limit, per_s) in (route_limits or {}).items():
            self.rules[name] = (int(limit), float(per_s))
            self.windows = {k: w for k, w in self.windows.items() if k[0] != name}
        if enabled is not None:
            self.enabled = enabled

    def take_global(self) -> float | None:
        """Spend one global token; return seconds to wait when none is left."""
        if not self.enabled:
            return None
        now = time.monotonic()
        capacity = max(1.0, self.global_per_s)
        self._tokens = min(capacity, self._tokens + (now - self._refilled) * self.global_per_s)
        self._refilled = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return None
        return _ceil_ms((1.0 - self._tokens) / self.global_per_s)

    def take_route(self, name: str, major: str) -> Verdict:
        """Spend one request of bucket ``name`` for the ``major`` parameters."""
        limit, per_s = self.rules.get(name, self.rules["default"])
        now = time.monotonic()
        window = self.windows.get((name, major))
        if window is None or now >= window.reset_at:
            window = self.windows[(name, major)] = Window(limit, now + per_s)
        refused = self.enabled and window.remaining <= 0
        if self.enabled and not refused:
            window.remaining -= 1
        reset_after = _ceil_ms(window.reset_at - now)
        headers = {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(window.remaining),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": bucket_hash(name),
        }
        if refused:
            return Verdict(headers, retry_after=reset_after, scope="user")
        return Verdict(headers)

    def snapshot(self) -> dict:
        """The current rules for the control API."""
        return {
            "enabled": self.enabled,
            "global_per_s": self.global_per_s,
            "routes": {k: list(v) for k, v in self.rules.items()},
        }
