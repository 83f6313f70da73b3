"""Muster's Prometheus metrics: what every process counts, and what ``/metrics`` reads at scrape time.

Every process that does the work counts it where it happens: workers (Celery prefork
children or the threads pool, on any number of machines), beat, web. Their counts live in
Redis, not in the process: one hash per metric (``metrics:<name>``), one field per label
set, incremented atomically (``HINCRBY`` / ``HINCRBYFLOAT``). A process keeps what it
counts in memory and adds it to Redis in one round trip after each task (``_Pending``).
The web process's ``/metrics`` (``core.views.metrics``) reads them all at scrape time, so
one scrape sees every worker, whatever its pool, its machine or its lifetime: a prefork
child that is recycled loses nothing, and Prometheus needs no list of workers.
prometheus-client's multiprocess mode (one directory of mmap files) was not chosen:
workers and web run on separate machines or pods that share no directory.

A flush that fails (Redis away) drops its counts with a DEBUG line: counting never costs
an interaction its answer. Counters restart from zero only if Redis loses its data, which
Prometheus reads as a counter reset.

The gauges are read at scrape time from where the truth is: each Celery queue's length on
the broker (``LLEN``), the outbox's pending rows and their oldest's age, each heartbeat's
age (``core.models.Heartbeat``).

Domain apps count through this module only (``metrics.JIRA_POLLS.inc(site=..., outcome=...)``),
never with a client of their own. Names carry Muster's ``muster_`` prefix; counters are
exposed with ``_total``, histograms with ``_bucket``, ``_sum`` and ``_count``.
"""

from __future__ import annotations

import atexit
import json
import logging
import math
import os
import threading
import time
from collections.abc import Iterator

import redis
from celery.signals import task_postrun
from django.conf import settings
from prometheus_client.core import CollectorRegistry, CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

from core.redis import get_redis

log = logging.getLogger(__name__)

PREFIX = "metrics:"


class _Metric:
    kind = ""

    def __init__(self, name: str, documentation: str, labels: tuple[str, ...] = ()):
        self.name = name
        self.documentation = documentation
        self.labels = labels
        DEFINED[name] = self

    @property
    def key(self) -> str:
        return PREFIX + self.name

    def _field(self, labels: dict) -> str:
        if set(labels) != set(self.labels):
            raise ValueError(f"{self.name} takes the labels {', '.join(self.labels) or 'none'}, not {sorted(labels)}")
        return json.dumps([str(labels[name]) for name in self.labels])

    def _add(self, field: str, amount: float) -> None:
        _pending.add(self.key, field, amount)


class Counter(_Metric):
    kind = "counter"

    def inc(self, amount: float = 1, **labels) -> None:
        if amount < 0:
            raise ValueError("a counter only goes up")
        if amount == 0:
            return
        self._add(self._field(labels), amount)

    def samples(self, stored: dict[str, str]) -> CounterMetricFamily:
        family = CounterMetricFamily(self.name, self.documentation, labels=self.labels)
        for field, value in sorted(stored.items()):
            family.add_metric(json.loads(field), float(value))
        return family


class Histogram(_Metric):
    kind = "histogram"

    def __init__(self, name: str, documentation: str, labels: tuple[str, ...] = (), *, buckets: tuple[float, ...]):
        super().__init__(name, documentation, labels)
        self.buckets = tuple(sorted(buckets))

    def observe(self, value: float, **labels) -> None:
        field = self._field(labels)
        index = next((i for i, bound in enumerate(self.buckets) if value <= bound), len(self.buckets))
        self._add(f"{field}|{index}", 1)
        self._add(f"{field}|sum", value)

    def samples(self, stored: dict[str, str]) -> HistogramMetricFamily:
        family = HistogramMetricFamily(self.name, self.documentation, labels=self.labels)
        series: dict[str, dict[str, float]] = {}
        for key, value in stored.items():
            field, _, part = key.rpartition("|")
            series.setdefault(field, {})[part] = float(value)
        for field, parts in sorted(series.items()):
            running, cumulative = 0.0, []
            for index, bound in enumerate((*self.buckets, math.inf)):
                running += parts.get(str(index), 0.0)
                cumulative.append(("+Inf" if bound == math.inf else repr(float(bound)), running))
            family.add_metric(json.loads(field), cumulative, parts.get("sum", 0.0))
        return family


class _Pending:
    """This process's counts not yet in Redis, written by ``flush`` in one round trip.

    Counting touches no socket, so it never slows what it counts (an interaction's answer
    goes out with no Redis round trip, see ``core.discord_api.ratelimit.LocalBuckets``).
    Flushed after each Celery task (``task_postrun``: the answer is sent by then), when the
    process exits, before this process serves a scrape, and by any count made more than
    ``FLUSH_EVERY_S`` after the last flush. A child forked with counts pending drops
    them: they are its parent's to write.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._counts: dict[tuple[str, str], float] = {}
        self._flushed = time.monotonic()

    def add(self, key: str, field: str, amount: float) -> None:
        with self._lock:
            self._forked()
            self._counts[key, field] = self._counts.get((key, field), 0) + amount
            due = time.monotonic() - self._flushed > FLUSH_EVERY_S
        if due:
            self.flush()

    def _forked(self) -> None:
        if self._pid != os.getpid():
            self._pid, self._counts = os.getpid(), {}

    def flush(self) -> None:
        with self._lock:
            self._forked()
            counts, self._counts = self._counts, {}
            self._flushed = time.monotonic()
        if not counts:
            return
        try:
            pipe = get_redis().pipeline(transaction=False)
            for (key, field), amount in counts.items():
                if float(amount).is_integer():
                    pipe.hincrby(key, field, int(amount))
                else:
                    pipe.hincrbyfloat(key, field, amount)
            pipe.execute()
        except redis.RedisError as exc:
            log.debug("%d metric counts dropped: %s", len(counts), type(exc).__name__)


FLUSH_EVERY_S = 10.0
_pending = _Pending()
flush = _pending.flush
atexit.register(flush)


@task_postrun.connect(weak=False)
def _flush_after_task(**kwargs) -> None:
    flush()


DEFINED: dict[str, _Metric] = {}

# --- interactions (core.interactions.dispatcher) ------------------------------------------
INTERACTIONS = Counter(
    "muster_interactions",
    "Interactions whose handler ran, by route and outcome (ok, refused, error, unknown).",
    ("route", "outcome"),
)
ACK_SECONDS = Histogram(
    "muster_interaction_ack_seconds",
    "From the interaction's creation (its snowflake) to Discord having the acknowledgement.",
    buckets=(0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 5.0),
)
END_TO_END_SECONDS = Histogram(
    "muster_interaction_end_to_end_seconds",
    "From the interaction's creation to its answer shown in Discord.",
    buckets=(0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0, 60.0),
)
# --- Discord REST (core.discord_api.client) -----------------------------------------------
DISCORD_REQUESTS = Counter(
    "muster_discord_requests",
    "Discord REST requests sent, by route (method and path template) and HTTP status (0: no answer).",
    ("route", "status"),
)
DISCORD_RATE_LIMITED = Counter(
    "muster_discord_rate_limited",
    "Discord 429 answers, by route and scope (user, shared, global).",
    ("route", "scope"),
)
# --- the coalesced refresh (core.refresh) -------------------------------------------------
REFRESHES = Counter(
    "muster_refreshes",
    "Refreshes of public messages asked for, by kind and result: queued (an edit task) or coalesced "
    "(an edit already queued will show the change).",
    ("kind", "result"),
)
# --- domains ------------------------------------------------------------------------------
JIRA_POLLS = Counter(
    "muster_jira_polls", "Jira site poll cycles, by site id and outcome (ok, error).", ("site", "outcome")
)
SHEETS_RUNS = Counter(
    "muster_sheets_runs",
    "Google Sheets export runs, by target id and status (written, unchanged, failed).",
    ("target", "status"),
)
REMINDERS_SENT = Counter(
    "muster_reminders_sent",
    "Reminder DMs handed to the outbox, by kind (event: an event's reminders; jira: a member's Jira reminders; "
    "task: tasks' due reminders).",
    ("kind",),
)

# --- gauges read at scrape time ---------------------------------------------------------------
GAUGES = {
    "muster_queue_depth": "Messages waiting in each Celery queue on the broker.",
    "muster_outbox_pending": "Outbox messages not yet delivered.",
    "muster_outbox_oldest_pending_age_seconds": "Age of the oldest outbox message not yet delivered (0: none).",
    "muster_heartbeat_age_seconds": "Seconds since each component's last heartbeat (beat, workers).",
    "muster_metrics_scrape_errors": "Parts of this scrape that could not be read (1 each), by part.",
}


def sample_names() -> set[str]:
    """Every sample name a scrape may show: what alert rules and dashboards may refer to."""
    names = set(GAUGES)
    for metric in DEFINED.values():
        if metric.kind == "counter":
            names.add(metric.name + "_total")
        else:
            names |= {metric.name + suffix for suffix in ("_bucket", "_sum", "_count")}
    return names


def _queue_lengths() -> dict[str, int]:
    from kombu.transport.redis import PRIORITY_STEPS, Channel

    from config.queues import MUSTER_QUEUES

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        pipe = client.pipeline(transaction=False)
        # Kombu keeps a queue's prioritised messages in one list per priority step.
        names = [
            (queue, queue if step == 0 else f"{queue}{Channel.sep}{step}")
            for queue in MUSTER_QUEUES
            for step in PRIORITY_STEPS
        ]
        for _, key in names:
            pipe.llen(key)
        lengths: dict[str, int] = dict.fromkeys(MUSTER_QUEUES, 0)
        for (queue, _), length in zip(names, pipe.execute(), strict=True):
            lengths[queue] += length
        return lengths
    finally:
        client.close()


def _outbox(now: float) -> tuple[int, float]:
    from django.db.models import Count, Min

    from core.models import OutboundMessage

    row = OutboundMessage.objects.filter(status=OutboundMessage.Status.PENDING).aggregate(
        count=Count("id"), oldest=Min("created_at")
    )
    oldest = row["oldest"]
    return row["count"], max(0.0, now - oldest.timestamp()) if oldest else 0.0


def _heartbeats(now: float) -> dict[str, float]:
    from core.models import Heartbeat

    return {name: max(0.0, now - seen.timestamp()) for name, seen in Heartbeat.objects.values_list("name", "seen_at")}


class MusterCollector:
    """What a scrape shows: the stored counts, and the gauges read now."""

    def collect(self) -> Iterator:
        errors: dict[str, float] = {}
        yield from self._stored(errors)
        now = time.time()
        depth = GaugeMetricFamily("muster_queue_depth", GAUGES["muster_queue_depth"], labels=["queue"])
        try:
            for queue, length in _queue_lengths().items():
                depth.add_metric([queue], length)
        except redis.RedisError:
            errors["broker"] = 1
        yield depth
        try:
            pending, oldest_age = _outbox(now)
        except Exception:  # the database away: the scrape still answers, saying so
            errors["outbox"] = 1
        else:
            yield GaugeMetricFamily("muster_outbox_pending", GAUGES["muster_outbox_pending"], value=pending)
            name = "muster_outbox_oldest_pending_age_seconds"
            yield GaugeMetricFamily(name, GAUGES[name], value=oldest_age)
        name = "muster_heartbeat_age_seconds"
        ages = GaugeMetricFamily(name, GAUGES[name], labels=["component"])
        try:
            for component, age in sorted(_heartbeats(now).items()):
                ages.add_metric([component], age)
        except Exception:
            errors["heartbeats"] = 1
        yield ages
        name = "muster_metrics_scrape_errors"
        failed = GaugeMetricFamily(name, GAUGES[name], labels=["part"])
        for part, value in sorted(errors.items()):
            failed.add_metric([part], value)
        yield failed

    @staticmethod
    def _stored(errors: dict[str, float]) -> Iterator:
        metrics = list(DEFINED.values())
        flush()  # what this process counted itself
        try:
            pipe = get_redis().pipeline(transaction=False)
            for metric in metrics:
                pipe.hgetall(metric.key)
            stored = pipe.execute()
        except redis.RedisError:
            errors["counters"] = 1
            stored = [{} for _ in metrics]
        for metric, values in zip(metrics, stored, strict=True):
            yield metric.samples({k.decode(): v.decode() for k, v in values.items()})


def registry() -> CollectorRegistry:
    """A registry holding only Muster's collector (not the web process's own Python metrics)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(MusterCollector())
    return registry
