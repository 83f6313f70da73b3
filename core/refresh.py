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
earliest time (Unix seconds) the next edit may start, and ``:edits`` the start times of
the last edits, oldest first (for operators and tests).
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import autodiscover_modules

from core.discord_api import PermanentError, get_client
from core.redis import get_redis

log = logging.getLogger(__name__)

RUNNING_TTL_MS = 60_000
QUEUED_TTL_MS = 600_000
EDITS_KEPT = 20

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
    transaction.on_commit(lambda: _queue(kind, object_id))


def edit_starts(kind: str, object_id: int) -> list[float]:
    """When the last edits of this message started (Unix seconds, oldest first)."""
    return [float(t) for t in get_redis().lrange(_key(kind, object_id) + ":edits", 0, -1)]


def _queue(kind: str, object_id: int) -> None:
    redis = get_redis()
    key = _key(kind, object_id)
    if not redis.set(key + ":queued", "1", nx=True, px=QUEUED_TTL_MS):
        return  # an edit is already queued; it will read this change
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
    except Exception:
        _queue(kind, object_id)  # transient failure: try again after the interval
        raise
    finally:
        redis.eval(_RELEASE, 1, key + ":running", token)


def _edit(kind: str, object_id: int, key: str, interval: float) -> None:
    rendered = _renderer(kind).render(object_id)
    if rendered is None:
        return
    redis = get_redis()
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
        get_client().edit_message(rendered.channel_id, rendered.message_id, rendered.message)
    except PermanentError as exc:
        log.info("refresh %s %s dropped: %s", kind, object_id, exc)
    finally:
        # The edit may have waited for the rate limiter or a slow answer: the interval
        # counts from when Discord had it, not from when the worker began.
        redis.set(key + ":next", repr(time.time() + interval), px=QUEUED_TTL_MS)
