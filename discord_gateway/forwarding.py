"""What a gateway command callback does: acknowledge at once, then hand on to a worker."""

from __future__ import annotations

import logging
import time

import discord

from discord_gateway import payloads
from discord_gateway.publish import Outcome, publish

log = logging.getLogger(__name__)

# Discord takes the first answer within 3 s of the interaction. One older than this by this
# machine's clock (half a second allowed for the difference from Discord's) can no longer be
# answered: in a backlog, acknowledging it would only cost the time the fresh ones need.
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
    if too_late(interaction):
        return
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


def too_late(interaction: discord.Interaction) -> bool:
    """True, with a warning, when Discord can no longer take an answer to the interaction.

    Discord has then shown the member "This interaction failed"; nothing is sent or published.
    """
    age = time.time() - interaction.created_at.timestamp()
    if age <= TOO_LATE_S:
        return False
    log.warning(
        "interaction %s reached Muster %.1f s after it was made: too late to answer (Discord waits 3 s), dropped",
        interaction.id,
        age,
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
