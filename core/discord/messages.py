"""What /muster shows."""

from __future__ import annotations

import time

from core.interactions import CustomId, Interaction
from core.interactions.components import button, row

PING_AGAIN = CustomId("muster:ping")
# No member id in these: whoever clicks acts on their own data only.
DOWNLOAD = CustomId("muster:download")
FORGET_ME = CustomId("muster:forget")
FORGET_CONFIRM = CustomId("muster:forget_confirm")
FORGET_CANCEL = CustomId("muster:forget_cancel")


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


def privacy_summary(rows: list[tuple[str, int]]) -> str:
    """What /muster privacy shows: each kind of row Muster holds about the member, with its count."""
    if not rows:
        return "Muster stores nothing about you beyond your Discord id."
    lines = [f"- {title}: {count}" for title, count in rows]
    return "**What Muster stores about you**\n" + "\n".join(lines)


def privacy_components() -> list[dict]:
    return [
        row(
            button("Download", DOWNLOAD.build(), style="primary"),
            button("Forget me", FORGET_ME.build(), style="danger"),
        )
    ]


FORGET_WARNING = (
    "Forget me deletes your registrations, votes in polls that show voters, rides, rooms, Jira links, "
    "calendar links and messages, and clears your name from Muster in every server. Votes in closed polls "
    "stay counted without your name. This cannot be undone."
)


def forget_confirm_components() -> list[dict]:
    return [
        row(
            button("Confirm: forget me", FORGET_CONFIRM.build(), style="danger"),
            button("Cancel", FORGET_CANCEL.build()),
        )
    ]


def forgotten(rows: list[tuple[str, int]]) -> str:
    """What Forget me changed."""
    if not rows:
        return "Muster had nothing more to forget about you."
    lines = [f"- {title}: {count}" for title, count in rows]
    return "**Forgotten** (deleted, or kept without your name where a count needs it)\n" + "\n".join(lines)
