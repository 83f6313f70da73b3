"""What a gateway command callback does: acknowledge at once, then hand on to a worker."""

from __future__ import annotations

import logging
import time

import discord

from discord_gateway import payloads
from discord_gateway.publish import publish

log = logging.getLogger(__name__)

UNAVAILABLE = "Muster cannot take requests right now. Please try again in a minute."


async def forward(interaction: discord.Interaction, *, ephemeral: bool = True) -> None:
    """Defer the interaction, then publish its payload for a worker.

    A command or modal gets a deferred response ("Muster is thinking…", private when
    ``ephemeral``); a button or select gets a deferred update of its message. Answering
    first keeps Discord's 3 s deadline whatever the broker does, and the worker can never
    edit a response that does not exist yet. If publishing fails the member is told so,
    privately.
    """
    kind = payloads.kind_of(interaction)
    try:
        if kind == "component":
            await interaction.response.defer()
        else:
            await interaction.response.defer(ephemeral=ephemeral, thinking=True)
    except discord.HTTPException as exc:
        log.warning("interaction %s could not be acknowledged: %s", interaction.id, exc)
        return
    payload = payloads.build(interaction, ephemeral=ephemeral, acked_at=time.time())
    if not await publish(payload):
        await tell_unavailable(interaction, kind=kind, ephemeral=ephemeral)


async def tell_unavailable(interaction: discord.Interaction, *, kind: str | None, ephemeral: bool) -> None:
    """Replace the deferred answer by a private "try again" message."""
    try:
        if kind != "component" and ephemeral:
            await interaction.edit_original_response(content=UNAVAILABLE)
            return
        if kind != "component":
            await interaction.delete_original_response()
        await interaction.followup.send(UNAVAILABLE, ephemeral=True)
    except discord.HTTPException as exc:
        log.warning("interaction %s: could not report the broker outage: %s", interaction.id, exc)
