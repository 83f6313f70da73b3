"""Discord's rate limits, kept in Redis for every worker process together.

- The global limit (requests per second per bot) is a GCRA schedule: each request
  reserves the next free slot, ``1/limit`` seconds after the previous one, and sleeps
  until it. The slots are spaced evenly, so Discord's bucket is never drained.
- Per-route buckets are learned from responses: ``X-RateLimit-Bucket`` maps a route to
  its bucket, ``Remaining`` and ``Reset-After`` give the window of that bucket for the
  route's major parameters (channel, guild, webhook). Requests take from ``remaining``
  atomically; when a window is unknown or has expired a single request probes it while
  the others wait for what it learns.
- A 429 blocks the bucket (or, for a global 429, every request) for ``retry_after``.

All times come from Redis (``TIME``) so workers on different machines share one clock.
"""

from __future__ import annotations

import threading
import time

import redis

PREFIX = "discord:rl:"
PROBE_TTL_MS = 15_000  # a probe that never reports back (killed worker) frees its bucket
UNLIMITED = 1_000_000_000

_RESERVE_GLOBAL = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local blocked = tonumber(redis.call('GET', KEYS[2]) or '0')
local start = now
if blocked > start then start = blocked end
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat > start then start = tat end
local wait = start - now
if wait > tonumber(ARGV[2]) then return tostring(-wait) end
local interval = tonumber(ARGV[1])
redis.call('SET', KEYS[1], tostring(start + interval), 'PX', math.ceil((wait + interval) * 1000) + 1000)
return tostring(wait)
"""

_ACQUIRE_ROUTE = """
local bucket = redis.call('GET', KEYS[1]) or ARGV[1]
local skey = KEYS[2] .. bucket .. ':' .. ARGV[2]
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', skey, 'remaining', 'reset_at')
local remaining = tonumber(state[1])
local reset_at = tonumber(state[2])
if remaining == nil or reset_at == nil or reset_at <= now then
  if redis.call('SET', skey .. ':probe', '1', 'NX', 'PX', tonumber(ARGV[3])) then
    return {'0', skey}
  end
  return {'0.02', skey}
end
if remaining > 0 then
  redis.call('HINCRBY', skey, 'remaining', -1)
  return {'0', skey}
end
return {tostring(reset_at - now), skey}
"""

_LEARN = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local skey = KEYS[1]
local remaining = tonumber(ARGV[1])
local reset_at = now + tonumber(ARGV[2])
local state = redis.call('HMGET', skey, 'remaining', 'reset_at')
local known_reset = tonumber(state[2])
if known_reset ~= nil and known_reset > now and ARGV[3] ~= 'block' then
  local known = tonumber(state[1]) or remaining
  if remaining < known then redis.call('HSET', skey, 'remaining', remaining) end
else
  redis.call('HSET', skey, 'remaining', remaining, 'reset_at', tostring(reset_at))
  redis.call('PEXPIRE', skey, math.ceil(tonumber(ARGV[2]) * 1000) + 60000)
end
redis.call('DEL', skey .. ':probe')
if ARGV[4] ~= nil and ARGV[4] ~= '' then redis.call('SET', KEYS[2], ARGV[4], 'EX', 86400) end
return 1
"""


class RateLimiter:
    """Shared limits for one bot. ``client`` is a redis-py client (thread-safe, pooled)."""

    def __init__(self, client: redis.Redis, *, global_per_s: float):
        self.redis = client
        self.global_per_s = global_per_s
        self._reserve_global = client.register_script(_RESERVE_GLOBAL)
        self._acquire_route = client.register_script(_ACQUIRE_ROUTE)
        self._learn = client.register_script(_LEARN)

    def reserve_global(self, max_wait: float) -> float:
        """Reserve a slot under the global limit; seconds to sleep before sending.

        Negative when the next slot is further than ``max_wait`` away (nothing reserved).
        """
        keys = [PREFIX + "global:tat", PREFIX + "global:blocked"]
        return float(self._reserve_global(keys=keys, args=[1.0 / self.global_per_s, max_wait]))

    def acquire_route(self, route: str, major: str) -> tuple[float, str]:
        """Take one request from the route's bucket: (seconds to wait first, state key).

        A positive wait means nothing was taken: sleep, then ask again.
        """
        wait, state_key = self._acquire_route(
            keys=[PREFIX + "route:" + route, PREFIX + "b:"], args=[route, major, PROBE_TTL_MS]
        )
        return float(wait), state_key.decode() if isinstance(state_key, bytes) else state_key

    def learn(self, route: str, state_key: str, headers) -> None:
        """Record what a response's X-RateLimit-* headers say about its bucket."""
        bucket = headers.get("X-RateLimit-Bucket") or ""
        remaining = headers.get("X-RateLimit-Remaining")
        reset_after = headers.get("X-RateLimit-Reset-After")
        first = PREFIX + "b:" + route + ":"
        probed = state_key
        if bucket and state_key.startswith(first):
            # The route's first answer names its bucket: the window belongs under the bucket's
            # key, where the next request looks (else it probes again, into a 429).
            state_key = PREFIX + "b:" + bucket + ":" + state_key[len(first) :]
        keys = [state_key, PREFIX + "route:" + route]  # one round trip: the window and the route's bucket
        if remaining is None or reset_after is None:
            # No limit announced: let requests through instead of probing one at a time.
            self._learn(keys=keys, args=[UNLIMITED, 5, "set", bucket])
        else:
            self._learn(keys=keys, args=[int(remaining), float(reset_after), "set", bucket])
        if probed != state_key:
            # Only now that the route names its bucket: a request waiting on this probe then
            # finds the learned window instead of probing again.
            self.redis.delete(probed + ":probe")

    def release(self, state_key: str) -> None:
        """A request learned nothing (timeout, edge error): let the next one probe the bucket."""
        self.redis.delete(state_key + ":probe")

    def block(self, state_key: str, retry_after: float, *, is_global: bool) -> None:
        """Honour a 429: nothing is sent on that bucket (or at all) for ``retry_after`` s."""
        if is_global:
            until = self._now() + retry_after
            self.redis.set(PREFIX + "global:blocked", repr(until), px=int(retry_after * 1000) + 1000)
            self.redis.delete(state_key + ":probe")
        else:
            self._learn(keys=[state_key], args=[0, retry_after, "block"])

    def _now(self) -> float:
        seconds, micros = self.redis.time()
        return seconds + micros / 1_000_000

    def reset(self) -> None:
        """Forget every bucket (tests and benchmarks start clean)."""
        keys = list(self.redis.scan_iter(match=PREFIX + "*", count=1000))
        if keys:
            self.redis.delete(*keys)


class LocalBuckets:
    """The per-route buckets of interaction-token routes, kept in this process only.

    Discord's interaction endpoints (``/webhooks/{application_id}/{interaction_token}``)
    are outside the bot's global limit and bucketed per token. A token is answered by the
    one delivery holding the answer's claim (see ``core.interactions.dispatcher``), so the
    process that sends on it is the only one that could spend its bucket: the same rules
    as ``RateLimiter``'s routes (learned windows, one probe at a time, 429s honoured) with
    no Redis round trip. Windows are forgotten once they have expired.
    """

    def __init__(self, clock=time.monotonic, max_windows: int = 10_000):
        self._clock = clock
        self._max = max_windows
        self._lock = threading.Lock()
        self._bucket_of: dict[str, str] = {}
        self._windows: dict[str, tuple[int, float]] = {}  # state key -> (remaining, reset_at)
        self._probes: dict[str, float] = {}  # state key -> when the probe's claim lapses

    def acquire_route(self, route: str, major: str) -> tuple[float, str]:
        """As ``RateLimiter.acquire_route``: (seconds to wait first, state key)."""
        with self._lock:
            now = self._clock()
            state_key = f"{self._bucket_of.get(route, route)}:{major}"
            remaining, reset_at = self._windows.get(state_key, (None, 0.0))
            if remaining is None or reset_at <= now:
                if self._probes.get(state_key, 0.0) > now:
                    return 0.02, state_key
                self._probes[state_key] = now + PROBE_TTL_MS / 1000
                return 0.0, state_key
            if remaining > 0:
                self._windows[state_key] = (remaining - 1, reset_at)
                return 0.0, state_key
            return reset_at - now, state_key

    def learn(self, route: str, state_key: str, headers) -> None:
        """As ``RateLimiter.learn``."""
        bucket = headers.get("X-RateLimit-Bucket") or ""
        remaining = headers.get("X-RateLimit-Remaining")
        reset_after = headers.get("X-RateLimit-Reset-After")
        with self._lock:
            now = self._clock()
            if remaining is None or reset_after is None:
                self._windows[state_key] = (UNLIMITED, now + 5)
            else:
                known = self._windows.get(state_key)
                if known is not None and known[1] > now:
                    self._windows[state_key] = (min(known[0], int(remaining)), known[1])
                else:
                    self._windows[state_key] = (int(remaining), now + float(reset_after))
            self._probes.pop(state_key, None)
            if bucket:
                self._bucket_of[route] = bucket
            self._prune(now)

    def release(self, state_key: str) -> None:
        with self._lock:
            self._probes.pop(state_key, None)

    def block(self, state_key: str, retry_after: float, *, is_global: bool) -> None:
        """A 429 on the token's bucket: nothing more on it for ``retry_after`` s.

        A global 429 cannot come from an interaction route (they are outside the global
        limit); were one to, the token's bucket is blocked, and ``RateLimiter`` keeps the
        global block for the bot's own routes.
        """
        with self._lock:
            self._windows[state_key] = (0, self._clock() + retry_after)
            self._probes.pop(state_key, None)

    def _prune(self, now: float) -> None:
        if len(self._windows) < self._max:
            return
        self._windows = {key: window for key, window in self._windows.items() if window[1] > now}
        self._probes = {key: lapses for key, lapses in self._probes.items() if lapses > now}
        if len(self._bucket_of) >= self._max:
            self._bucket_of.clear()
