"""The organiser flag of a membership: the one organiser right Muster itself stores.

Organising a guild comes from any of three sources (``core.permissions.is_organiser``):
Discord's Administrator, Manage Server or Manage Events permission, the guild's organiser
role, or this flag. So the flag adds a right where Discord gives none, and removing it takes
away only what the flag gave. The admin's change form and the dashboard's Members page both
change it through here, so the same rules hold in both.
"""

from __future__ import annotations

from core.errors import RuleError
from core.models import GuildMember


def holds_organiser_role(membership: GuildMember) -> bool:
    role_id = membership.guild.organiser_role_id
    return role_id is not None and role_id in {int(r) for r in membership.role_ids or ()}


def check_organiser_flag(membership: GuildMember, flagged: bool, *, actor_member_id: int | None) -> None:
    """Refuse a change of the flag that would not do what the organiser expects."""
    if flagged and membership.left_at is not None:
        raise RuleError("They have left the server: flag them once they are back.")
    if flagged or not membership.is_organiser:
        return
    if holds_organiser_role(membership):
        # Removing the flag would change nothing they can do: say where their right comes from.
        raise RuleError(
            "They organise through the server's organiser role, not only the flag: "
            "take the role away in Discord to remove their rights."
        )
    if actor_member_id is not None and membership.member_id == actor_member_id:
        raise RuleError("You cannot remove your own organiser flag; ask another organiser to.")


def set_organiser_flag(membership: GuildMember, flagged: bool, *, actor_member_id: int | None) -> bool:
    """Flag or unflag the membership as an organiser's; False when it already was so."""
    if membership.is_organiser == flagged:
        return False
    check_organiser_flag(membership, flagged, actor_member_id=actor_member_id)
    updated = GuildMember.objects.filter(pk=membership.pk, is_organiser=not flagged).update(is_organiser=flagged)
    membership.is_organiser = flagged
    return bool(updated)
