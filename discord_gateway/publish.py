"""Handing an interaction's payload to the broker without blocking the gateway's loop."""

from __future__ import annotations

import asyncio
import logging

log = logging.getLogger(__name__)

# Discord's deadline is 3 s from the interaction; the answer is sent before publishing,
# and the member must learn of a broken broker well inside a few seconds.
PUBLISH_TIMEOUT_S = 1.5
RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def _send(payload: dict) -> None:
    from discord_gateway.tasks import handle_interaction

    handle_interaction.apply_async((payload,), retry=True, retry_policy=RETRY_POLICY)


async def publish(payload: dict) -> bool:
    """Publish to the ``interactions`` queue from a thread; False when the broker failed."""
    try:
        await asyncio.wait_for(asyncio.to_thread(_send, payload), PUBLISH_TIMEOUT_S)
    except Exception as exc:
        log.error("interaction %s not published: %s", payload.get("id"), type(exc).__name__)
        return False
    return True
