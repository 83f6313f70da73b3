"""Keeping Guild, Member and GuildMember in step with Discord.

The gateway turns guild and member events into tasks (``core.tasks.sync_*``) that call
these functions with plain data; the dispatcher records whoever uses an interaction.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from core.models import Guild, GuildMember, Member


def guild_joined(guild_id: int, name: str) -> Guild:
    """The bot is in ``guild_id`` (joined, or seen again at start-up)."""
    guild, _ = Guild.objects.update_or_create(id=guild_id, defaults={"name": name[:100], "active": True})
    return guild


def guild_left(guild_id: int) -> None:
    """The bot left or was removed: keep the data, stop treating the guild as active."""
    Guild.objects.filter(id=guild_id).update(active=False, updated_at=timezone.now())


def member_seen(guild_id: int | None, user: dict) -> None:
    """Record a member as Discord describes them now.

    ``user``: id, username, display_name, nick, roles (ids). Without ``guild_id`` (a DM)
    only the Member row is updated.
    """
    with transaction.atomic():
        member, _ = Member.objects.update_or_create(id=int(user["id"]), defaults=_member_fields(user))
        if guild_id is None:
            return
        Guild.objects.get_or_create(id=guild_id, defaults={"name": str(guild_id)})
        GuildMember.objects.update_or_create(guild_id=guild_id, member=member, defaults=_membership_fields(user))


def _member_fields(user: dict) -> dict:
    return {"username": user.get("username", "")[:32], "display_name": (user.get("display_name") or "")[:100]}


def _membership_fields(user: dict) -> dict:
    return {
        "nickname": (user.get("nick") or "")[:32],
        "role_ids": sorted(int(r) for r in user.get("roles", ())),
        "left_at": None,
    }


def member_left(guild_id: int, user_id: int) -> None:
    GuildMember.objects.filter(guild_id=guild_id, member_id=user_id, left_at__isnull=True).update(
        left_at=timezone.now()
    )


def role_deleted(guild_id: int, role_id: int) -> None:
    """Forget a deleted role on every membership, and as the guild's organiser role."""
    with transaction.atomic():
        Guild.objects.filter(id=guild_id, organiser_role_id=role_id).update(organiser_role_id=None)
        memberships = GuildMember.objects.select_for_update().filter(guild_id=guild_id, role_ids__contains=[role_id])
        for membership in memberships:
            membership.role_ids = [r for r in membership.role_ids if r != role_id]
            membership.save(update_fields=["role_ids"])


def record_actor(interaction) -> None:
    """Record the guild and member behind an interaction (names as the payload gives them).

    Almost every interaction comes from someone already recorded exactly so: one read
    decides that, and rows are written (and locked) only when something changed.
    """
    actor = interaction.actor
    user = {"id": actor.id, "username": actor.username, "display_name": actor.display_name, "nick": actor.nick,
            "roles": actor.role_ids}  # fmt: skip
    guild_name = interaction.guild_name[:100]
    if _recorded_as(interaction.guild_id, guild_name, user):
        return
    if interaction.guild_id is not None and guild_name:
        Guild.objects.update_or_create(id=interaction.guild_id, defaults={"name": guild_name})
    member_seen(interaction.guild_id, user)


def _recorded_as(guild_id: int | None, guild_name: str, user: dict) -> bool:
    """Whether the database already holds what ``member_seen`` (and the guild's name) would write."""
    if guild_id is None:
        return Member.objects.filter(id=int(user["id"]), **_member_fields(user)).exists()
    membership = _membership_fields(user)
    memberships = GuildMember.objects.filter(
        guild_id=guild_id,
        member_id=int(user["id"]),
        nickname=membership["nickname"],
        role_ids=membership["role_ids"],
        left_at__isnull=True,
        **{f"member__{name}": value for name, value in _member_fields(user).items()},
    )
    if guild_name:
        memberships = memberships.filter(guild__name=guild_name)
    return memberships.exists()
