"""A renderer for the coalesced-refresh test: the message shows what Redis holds now.

The test process imports it and the worker loads it with ``--include``, as a domain's
``discord/messages.py`` (where renderers live) is loaded by both. Run as a program it is one more process making
changes (``python -m tests.e2e.refresh_probe <channel> <message> <name> <changes> <start_at>``).
"""

from __future__ import annotations

import json
import os
import sys
import time

from core.redis import get_redis
from core.refresh import Rendered, renderer, schedule_refresh

KIND = "refresh-probe"
INTERVAL_S = 0.3


def state_key(object_id: int) -> str:
    return f"test:{KIND}:{object_id}"


def set_state(object_id: int, channel_id: int, message_id: int, content: str) -> None:
    get_redis().set(state_key(object_id), json.dumps([channel_id, message_id, content]))


def current_content(object_id: int) -> str:
    return json.loads(get_redis().get(state_key(object_id)))[2]


def make_changes(object_id: int, channel_id: int, message_id: int, name: str, changes: int, start_at: float) -> None:
    """From ``start_at`` (Unix seconds), change the state and schedule a refresh ``changes`` times."""
    time.sleep(max(0.0, start_at - time.time()))
    for number in range(changes):
        set_state(object_id, channel_id, message_id, f"{name} change {number}")
        schedule_refresh(KIND, object_id)
        time.sleep(0.02 + 0.01 * (number % 4))


@renderer(KIND, interval=INTERVAL_S)
def render_probe(object_id: int) -> Rendered | None:
    raw = get_redis().get(state_key(object_id))
    if raw is None:
        return None
    channel_id, message_id, content = json.loads(raw)
    return Rendered(channel_id, message_id, {"content": content})


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    object_id, channel_id, message_id, name, changes, start_at = sys.argv[1:7]
    make_changes(int(object_id), int(channel_id), int(message_id), name, int(changes), float(start_at))
    from django.db import connections

    connections.close_all()  # schedule_refresh asked whether a transaction is open
