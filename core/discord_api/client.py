"""The Discord REST client every worker uses: bot auth, timeouts, retries, shared limits.

Routes are named by Discord's path templates ("/channels/{channel_id}/messages") so the
rate limiter can key buckets by route and major parameters. 5xx answers and timeouts are
retried with backoff; 4xx answers raise ``PermanentError`` at once; a 429 is honoured
(its ``Retry-After`` and scope) and the request tried again.
"""

from __future__ import annotations

import hashlib
import json as jsonlib
import logging
import os
import time
from dataclasses import dataclass
from urllib.parse import quote

import httpx
from django.conf import settings

from core import metrics
from core.discord_api.errors import DiscordError, PermanentError, TransientError
from core.discord_api.limits import UPLOAD_LIMIT, InvalidMessage, check_message
from core.discord_api.ratelimit import LocalBuckets, RateLimiter
from core.redis import get_redis

log = logging.getLogger(__name__)

USER_AGENT = "DiscordBot (https://github.com/muster-hub/muster, 0.1)"
MAJOR_PARAMETERS = ("channel_id", "guild_id", "application_id", "interaction_token")
MAX_ATTEMPTS = 5
MAX_RATE_LIMIT_WAIT_S = 30.0


def _major_value(name: str, value) -> str:
    """How a major parameter names its bucket in Redis: an interaction token by its hash only.

    A token answers as the bot for 15 minutes; key names are listed by anyone with Redis access
    (and by ``redis-cli --scan``, MONITOR, slow logs), so they never hold one.
    """
    if name == "interaction_token":
        return hashlib.sha256(str(value).encode()).hexdigest()[:32]
    return str(value)


@dataclass(frozen=True)
class Upload:
    """A file sent with a message."""

    filename: str
    content: bytes
    content_type: str = "application/octet-stream"


class DiscordClient:
    """Bot-authenticated Discord REST calls with Discord's limits kept in Redis."""

    def __init__(self, *, token: str, api_base: str, limiter: RateLimiter, timeout: float = 10.0):
        self.api_base = api_base.rstrip("/")
        self.limiter = limiter
        self.interaction_buckets = LocalBuckets()  # interaction tokens' buckets: no Redis round trip
        self._authorization = f"Bot {token}"
        self.http = httpx.Client(timeout=timeout, headers={"User-Agent": USER_AGENT})

    def __repr__(self) -> str:  # never show the token
        return f"<DiscordClient {self.api_base}>"

    # --- interactions (webhook-token routes: outside the global limit) -------------------

    def edit_original(self, application_id: int, token: str, message: dict) -> dict:
        """Replace the interaction's first answer (the deferred one)."""
        check_message(message, edit=True)
        path = "/webhooks/{application_id}/{interaction_token}/messages/@original"
        return self._webhook("PATCH", path, application_id, token, json=message)

    def delete_original(self, application_id: int, token: str) -> None:
        path = "/webhooks/{application_id}/{interaction_token}/messages/@original"
        self._webhook("DELETE", path, application_id, token)

    def followup(self, application_id: int, token: str, message: dict) -> dict:
        """Send a follow-up message (``flags: 64`` for one only the member sees)."""
        check_message(message)
        path = "/webhooks/{application_id}/{interaction_token}"
        return self._webhook("POST", path, application_id, token, json=message)

    # --- messages -------------------------------------------------------------------------

    def send_message(self, channel_id: int, message: dict, files: list[Upload] = (), **limits) -> dict:
        """Post a message; with ``files``, as Discord's "Uploading Files" says: multipart/form-data,
        the message in ``payload_json``, file n in ``files[n]``, named by id n in ``attachments``.
        ``limits`` (``attempts``, ``max_wait``) as for ``request``.
        """
        params = {"channel_id": channel_id}
        if not files:
            check_message(message)
            return self.request("POST", "/channels/{channel_id}/messages", params, json=message, **limits)
        message = {**message, "attachments": [{"id": n, "filename": f.filename} for n, f in enumerate(files)]}
        check_message(message)
        if sum(len(f.content) for f in files) > UPLOAD_LIMIT:
            raise InvalidMessage(f"files over Discord's {UPLOAD_LIMIT // 1024**2} MiB upload limit")
        multipart = {f"files[{n}]": (f.filename, f.content, f.content_type) for n, f in enumerate(files)}
        form = {"payload_json": jsonlib.dumps(message)}
        return self.request("POST", "/channels/{channel_id}/messages", params, data=form, files=multipart, **limits)

    def edit_message(self, channel_id: int, message_id: int, message: dict, **limits) -> dict:
        """Edit a message; ``limits`` (``attempts``, ``max_wait``) as for ``request``."""
        check_message(message, edit=True)
        params = {"channel_id": channel_id, "message_id": message_id}
        return self.request("PATCH", "/channels/{channel_id}/messages/{message_id}", params, json=message, **limits)

    def open_dm(self, user_id: int, **limits) -> dict:
        """The DM channel with a user (Discord returns the existing one if any); ``limits`` as for ``request``."""
        return self.request("POST", "/users/@me/channels", {}, json={"recipient_id": str(user_id)}, **limits)

    # --- the transport ----------------------------------------------------------------------

    def _webhook(self, method: str, path: str, application_id: int, token: str, **kwargs):
        params = {"application_id": application_id, "interaction_token": token}
        return self.request(method, path, params, bot_auth=False, **kwargs)

    def request(
        self,
        method: str,
        path: str,
        params: dict,
        *,
        json: dict | None = None,
        data: dict | None = None,
        files: dict | None = None,
        bot_auth: bool = True,
        attempts: int = MAX_ATTEMPTS,
        max_wait: float = MAX_RATE_LIMIT_WAIT_S,
    ):
        """Send one request within the limits; the decoded JSON answer (None for 204).

        Raises ``PermanentError`` for a 4xx answer and ``TransientError`` once 5xx
        answers, timeouts or rate limits have outlasted ``attempts`` tries, or a rate
        limit would make it wait more than ``max_wait`` seconds (a caller that retries
        later itself passes less, so that it never holds a worker long).
        """
        route = f"{method} {path}"
        major = ":".join(_major_value(k, params[k]) for k in MAJOR_PARAMETERS if k in params)
        url = self.api_base + path.format(**{k: quote(str(v), safe="") for k, v in params.items()})
        headers = {}
        if bot_auth:  # webhook routes carry their credential (the interaction token) in the path
            headers["Authorization"] = self._authorization
        buckets = self.interaction_buckets if "interaction_token" in params else self.limiter
        last: DiscordError | None = None
        for attempt in range(attempts):
            state_key = self._wait_for_route(buckets, route, major, max_wait)
            if bot_auth:
                self._wait_for_global(max_wait)
            try:
                response = self.http.request(method, url, json=json, data=data, files=files, headers=headers)
            except httpx.TransportError as exc:  # includes timeouts
                metrics.DISCORD_REQUESTS.inc(route=route, status=0)
                buckets.release(state_key)
                last = TransientError(f"{route}: {type(exc).__name__}")
                self._backoff(attempt)
                continue
            metrics.DISCORD_REQUESTS.inc(route=route, status=response.status_code)
            if response.status_code >= 500 and "X-RateLimit-Remaining" not in response.headers:
                # A 502 from Discord's edge says nothing about the bucket; learning from its
                # missing headers would mark the route unlimited and let a burst through.
                buckets.release(state_key)
            else:
                buckets.learn(route, state_key, response.headers, major=major)
            if response.status_code == 429:
                last = self._honour_429(buckets, route, state_key, response)
                continue
            if response.status_code >= 500:
                last = TransientError(f"{route}: server error", status=response.status_code)
                self._backoff(attempt)
                continue
            if response.status_code >= 400:
                raise _permanent(route, response)
            return response.json() if response.content else None
        raise last or TransientError(f"{route}: gave up")

    @staticmethod
    def _wait_for_route(buckets: RateLimiter | LocalBuckets, route: str, major: str, max_wait: float) -> str:
        waited = 0.0
        while True:
            wait, state_key = buckets.acquire_route(route, major)
            if wait <= 0:
                return state_key
            if waited + wait > max_wait:
                raise TransientError(f"{route}: rate limited for {wait:.1f} s", retry_after=wait)
            time.sleep(wait)
            waited += wait

    def _wait_for_global(self, max_wait: float) -> None:
        wait = self.limiter.reserve_global(max_wait)
        if wait < 0:
            raise TransientError(f"global rate limit: next slot in {-wait:.1f} s", retry_after=-wait)
        if wait > 0:
            time.sleep(wait)

    def _honour_429(
        self, buckets: RateLimiter | LocalBuckets, route: str, state_key: str, response: httpx.Response
    ) -> TransientError:
        try:
            body = response.json()
        except ValueError:
            body = {}
        retry_after = float(body.get("retry_after") or response.headers.get("Retry-After") or 1.0)
        is_global = bool(body.get("global")) or response.headers.get("X-RateLimit-Global") == "true"
        scope = response.headers.get("X-RateLimit-Scope", "global" if is_global else "user")
        log.warning("discord 429 on %s: retry after %.3f s (scope %s)", route, retry_after, scope)
        metrics.DISCORD_RATE_LIMITED.inc(route=route, scope=scope)
        buckets.block(state_key, retry_after, is_global=is_global)
        if is_global and buckets is not self.limiter:
            self.limiter.block(state_key, retry_after, is_global=True)  # every worker holds back
        return TransientError(f"{route}: rate limited", status=429, retry_after=retry_after)

    @staticmethod
    def _backoff(attempt: int) -> None:
        time.sleep(min(0.25 * 2**attempt, 4.0))


def _permanent(route: str, response: httpx.Response) -> PermanentError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    message = body.get("message") or response.reason_phrase
    return PermanentError(f"{route}: {message}", status=response.status_code, code=body.get("code"))


_clients: dict[int, DiscordClient] = {}


def get_client() -> DiscordClient:
    """This process's client (one per process: Celery's prefork children each build their own)."""
    pid = os.getpid()
    if pid not in _clients:
        if not settings.DISCORD_TOKEN:
            raise DiscordError("DISCORD_TOKEN is not set")
        limiter = RateLimiter(get_redis(), global_per_s=settings.DISCORD_GLOBAL_RATE_LIMIT)
        _clients.clear()
        _clients[pid] = DiscordClient(
            token=settings.DISCORD_TOKEN,
            api_base=settings.DISCORD_API_BASE,
            limiter=limiter,
            timeout=settings.DISCORD_REQUEST_TIMEOUT_S,
        )
    return _clients[pid]
