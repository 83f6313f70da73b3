"""Quiet start-up: /healthz answers 503 while Muster starts, which is no error worth an alarm.

Django logs every 5xx response at ERROR (``django.request``). For the first
``grace_s`` seconds of a web process, a 503 from /healthz (beat has not ticked yet, the
broker is still starting) is logged at INFO instead; after that, at ERROR as before.
Imported by the logging configuration, before Django's apps are ready: no models here.
"""

from __future__ import annotations

import logging
import time

STARTED = time.monotonic()
HEALTH_PATH = "/healthz"


class QuietWhileStarting(logging.Filter):
    """Turn ``django.request``'s ERROR for a /healthz 503 into INFO while the process starts."""

    def __init__(self, grace_s: float = 60.0) -> None:
        super().__init__()
        self.grace_s = grace_s

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        starting = time.monotonic() - STARTED < self.grace_s
        if starting and getattr(record, "status_code", None) == 503 and getattr(request, "path", "") == HEALTH_PATH:
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.msg = "%s while starting: %s"
            record.args = ("503", HEALTH_PATH)
        return True
