"""What a gateway command callback does: acknowledge at once, then hand on to a worker."""

from __future__ import annotations

import logging
import time
from collections import deque

import discord

from discord_gateway import payloads
from discord_gateway.publish import Outcome, publish

log = logging.getLogger(__name__)

# Discord takes the first answer within 3 s of the interaction. One older than this (half a
# second allowed for the network's jitter) can no longer be answered: in a backlog,
# acknowledging it would only cost the time the fresh ones need.
TOO_LATE_S = 3.5

UNAVAILABLE = "Muster cannot take requests right now. Please try again in a minute."
# When the broker failed while taking the request: it may still be carried out.
UNCONFIRMED = "Muster could not confirm your request. If nothing happens within a minute, please try again."


async def forward(interaction: discord.Interaction, *, ephemeral: bool = True) -> None:
    """Defer the interaction, then publish its payload for a worker.

    A command or modal gets a deferred response ("Muster is thinking…", private when
    ``ephemeral``); a button or select gets a deferred update of its message. Answering
    first keeps Discord's 3 s deadline whatever the broker does, and the worker can never
    edit a response that does not exist yet. If publishing fails the member is told so,
    privately, and only what is known: "cannot take requests" when the payload certainly
    never reached the broker, "could not confirm" when it may have.
    """
    if interaction.type == discord.InteractionType.application_command and too_late(interaction):
        return  # buttons, selects and forms are judged on arrival (client.GatewayEvents)
    kind = payloads.kind_of(interaction)
    try:
        await acknowledge(interaction, ephemeral=ephemeral)
    except discord.HTTPException as exc:
        log.warning("interaction %s could not be acknowledged: %s", interaction.id, exc)
        return
    payload = payloads.build(interaction, ephemeral=ephemeral, acked_at=time.time())
    outcome = await publish(payload)
    if outcome is not Outcome.PUBLISHED:
        await tell_unavailable(interaction, kind=kind, ephemeral=ephemeral, message=failure_message(outcome))


class Lateness:
    """How long after it was made an interaction reached the gateway, by Discord's clock.

    The age is this machine's clock less the time in the interaction's snowflake. A clock
    seconds ahead of Discord's would make every interaction look late and be dropped, so the
    smallest age seen in the last ``WINDOW_S`` (the network's delay plus that offset) is
    taken off first; only an offset ahead is (a clock behind makes ages look smaller, and
    fewer are dropped). With nothing seen in the window there is nothing to measure against,
    and the interaction counts as on time: so is one after a quiet spell, and a backlog that
    outlasts the window stops being recognised. Either way it is answered as before there
    was shedding (too late, Discord refuses it), never wrongly dropped.
    """

    WINDOW_S = 120.0

    def __init__(self) -> None:
        # (monotonic time, age), the ages increasing: the front is the window's smallest.
        self._freshest: deque[tuple[float, float]] = deque()

    def late_by(self, age: float, now: float) -> float:
        while self._freshest and self._freshest[0][0] < now - self.WINDOW_S:
            self._freshest.popleft()
        offset = max(0.0, self._freshest[0][1]) if self._freshest else age
        while self._freshest and self._freshest[-1][1] >= age:
            self._freshest.pop()
        self._freshest.append((now, age))
        return age - offset


LATENESS = Lateness()


def too_late(interaction: discord.Interaction) -> bool:
    """True, with a warning, when Discord can no longer take an answer to the interaction.

    Discord has then shown the member "This interaction failed"; nothing is sent or published.
    """
    age = time.time() - interaction.created_at.timestamp()
    late = LATENESS.late_by(age, time.monotonic())
    if late <= TOO_LATE_S:
        return False
    log.warning(
        "interaction %s reached Muster %.1f s after it was made: too late to answer (Discord waits 3 s), dropped",
        interaction.id,
        late,
    )
    return True


async def acknowledge(interaction: discord.Interaction, *, ephemeral: bool) -> None:
    """The deferral: of the message for a button or select, else "thinking…" (private when ``ephemeral``)."""
    if payloads.kind_of(interaction) == "component":
        await interaction.response.defer()
    else:
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)


def failure_message(outcome: Outcome) -> str:
    """What the member is told when their interaction was not confirmed published."""
    return UNAVAILABLE if outcome is Outcome.UNPUBLISHED else UNCONFIRMED


async def tell_unavailable(
    interaction: discord.Interaction, *, kind: str | None, ephemeral: bool, message: str
) -> None:
    """Replace the deferred answer by a private "try again" message."""
    try:
        if kind != "component" and ephemeral:
            await interaction.edit_original_response(content=message)
            return
        if kind != "component":
            await interaction.delete_original_response()
        await interaction.followup.send(message, ephemeral=True)
    except discord.HTTPException as exc:
        log.warning("interaction %s: could not report the broker outage: %s", interaction.id, exc)
