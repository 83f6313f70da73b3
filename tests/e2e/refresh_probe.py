"""A renderer for the coalesced-refresh test: the message shows what Redis holds now.

The test process imports it and the worker loads it with ``--include``, as a domain's
``renderers.py`` is loaded by both.
"""

from __future__ import annotations

import json

from core.redis import get_redis
from core.refresh import Rendered, renderer

KIND = "refresh-probe"
INTERVAL_S = 0.3


def state_key(object_id: int) -> str:
    return f"test:{KIND}:{object_id}"


def set_state(object_id: int, channel_id: int, message_id: int, content: str) -> None:
    get_redis().set(state_key(object_id), json.dumps([channel_id, message_id, content]))


@renderer(KIND, interval=INTERVAL_S)
def render_probe(object_id: int) -> Rendered | None:
    raw = get_redis().get(state_key(object_id))
    if raw is None:
        return None
    channel_id, message_id, content = json.loads(raw)
    return Rendered(channel_id, message_id, {"content": content})
