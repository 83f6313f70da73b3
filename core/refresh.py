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

Whatever the number of calls, the message is edited at most once per interval
(``REFRESH_INTERVAL`` seconds, or the renderer's own ``interval``). The renderer reads the
database when the edit is made, so the latest state always wins, and a change that
arrives while an edit is under way schedules one more edit: nothing is lost at the end of
a burst. Renderers live in ``<app>/renderers.py`` (autodiscovered) or any module the
worker imports.
"""

from __future__ import annotations

import logging
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
        autodiscover_modules("renderers")
        _discovered = True
    return _renderers[kind]


def _interval(kind: str) -> float:
    return _renderer(kind).interval or settings.REFRESH_INTERVAL_S


def _key(kind: str, object_id: int) -> str:
    return f"refresh:{kind}:{object_id}"


def schedule_refresh(kind: str, object_id: int) -> None:
    """Re-render the ``kind`` message of ``object_id`` soon (after the current commit)."""
    transaction.on_commit(lambda: _queue(kind, object_id))


def _queue(kind: str, object_id: int) -> None:
    from core.tasks import refresh_message

    redis = get_redis()
    key = _key(kind, object_id)
    if not redis.set(key + ":queued", "1", nx=True, px=QUEUED_TTL_MS):
        return  # an edit is already queued; it will read this change
    last = float(redis.get(key + ":last") or 0)
    delay = max(0.0, last + _interval(kind) - time.time())
    refresh_message.apply_async((kind, object_id), countdown=delay)


def refresh(kind: str, object_id: int) -> None:
    """Render and edit now (the task's body). Only one edit per message runs at a time."""
    from core.tasks import refresh_message

    redis = get_redis()
    key = _key(kind, object_id)
    if not redis.set(key + ":running", "1", nx=True, px=RUNNING_TTL_MS):
        refresh_message.apply_async((kind, object_id), countdown=0.5)
        return
    try:
        # Clearing "queued" before reading the database means a change committed from
        # here on queues another edit instead of being lost.
        redis.delete(key + ":queued")
        redis.set(key + ":last", repr(time.time()), px=QUEUED_TTL_MS)
        rendered = _renderer(kind).render(object_id)
        if rendered is None:
            return
        try:
            get_client().edit_message(rendered.channel_id, rendered.message_id, rendered.message)
        except PermanentError as exc:
            log.info("refresh %s %s dropped: %s", kind, object_id, exc)
    except Exception:
        _queue(kind, object_id)  # transient failure: try again after the interval
        raise
    finally:
        redis.delete(key + ":running")
