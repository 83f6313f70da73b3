"""What /muster shows."""

from __future__ import annotations

import time

from core.interactions import CustomId, Interaction
from core.interactions.components import button, row

PING_AGAIN = CustomId("muster:ping")


def pong(interaction: Interaction) -> str:
    """How long the gateway took to answer Discord, and the whole trip so far."""
    ack_ms = max(0, round((interaction.acked_at - interaction.created_at) * 1000))
    e2e_ms = max(0, round((time.time() - interaction.created_at) * 1000))
    return f"Pong! Gateway answered Discord in {ack_ms} ms; end to end {e2e_ms} ms."


def ping_components() -> list[dict]:
    return [row(button("Ping again", PING_AGAIN.build()))]


def help_text(commands: list[tuple[str, str]]) -> str:
    lines = [f"`/{path}` — {description}" for path, description in commands]
    return "**Commands you can use**\n" + "\n".join(lines)
