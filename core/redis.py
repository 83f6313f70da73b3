"""One Redis client per process for Muster's own keys (rate limits, refresh throttles)."""

from __future__ import annotations

import os

import redis
from django.conf import settings

_clients: dict[int, redis.Redis] = {}


def get_redis() -> redis.Redis:
    """This process's client on REDIS_URL (rebuilt after a fork)."""
    pid = os.getpid()
    if pid not in _clients:
        _clients.clear()
        _clients[pid] = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5, socket_connect_timeout=2)
    return _clients[pid]
