"""Each worker's heartbeat: the Heartbeat row ``worker:<hostname>`` (``manage.py heartbeat --check worker``).

Registered as a consumer bootstep by core.tasks, which every worker imports (autodiscovery)
before it builds its consumer.
"""

import logging

from celery import bootsteps
from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from core.models import Heartbeat


class WorkerHeartbeat(bootsteps.StartStopStep):
    """Every WORKER_HEARTBEAT_INTERVAL s, the Heartbeat row ``worker:<hostname>`` (``heartbeat --check worker``).

    A step of the consumer, so it starts once the worker consumes its queues and stops when it
    stops consuming (the broker lost); its timer runs in the consumer's own event loop, so a
    worker whose loop is stuck stops writing too.
    """

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def __init__(self, parent, **kwargs) -> None:
        self.timer_ref = None

    def start(self, consumer) -> None:
        self.write(consumer.hostname)
        self.timer_ref = consumer.timer.call_repeatedly(
            settings.WORKER_HEARTBEAT_INTERVAL_S, self.write, (consumer.hostname,), priority=10
        )

    def stop(self, consumer) -> None:
        if self.timer_ref is not None:
            self.timer_ref.cancel()
            self.timer_ref = None

    shutdown = stop

    @staticmethod
    def write(hostname: str) -> None:
        try:
            close_old_connections()
            Heartbeat.objects.update_or_create(name=f"worker:{hostname}", defaults={"seen_at": timezone.now()})
        except Exception as exc:  # the database is down: the heartbeat goes stale, the probe says so
            logging.getLogger(__name__).warning("worker heartbeat not written: %s", type(exc).__name__)
