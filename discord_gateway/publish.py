"""Handing tasks to the broker without blocking the gateway's loop, and without losing one.

One thread owns one broker connection and publishes in arrival order, several messages per
Redis round trip when a burst queues them up. The event loop hands it each task with a
``concurrent.futures.Future``; the thread *takes* an item (``set_running_or_notify_cancel``)
only once it holds a live connection, just before publishing it. So the loop may cancel an
item nobody has taken yet, and then it is certainly unpublished; once taken, the loop waits
for the real outcome, and a published interaction is never reported as failed.

Before taking anything the thread PINGs, so a broker that is gone leaves every item
untaken (one more round trip per batch, not per item). A taken item whose publish fails may still
have reached Redis: it is published again after reconnecting (the worker keys each
interaction by its id, so a duplicate does nothing) until the item's deadline, and if that
fails its outcome is reported as uncertain, never as unpublished.

Items submitted with a ``batch`` task (interactions: ``handle_interactions``) that queue up
together are published several to a message: in a burst, one message and one task's
overhead in a worker carry up to BATCH_OF_ITEMS of them. An item alone goes as its own
task, so a quiet gateway publishes exactly what it did before.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import queue
import threading
import time
from concurrent import futures
from concurrent.futures import Future
from dataclasses import dataclass, field

from kombu.exceptions import EncodeError

log = logging.getLogger(__name__)

# Discord's deadline is 3 s from the interaction; the answer is sent before publishing, and
# the member must learn of a broken broker within those 3 s: an interaction not taken
# within DEADLINE_S is withdrawn, a taken one that could not be published by then fails.
DEADLINE_S = 1.5
# Bounds on a dead or hung broker; without them a publish can wait forever.
TRANSPORT_OPTIONS = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}
RECONNECT_PAUSE_S = 0.1
BATCH_SIZE = 50
# Items of one ``batch`` task in one message, at most: a worker child runs them one after
# another (each in its own transaction), so a burst still spreads over every child.
BATCH_OF_ITEMS = 8


class PublishUncertain(Exception):
    """A taken item could not be confirmed by its deadline; Redis may or may not have it."""


class Outcome(enum.Enum):
    PUBLISHED = "published"
    UNPUBLISHED = "unpublished"  # certainly: withdrawn before it was taken, or unencodable
    UNCERTAIN = "uncertain"


@dataclass
class _Item:
    task: object
    args: tuple
    kwargs: dict
    deadline: float
    batch: object = None
    future: Future = field(default_factory=Future)


_STOP = object()


class Publisher:
    """A thread with one broker connection that publishes Celery tasks handed to it."""

    def __init__(self, app=None, *, transport_options: dict | None = None):
        if app is None:
            from config.celery_app import app
        self._app = app
        self._transport_options = TRANSPORT_OPTIONS if transport_options is None else transport_options
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._connection = None
        self._producer = None
        self._thread = threading.Thread(target=self._run, name="muster-publisher", daemon=True)

    def start(self) -> Publisher:
        self._thread.start()
        return self

    def submit(
        self, task, args: tuple = (), kwargs: dict | None = None, *, within: float = DEADLINE_S, batch=None
    ) -> Future:
        """Queue ``task.apply_async(args, kwargs)``; the future ends with None once Redis has it.

        Thread-safe and non-blocking. Cancel the future to withdraw an item: ``cancel()``
        returns True only while the item is untaken, which guarantees it is never published.
        A taken item that cannot be confirmed ``within`` seconds ends in PublishUncertain.

        With ``batch`` (a task taking the list of such items' single argument), items of it
        queued together may go as one ``batch.apply_async(([arg, ...],))`` instead.
        """
        if batch is not None and (len(args) != 1 or kwargs):
            raise ValueError("only a task of one positional argument can be batched")
        item = _Item(task, tuple(args), dict(kwargs or {}), time.monotonic() + within, batch)
        self._queue.put(item)
        return item.future

    def close(self, timeout: float = 5.0) -> None:
        """Publish what is queued (within each item's deadline), then disconnect."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join(timeout)

    def _run(self) -> None:
        self._connect()  # early, so the first interaction does not pay for it
        stopping = False
        while not stopping:
            items = [self._queue.get()]
            while len(items) < BATCH_SIZE:
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            if _STOP in items:
                stopping = True
                items = [item for item in items if item is not _STOP]
            try:
                self._publish(items)
            except Exception:  # never let the thread die: the gateway would hang on its futures
                log.exception("publisher: unexpected error")
                for item in items:
                    if not item.future.cancel() and not item.future.done():
                        item.future.set_exception(PublishUncertain("publisher error"))
        self._disconnect()

    def _publish(self, items: list[_Item]) -> None:
        untaken, taken = items, []
        while untaken or taken:
            if not self._connect() or (untaken and not self._alive()):
                untaken = [item for item in untaken if not item.future.cancelled()]
                taken = self._give_up_overdue(taken, "broker unreachable")
                if untaken or taken:
                    time.sleep(RECONNECT_PAUSE_S)
                continue
            taken += [item for item in untaken if item.future.set_running_or_notify_cancel()]
            untaken = []
            try:
                self._send(taken)
            except Exception as exc:
                log.warning("publisher: broker connection lost (%s); reconnecting", type(exc).__name__)
                self._disconnect()
                taken = self._give_up_overdue(taken, type(exc).__name__)
                continue
            for item in taken:
                if not item.future.done():
                    item.future.set_result(None)
            taken = []

    def _send(self, items: list[_Item]) -> None:
        """Publish ``items`` in one Redis round trip (a pipeline); raises if the broker failed."""
        with self._producer.batch(max_size=4 * BATCH_SIZE):
            for group in _groups([item for item in items if not item.future.done()]):  # done: failed to encode
                if len(group) > 1:
                    try:
                        group[0].batch.apply_async(
                            ([item.args[0] for item in group],), producer=self._producer, retry=False
                        )
                        continue
                    except EncodeError:  # one of them cannot be sent: find which, one by one
                        pass
                for item in group:
                    try:
                        item.task.apply_async(item.args, item.kwargs, producer=self._producer, retry=False)
                    except EncodeError as exc:  # this item's fault, not the broker's
                        item.future.set_exception(exc)

    def _give_up_overdue(self, taken: list[_Item], reason: str) -> list[_Item]:
        now = time.monotonic()
        for item in taken:
            if item.deadline <= now and not item.future.done():
                item.future.set_exception(PublishUncertain(reason))
        return [item for item in taken if not item.future.done()]

    def _alive(self) -> bool:
        """True if the broker answers a PING now; else drop the connection.

        Even a connection used a few milliseconds ago may be dead, and an item taken onto it
        could then only be reported as uncertain.
        """
        try:
            self._connection.default_channel.client.ping()
        except Exception as exc:
            log.warning("publisher: the broker stopped answering (%s); reconnecting", type(exc).__name__)
            self._disconnect()
            return False
        return True

    def _connect(self) -> bool:
        if self._producer is not None:
            return True
        connection = self._app.connection_for_write(transport_options=self._transport_options)
        try:
            connection.ensure_connection(max_retries=0)  # one attempt; the Redis channel PINGs
            self._producer = connection.Producer()
        except Exception as exc:
            log.debug("publisher: cannot connect: %s", type(exc).__name__)
            connection.release()
            return False
        self._connection = connection
        return True

    def _disconnect(self) -> None:
        self._producer = None
        if self._connection is not None:
            try:
                self._connection.release()
            except Exception:  # a dead connection may fail to close; it is dropped either way
                log.debug("publisher: error closing the connection", exc_info=True)
            self._connection = None


def _groups(items: list[_Item]) -> list[list[_Item]]:
    """``items`` in order, consecutive items of one batch task together (at most BATCH_OF_ITEMS)."""
    groups: list[list[_Item]] = []
    for item in items:
        last = groups[-1] if groups else None
        if last is not None and item.batch is not None and last[0].batch is item.batch and len(last) < BATCH_OF_ITEMS:
            last.append(item)
        else:
            groups.append([item])
    return groups


_publisher: Publisher | None = None
_publisher_lock = threading.Lock()


def publisher() -> Publisher:
    """The gateway's one publisher, started on first use."""
    global _publisher
    with _publisher_lock:
        if _publisher is None:
            _publisher = Publisher().start()
        return _publisher


def stop_publisher(timeout: float = 5.0) -> None:
    global _publisher
    with _publisher_lock:
        if _publisher is not None:
            _publisher.close(timeout)
            _publisher = None


async def deliver(
    task, args: tuple = (), kwargs: dict | None = None, *, what: str, within: float = DEADLINE_S, batch=None
) -> Outcome:
    """Publish ``task`` through the publisher thread, without blocking the loop.

    PUBLISHED once Redis has it; UNPUBLISHED when it certainly has not (not taken within
    ``within`` seconds, so withdrawn); UNCERTAIN when it was taken but not confirmed.
    ``batch``: see ``Publisher.submit``.
    """
    future = publisher().submit(task, args, kwargs, within=within, batch=batch)
    waiter = asyncio.wrap_future(future)
    done, _ = await asyncio.wait({waiter}, timeout=within)
    if not done and future.cancel():
        log.error("%s not published: not taken within %.1f s (broker down or gateway overloaded)", what, within)
        return Outcome.UNPUBLISHED
    try:
        await waiter
    except PublishUncertain as exc:
        log.error("%s may not be published: %s", what, exc)
        return Outcome.UNCERTAIN
    except Exception as exc:
        log.error("%s not published: %s", what, type(exc).__name__)
        return Outcome.UNPUBLISHED
    return Outcome.PUBLISHED


def deliver_blocking(
    task, args: tuple = (), kwargs: dict | None = None, *, what: str, within: float = DEADLINE_S, batch=None
) -> Outcome:
    """``deliver`` for a thread without an event loop (web, in HTTP mode): the same outcomes.

    It waits on the publisher's future itself: no event loop (and no thread to run one)
    is made for each interaction.
    """
    future = publisher().submit(task, args, kwargs, within=within, batch=batch)
    done, _ = futures.wait([future], timeout=within)
    if not done and future.cancel():
        log.error("%s not published: not taken within %.1f s (broker down or web overloaded)", what, within)
        return Outcome.UNPUBLISHED
    try:
        future.result()
    except PublishUncertain as exc:
        log.error("%s may not be published: %s", what, exc)
        return Outcome.UNCERTAIN
    except Exception as exc:
        log.error("%s not published: %s", what, type(exc).__name__)
        return Outcome.UNPUBLISHED
    return Outcome.PUBLISHED


def _interaction_task(payload: dict) -> tuple:
    """(task, args, options) that publish an interaction: signed (core.interactions.signing), batchable."""
    from core.interactions import signing
    from core.interactions.tasks import handle_interaction, handle_interactions

    options = {"what": f"interaction {payload.get('id')}", "batch": handle_interactions}
    return handle_interaction, (signing.sign(payload),), options


async def publish(payload: dict) -> Outcome:
    """Sign an interaction and publish it to the ``interactions`` queue."""
    task, args, options = _interaction_task(payload)
    return await deliver(task, args, **options)


def publish_blocking(payload: dict) -> Outcome:
    """``publish`` for a thread without an event loop (web, in HTTP mode)."""
    task, args, options = _interaction_task(payload)
    return deliver_blocking(task, args, **options)
