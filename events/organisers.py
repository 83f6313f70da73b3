"""Who may organise in a guild: the organiser role, Discord's Manage Events, or a flag."""

from __future__ import annotations

from collections.abc import Iterable

from core.models import Guild, GuildMember

ADMINISTRATOR = 1 << 3
MANAGE_EVENTS = 1 << 33

REFUSAL = "Only organisers can do that: ask someone with the organiser role or Manage Events."


def may_organise(guild: Guild, member_id: int, role_ids: Iterable[int], permissions: int) -> bool:
    """True when the member may create, edit and cancel events and polls in ``guild``.

    ``role_ids`` and ``permissions`` come from the interaction payload, which Discord
    computes at the moment of the click, so a role removed a minute ago no longer counts.
    """
    if permissions & (ADMINISTRATOR | MANAGE_EVENTS):
        return True
    if guild.organiser_role_id is not None and guild.organiser_role_id in {int(r) for r in role_ids}:
        return True
    return GuildMember.objects.filter(
        guild=guild, member_id=member_id, is_organiser=True, left_at__isnull=True
    ).exists()
