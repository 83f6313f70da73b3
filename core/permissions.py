"""Who may organise in a guild: the one rule, for the gateway and for workers.

An organiser holds the guild's organiser role, Discord's Manage Events (or Administrator),
or the *is organiser* flag on their membership. Role ids and permissions come from the
interaction, which Discord computes at the moment of the click, so a role removed a
minute ago no longer counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import discord

    from core.interactions.values import Interaction
    from core.models import Guild

# The models are imported where they are read, so that the permission bits below can be
# used without Django (the sandbox seeding script gives its demo organiser MANAGE_EVENTS).

# Discord permission bits (https://discord.com/developers/docs/topics/permissions).
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
MANAGE_ROLES = 1 << 28
MANAGE_EVENTS = 1 << 33

REFUSAL = "Only organisers can do that: ask someone with the organiser role or Manage Events."


def is_organiser(*, permissions: int, role_ids: Iterable[int], organiser_role_id: int | None, flagged: bool) -> bool:
    """The rule itself, over plain data."""
    if permissions & (ADMINISTRATOR | MANAGE_EVENTS):
        return True
    if organiser_role_id is not None and organiser_role_id in {int(r) for r in role_ids}:
        return True
    return flagged


def may_organise(guild: Guild | None, member_id: int, role_ids: Iterable[int], permissions: int) -> bool:
    """True when the member may create, edit and cancel events and polls in ``guild``."""
    from core.models import GuildMember

    flagged = (
        guild is not None
        and GuildMember.objects.filter(
            guild=guild, member_id=member_id, is_organiser=True, left_at__isnull=True
        ).exists()
    )
    organiser_role_id = guild.organiser_role_id if guild else None
    return is_organiser(
        permissions=permissions, role_ids=role_ids, organiser_role_id=organiser_role_id, flagged=flagged
    )


def organiser(interaction: Interaction) -> bool:
    """The ``allowed=`` check of organiser-only routes (worker side)."""
    from core.models import Guild

    guild = Guild.objects.filter(id=interaction.guild_id).first()
    actor = interaction.actor
    return may_organise(guild, actor.id, actor.role_ids, actor.permissions)


async def may_open(interaction: discord.Interaction) -> bool:
    """The same rule in the gateway, read with the async ORM (the gateway never writes).

    The gateway asks it before opening an organiser's form, which no worker can refuse.
    """
    from core.models import Guild, GuildMember

    guild = await Guild.objects.filter(id=interaction.guild_id).only("organiser_role_id").afirst()
    flagged = await GuildMember.objects.filter(
        guild_id=interaction.guild_id, member_id=interaction.user.id, is_organiser=True, left_at__isnull=True
    ).aexists()
    return is_organiser(
        permissions=interaction.permissions.value,
        # Member._roles holds the ids straight from the payload, even for an uncached guild.
        role_ids=[int(r) for r in getattr(interaction.user, "_roles", ())],
        organiser_role_id=guild.organiser_role_id if guild else None,
        flagged=flagged,
    )
