"""The checks behind /healthz, each answering "ok" or a short reason."""

from __future__ import annotations

import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from core.models import Heartbeat


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    return "ok"


def check_broker() -> str:
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        return f"error: {type(exc).__name__}"
    finally:
        client.close()
    return "ok"


def check_beat() -> str:
    try:
        return check_heartbeat("beat", settings.BEAT_HEARTBEAT_MAX_AGE.total_seconds())
    except Exception as exc:
        return f"error: {type(exc).__name__}"


def check_heartbeat(name: str, max_age: float) -> str:
    """ "ok" if the Heartbeat row ``name`` was written within ``max_age`` seconds, else why not."""
    return _judge(Heartbeat.objects.filter(name=name).values_list("seen_at", flat=True).first(), max_age)


def check_any_heartbeat(prefix: str, max_age: float) -> str:
    """Like check_heartbeat, for the freshest row whose name starts with ``prefix``."""
    latest = Heartbeat.objects.filter(name__startswith=prefix).order_by("-seen_at").values_list("seen_at", flat=True)
    return _judge(latest.first(), max_age)


def check_any_heartbeat_on_host(host: str, max_age: float) -> str:
    """The freshest heartbeat of the workers named ``<name>@<host>`` (celery's ``-n name@%h``)."""
    rows = Heartbeat.objects.filter(name__startswith="worker:", name__endswith=f"@{host}").order_by("-seen_at")
    return _judge(rows.values_list("seen_at", flat=True).first(), max_age)


def _judge(seen_at, max_age: float) -> str:
    if seen_at is None:
        return "error: no heartbeat yet"
    age = (timezone.now() - seen_at).total_seconds()
    if age > max_age:
        return f"error: last heartbeat {int(age)} s ago"
    return "ok"


def check_delivery() -> str:
    """Whether the outbox may deliver: "ok", or why Discord refused the bot (core.outbox pauses)."""
    from core import outbox

    try:
        pauses = outbox.paused()
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    if not pauses:
        return "ok"
    return "error: delivery paused " + "; ".join(
        f"({pause.scope}) since {pause.paused_at:%Y-%m-%d %H:%M:%S} UTC: {pause.reason}"[:300] for pause in pauses
    )


def run_checks() -> dict[str, str]:
    return {
        "database": check_database(),
        "broker": check_broker(),
        "beat": check_beat(),
        "delivery": check_delivery(),
    }
