"""Keeping Guild, Member and GuildMember in step with Discord.

The gateway turns guild and member events into tasks (``core.tasks.sync_*``) that call
these functions with plain data; the dispatcher records whoever uses an interaction.

Workers run those tasks in any order, so each event carries ``seen_ns``, the gateway's
stamp of when it arrived, and a row ignores an event older than the newest it applied
(a late "joined" must not bring back a member who left).
"""

from __future__ import annotations

import time

from django.db import transaction
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone

from core import hooks
from core.models import Guild, GuildMember, Member

# What record_actor last found or wrote per (guild, member), and when (time.monotonic()).
# Process-local and short-lived: another process's change (a leave, a rename) reaches this
# process within RECORDED_FOR_S; this process's own changes forget the entry at once.
RECORDED_FOR_S = 30.0
RECORDED_MAX = 10_000
_recorded: dict[tuple[int | None, int], tuple[tuple, float]] = {}


def forget_recorded(guild_id: int | None, member_id: int | None = None) -> None:
    """Drop what record_actor remembers of a member (or of every member of a guild)."""
    if member_id is not None:
        _recorded.pop((guild_id, member_id), None)
        return
    for key in [key for key in _recorded if key[0] == guild_id]:
        _recorded.pop(key, None)


def guild_joined(guild_id: int, name: str, *, seen_ns: int | None = None) -> Guild:
    """The bot is in ``guild_id`` (joined, or seen again at start-up)."""
    forget_recorded(guild_id)
    with transaction.atomic():
        guild, _ = Guild.objects.select_for_update().get_or_create(id=guild_id, defaults={"name": name[:100]})
        if not _is_stale(guild, seen_ns):
            guild.name, guild.active, guild.left_at = name[:100], True, None
            _stamp(guild, seen_ns)
            guild.save(update_fields=["name", "active", "left_at", "synced_ns", "updated_at"])
    return guild


def guild_left(guild_id: int, *, seen_ns: int | None = None, name: str = "") -> None:
    """The bot left or was removed: stop treating the guild as active; its data is deleted
    GUILD_DATA_GRACE_DAYS later unless the bot is added back (core.retention)."""
    forget_recorded(guild_id)
    with transaction.atomic():
        guild = Guild.objects.select_for_update().filter(id=guild_id).first()
        if guild is None and seen_ns is not None:
            # The leave overtook the join: keep a row, so the late join is seen as older.
            guild, _ = Guild.objects.select_for_update().get_or_create(
                id=guild_id, defaults={"name": name[:100] or str(guild_id)}
            )
        if guild is None or _is_stale(guild, seen_ns):
            return
        guild.active = False
        guild.left_at = guild.left_at or timezone.now()
        _stamp(guild, seen_ns)
        guild.save(update_fields=["active", "left_at", "synced_ns", "updated_at"])


def _is_stale(row: Guild | GuildMember, seen_ns: int | None) -> bool:
    """Whether an event is older than the newest applied to ``row`` (unstamped ones never are)."""
    return seen_ns is not None and seen_ns <= row.synced_ns


def _stamp(row: Guild | GuildMember, seen_ns: int | None) -> None:
    if seen_ns is not None:
        row.synced_ns = seen_ns


def member_seen(guild_id: int | None, user: dict, *, seen_ns: int | None = None) -> None:
    """Record a member as Discord describes them now.

    ``user``: id, username, display_name, nick, roles (ids). Without ``guild_id`` (a DM)
    only the Member row is updated.
    """
    forget_recorded(guild_id, int(user["id"]))
    with transaction.atomic():
        if guild_id is None:
            Member.objects.update_or_create(id=int(user["id"]), defaults=_member_fields(user))
            return
        membership = _lock_membership(guild_id, int(user["id"]), _member_fields(user))
        if seen_ns is not None and seen_ns <= membership.profile_ns:
            return  # a newer update of the names and roles was applied already
        member = membership.member
        for name, value in _member_fields(user).items():
            setattr(member, name, value)
        member.save(update_fields=[*_member_fields(user), "updated_at"])
        fields = _membership_fields(user)
        if _is_stale(membership, seen_ns):
            # Older than the leave applied last (workers take tasks in any order): its names
            # and roles are still the newest known, but it does not reopen the membership.
            del fields["left_at"]
        else:
            _stamp(membership, seen_ns)
        for name, value in fields.items():
            setattr(membership, name, value)
        if seen_ns is not None:
            membership.profile_ns = seen_ns
        membership.save(update_fields=[*fields, "synced_ns", "profile_ns"])


def _lock_membership(guild_id: int, user_id: int, member_defaults: dict) -> GuildMember:
    """The membership row, created if need be, locked until the transaction ends."""
    Member.objects.get_or_create(id=user_id, defaults=member_defaults)
    Guild.objects.get_or_create(id=guild_id, defaults={"name": str(guild_id)})
    membership, _ = (
        GuildMember.objects.select_for_update(of=("self",))
        .select_related("member")
        .get_or_create(guild_id=guild_id, member_id=user_id)
    )
    return membership


def _member_fields(user: dict) -> dict:
    return {"username": user.get("username", "")[:32], "display_name": (user.get("display_name") or "")[:100]}


def _membership_fields(user: dict) -> dict:
    return {
        "nickname": (user.get("nick") or "")[:32],
        "role_ids": sorted(int(r) for r in user.get("roles", ())),
        "left_at": None,
    }


def member_left(guild_id: int, user_id: int, *, seen_ns: int | None = None, username: str = "") -> None:
    """A member left the guild (or was kicked). A leave that overtook the member's join
    leaves a closed membership behind, so the late join is seen as older and ignored.
    """
    forget_recorded(guild_id, user_id)
    with transaction.atomic():
        if seen_ns is None:
            membership = GuildMember.objects.select_for_update().filter(guild_id=guild_id, member_id=user_id).first()
        else:
            membership = _lock_membership(guild_id, user_id, {"username": username[:32]})
        if membership is None or _is_stale(membership, seen_ns):
            return
        leaving = membership.left_at is None
        if leaving:
            membership.left_at = timezone.now()
        _stamp(membership, seen_ns)
        membership.save(update_fields=["left_at", "synced_ns"])
        if leaving:
            hooks.member_left.call(guild_id=guild_id, member_id=user_id)


def role_deleted(guild_id: int, role_id: int) -> None:
    """Forget a deleted role on every membership, and as the guild's organiser role."""
    forget_recorded(guild_id)
    with transaction.atomic():
        Guild.objects.filter(id=guild_id, organiser_role_id=role_id).update(organiser_role_id=None)
        # JSON containment (role_ids__contains) exists on PostgreSQL only; the role id as
        # text narrows the rows on every database, and the exact test is made here.
        memberships = (
            GuildMember.objects.select_for_update()
            .annotate(roles_text=Cast("role_ids", TextField()))
            .filter(guild_id=guild_id, roles_text__contains=str(role_id))
        )
        for membership in memberships:
            if role_id in membership.role_ids:
                membership.role_ids = [r for r in membership.role_ids if r != role_id]
                membership.save(update_fields=["role_ids"])


def record_actor(interaction) -> None:
    """Record the guild and member behind an interaction (names as the payload gives them).

    Almost every interaction comes from someone already recorded exactly so: what this
    process found or wrote in the last ``RECORDED_FOR_S`` seconds decides that without a
    query, else one read does, and rows are written (and locked) only when something
    changed. A
    membership closed by a leave is reopened only by an interaction created after the leave
    (the member is back, and their join event was missed); one created before it (handled
    late) leaves it closed.
    """
    actor = interaction.actor
    user = {
        "id": actor.id,
        "username": actor.username,
        "display_name": actor.display_name,
        "nick": actor.nick,
        "roles": actor.role_ids,
    }
    guild_name = interaction.guild_name[:100]
    key = (interaction.guild_id, actor.id)
    seen = (guild_name, actor.username, actor.display_name, actor.nick, tuple(sorted(actor.role_ids)))
    remembered = _recorded.get(key)
    if remembered is not None and remembered[0] == seen and time.monotonic() - remembered[1] < RECORDED_FOR_S:
        return
    if _recorded_as(interaction.guild_id, guild_name, user):
        _remember(key, seen)
        return
    if interaction.guild_id is not None and guild_name:
        Guild.objects.update_or_create(id=interaction.guild_id, defaults={"name": guild_name})
    closed = GuildMember.objects.filter(guild_id=interaction.guild_id, member_id=actor.id, left_at__isnull=False)
    leave = closed.values("left_at", "synced_ns").first()
    if leave is not None and _predates(interaction, leave):
        # Used before the member left, handled after the leave: it must not undo the leave.
        Member.objects.update_or_create(id=actor.id, defaults=_member_fields(user))
        return
    member_seen(interaction.guild_id, user)
    _remember(key, seen)


def _remember(key: tuple[int | None, int], seen: tuple) -> None:
    if len(_recorded) >= RECORDED_MAX:
        _recorded.clear()  # a crude bound: a busy process re-reads its active members once
    _recorded[key] = (seen, time.monotonic())


def _predates(interaction, leave: dict) -> bool:
    """Whether the interaction was created before the leave (Discord's time against the
    gateway's stamp of the leave); one of unknown age counts as older."""
    left_ns = leave["synced_ns"] or int(leave["left_at"].timestamp() * 1_000_000_000)
    return not interaction.created_at or interaction.created_at * 1_000_000_000 <= left_ns


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
