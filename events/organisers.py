"""Who may organise in a guild: the organiser role, Discord's Manage Events, or a flag."""

from __future__ import annotations

from collections.abc import Iterable

from core.models import Guild, GuildMember

ADMINISTRATOR = 1 << 3
MANAGE_EVENTS = 1 << 33

REFUSAL = "Only organisers can do that: ask someone with the organiser role or Manage Events."


def is_organiser(*, permissions: int, role_ids: Iterable[int], organiser_role_id: int | None,
                 flagged: bool) -> bool:  # fmt: skip
    """The rule itself, over plain data (the gateway applies it before opening a modal)."""
    if permissions & (ADMINISTRATOR | MANAGE_EVENTS):
        return True
    if organiser_role_id is not None and organiser_role_id in {int(r) for r in role_ids}:
        return True
    return flagged


def may_organise(guild: Guild | None, member_id: int, role_ids: Iterable[int], permissions: int) -> bool:
    """True when the member may create, edit and cancel events and polls in ``guild``.

    ``role_ids`` and ``permissions`` come from the interaction payload, which Discord
    computes at the moment of the click, so a role removed a minute ago no longer counts.
    """
    flagged = (
        guild is not None
        and GuildMember.objects.filter(
            guild=guild, member_id=member_id, is_organiser=True, left_at__isnull=True
        ).exists()
    )
    return is_organiser(permissions=permissions, role_ids=role_ids, flagged=flagged,
                        organiser_role_id=guild.organiser_role_id if guild else None)  # fmt: skip
