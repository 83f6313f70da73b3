"""Coalesced refresh of public messages that change often (poll tallies, event rosters).

A domain registers how to render one kind of message, and calls ``schedule_refresh``
whenever its state changes (inside or outside a transaction)::

    from core.refresh import Rendered, renderer, schedule_refresh

    @renderer("poll")
    def render_poll(poll_id: int) -> Rendered | None:
        poll = Poll.objects.filter(id=poll_id).first()
        if poll is None or poll.message_id is None:
            return None                                   # nothing to edit
        return Rendered(poll.channel_id, poll.message_id, {"embeds": [...], "components": [...]})

    schedule_refresh("poll", poll.id)                     # after each vote

Whatever the number of calls, an edit of the message never starts less than one interval
(``REFRESH_INTERVAL`` seconds, or the renderer's own ``interval``) after the previous
edit *ended*, so Discord sees at most one edit per interval even when an edit waited for
the rate limiter. The renderer reads the database when the edit is made, so the latest
state always wins, and a change that arrives while an edit is under way schedules one
more edit: nothing is lost at the end of a burst. Renderers live in
``<app>/discord/messages.py`` (autodiscovered) or any module the worker imports.

Redis holds, per message (``refresh:<kind>:<id>``): ``:queued`` while a task that will
read the database is pending, ``:running`` while an edit is under way, ``:next`` the
earliest time (Unix seconds) the next edit may start, ``:failures`` the failed edits in a
row, ``:shown`` a digest of what the message shows (an edit that would change nothing is
skipped), and ``:edits`` the start times of the last edits, oldest first (for operators and tests).

Failures never cost the refresh nor anything else. A failed edit (Discord 5xx, a timeout,
a rate limit longer than ``EDIT_MAX_WAIT_S``) is retried after ``interval * 2**failures``
seconds, at most ``MAX_BACKOFF_S``, and given up after ``MAX_FAILURES`` in a row (the next
change starts afresh); each attempt is one request, so it holds a worker for at most the
request timeout plus ``EDIT_MAX_WAIT_S``. When the refresh cannot be queued at all (the
broker is down when the change commits), a ``PendingRefresh`` row remembers it and the
``refresh-pending`` beat tick queues it once the broker is back; the on-commit hook never
raises, so the transaction's other hooks and the interaction's answer go ahead.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import autodiscover_modules

from core import metrics
from core.discord_api import PermanentError, get_client
from core.redis import get_redis

log = logging.getLogger(__name__)

RUNNING_TTL_MS = 60_000
QUEUED_TTL_MS = 600_000
EDITS_KEPT = 20
SHOWN_TTL_MS = 3_600_000
MAX_FAILURES = 6
MAX_BACKOFF_S = 300.0
EDIT_MAX_WAIT_S = 5.0  # a longer rate limit is waited out by a retry, not by a sleeping worker

# Delete the lock only if it is still ours (it may have expired and been taken since).
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


@dataclass(frozen=True)
class Rendered:
    """The message to edit and its new content (Discord message JSON)."""

    channel_id: int
    message_id: int
    message: dict


@dataclass(frozen=True)
class Renderer:
    render: Callable[[int], Rendered | None]
    interval: float | None


_renderers: dict[str, Renderer] = {}
_discovered = False


def renderer(kind: str, *, interval: float | None = None):
    """Register the function that renders ``kind`` messages from an object id."""

    def decorator(fn: Callable[[int], Rendered | None]):
        _renderers[kind] = Renderer(fn, interval)
        return fn

    return decorator


def _renderer(kind: str) -> Renderer:
    global _discovered
    if kind not in _renderers and not _discovered:
        autodiscover_modules("discord.messages")
        _discovered = True
    return _renderers[kind]


def _interval(kind: str) -> float:
    return _renderer(kind).interval or settings.REFRESH_INTERVAL_S


def _key(kind: str, object_id: int) -> str:
    return f"refresh:{kind}:{object_id}"


def schedule_refresh(kind: str, object_id: int) -> None:
    """Re-render the ``kind`` message of ``object_id`` soon (after the current commit)."""
    transaction.on_commit(lambda: _queue_or_remember(kind, object_id), robust=True)


def posted(kind: str, object_id: int, message: dict) -> None:
    """The ``kind`` message of ``object_id`` was just posted showing ``message``: redraw it if
    its state changed since it was written (the outbox calls this on delivery)."""
    with contextlib.suppress(Exception):  # without it the redraw is one edit more, not wrong
        get_redis().set(_key(kind, object_id) + ":shown", _digest(message), px=SHOWN_TTL_MS)
    schedule_refresh(kind, object_id)


def _digest(message: dict) -> str:
    return hashlib.blake2b(json.dumps(message, sort_keys=True, default=str).encode(), digest_size=16).hexdigest()


def edit_starts(kind: str, object_id: int) -> list[float]:
    """When the last edits of this message started (Unix seconds, oldest first)."""
    return [float(t) for t in get_redis().lrange(_key(kind, object_id) + ":edits", 0, -1)]


def _queue_or_remember(kind: str, object_id: int) -> None:
    """Queue the refresh; if Redis or the broker refuses, leave it for the ``refresh-pending`` tick."""
    try:
        _queue(kind, object_id)
    except Exception as exc:
        log.warning("refresh %s %s not queued (%s); the refresh-pending tick will", kind, object_id, exc)
        _remember(kind, object_id)
        # A ":queued" left behind would hold back the retry and every later change; if Redis
        # is down too, the key went with it or retry_pending drops it.
        with contextlib.suppress(Exception):
            get_redis().delete(_key(kind, object_id) + ":queued")


def _remember(kind: str, object_id: int) -> None:
    from core.models import PendingRefresh  # here: renderers' modules import this one before Django is set up

    PendingRefresh.objects.get_or_create(kind=kind, object_id=object_id)


def retry_pending(limit: int = 500) -> int:
    """Queue the refreshes that could not be queued (the beat tick); how many were queued."""
    from core.models import PendingRefresh

    queued = 0
    for pending in PendingRefresh.objects.order_by("created_at")[:limit]:
        get_redis().delete(_key(pending.kind, pending.object_id) + ":queued")
        _queue(pending.kind, pending.object_id)  # raises while the broker is still down: the next tick retries
        pending.delete()
        queued += 1
    return queued


def _queue(kind: str, object_id: int) -> None:
    redis = get_redis()
    key = _key(kind, object_id)
    if not redis.set(key + ":queued", "1", nx=True, px=QUEUED_TTL_MS):
        metrics.REFRESHES.inc(kind=kind, result="coalesced")
        return  # an edit is already queued; it will read this change
    metrics.REFRESHES.inc(kind=kind, result="queued")
    _later(kind, object_id, float(redis.get(key + ":next") or 0) - time.time())


def _later(kind: str, object_id: int, delay: float) -> None:
    from core.tasks import refresh_message

    refresh_message.apply_async((kind, object_id), countdown=max(0.0, delay))


def refresh(kind: str, object_id: int) -> None:
    """Render and edit now if the interval allows (the task's body), else come back when it does.

    One edit per message runs at a time, and a task that finds the previous edit too
    recent or still under way re-queues itself; it keeps ``:queued`` set meanwhile, so
    a burst never holds more than one waiting task per message.
    """
    redis = get_redis()
    key = _key(kind, object_id)
    interval = _interval(kind)
    token = secrets.token_hex(8)
    if not redis.set(key + ":running", token, nx=True, px=RUNNING_TTL_MS):
        # The edit under way moves ":next" on when it ends; look again one interval from now.
        _later(kind, object_id, interval)
        return
    try:
        wait = float(redis.get(key + ":next") or 0) - time.time()
        if wait > 0:
            _later(kind, object_id, wait)
            return
        # Clearing "queued" before reading the database means a change committed from
        # here on queues another edit instead of being lost.
        redis.delete(key + ":queued")
        _edit(kind, object_id, key, interval)
        redis.delete(key + ":failures")
    except Exception as exc:
        _retry_later(kind, object_id, interval, exc)
    finally:
        redis.eval(_RELEASE, 1, key + ":running", token)


def _retry_later(kind: str, object_id: int, interval: float, exc: Exception) -> None:
    """After a failed edit: try again with exponential backoff, or give up after ``MAX_FAILURES``."""
    key = _key(kind, object_id)
    try:
        redis = get_redis()
        failures = int(redis.incr(key + ":failures"))
        redis.pexpire(key + ":failures", QUEUED_TTL_MS)
        if failures >= MAX_FAILURES:
            redis.delete(key + ":failures")
            log.error("refresh %s %s given up after %s failures: %s", kind, object_id, failures, exc)
            return
        delay = min(interval * 2**failures, MAX_BACKOFF_S)
        log.warning("refresh %s %s failed (%s); retry %s in %.1f s", kind, object_id, exc, failures, delay)
        redis.set(key + ":queued", "1", px=QUEUED_TTL_MS)  # changes meanwhile ride on the retry
        _later(kind, object_id, delay)
    except Exception as lost:
        log.warning("refresh %s %s: retry not queued (%s); the refresh-pending tick will", kind, object_id, lost)
        _remember(kind, object_id)


def _edit(kind: str, object_id: int, key: str, interval: float) -> None:
    rendered = _renderer(kind).render(object_id)
    if rendered is None:
        return
    redis = get_redis()
    shown = _digest(rendered.message)
    if redis.get(key + ":shown") == shown.encode():
        return  # Discord shows exactly this already: no edit, and the interval does not start
    started = time.time()
    with redis.pipeline(transaction=False) as pipe:
        # Changes arriving during the edit schedule their task an interval from now; the
        # task itself waits for the interval after the edit's end (set below).
        pipe.set(key + ":next", repr(started + interval), px=QUEUED_TTL_MS)
        pipe.rpush(key + ":edits", repr(started))
        pipe.ltrim(key + ":edits", -EDITS_KEPT, -1)
        pipe.pexpire(key + ":edits", QUEUED_TTL_MS)
        pipe.execute()
    try:
        client = get_client()
        client.edit_message(
            rendered.channel_id, rendered.message_id, rendered.message, attempts=1, max_wait=EDIT_MAX_WAIT_S
        )
        redis.set(key + ":shown", shown, px=SHOWN_TTL_MS)
    except PermanentError as exc:
        log.info("refresh %s %s dropped: %s", kind, object_id, exc)
    finally:
        # The edit may have waited for the rate limiter or a slow answer: the interval
        # counts from when Discord had it, not from when the worker began.
        redis.set(key + ":next", repr(time.time() + interval), px=QUEUED_TTL_MS)
