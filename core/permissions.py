"""Who may organise in a guild: the one rule, for the gateway, workers and the web.

An organiser holds the guild's organiser role, Discord's Manage Events, Manage Server or
Administrator, or the *is organiser* flag on their membership. In Discord, role ids and
permissions come from the interaction, which Discord computes at the moment of the click,
so a role removed a minute ago no longer counts.

On the web (the admin, the dashboard) the same rule is applied on the server to what the
bot knows: the member's stored, current membership of a guild Muster is in, its role ids,
the guild's organiser role and the flag. The permission bits Discord's OAuth2
``/users/@me/guilds`` reported at login count only inside such a membership: what OAuth
says alone never grants anything. The answer is kept in the session at most
``RIGHTS_MAX_AGE_S`` (five minutes), then worked out again.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import discord
    from django.http import HttpRequest

    from core.interactions.values import Interaction
    from core.models import Guild

# The models are imported where they are read, so that the permission bits below can be
# used without Django (the sandbox seeding script gives its demo organiser MANAGE_EVENTS).

# Discord permission bits (https://discord.com/developers/docs/topics/permissions).
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_ROLES = 1 << 28
MANAGE_EVENTS = 1 << 33
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
CREATE_PRIVATE_THREADS = 1 << 36
SEND_MESSAGES_IN_THREADS = 1 << 38
CREATE_EVENTS = 1 << 44  # make scheduled events, and edit or delete the ones it made
ALL_PERMISSIONS = (1 << 53) - 1

# What the bot asks for when invited (README, "Setting up the Discord application"): View
# Channels, Send Messages, Embed Links, Read Message History, Manage Channels, Manage Roles,
# Manage Events and Create Events (mirrored scheduled events: Discord asks Create Events to make
# one, Manage Events to change any), and for event threads Manage Threads, Create
# Public and Private Threads and Send Messages in Threads. The one source of the number: the
# gateway's invite link and the dashboard's both read it.
BOT_PERMISSIONS = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | (1 << 14)
    | (1 << 16)
    | MANAGE_CHANNELS
    | MANAGE_ROLES
    | MANAGE_EVENTS
    | CREATE_EVENTS
    | MANAGE_THREADS
    | CREATE_PUBLIC_THREADS
    | CREATE_PRIVATE_THREADS
    | SEND_MESSAGES_IN_THREADS
)

# As Discord's settings name them, for sentences that tell an organiser what to grant.
PERMISSION_NAMES = {
    VIEW_CHANNEL: "View Channel",
    SEND_MESSAGES: "Send Messages",
    MANAGE_CHANNELS: "Manage Channels",
    MANAGE_ROLES: "Manage Roles",
    MANAGE_THREADS: "Manage Threads",
    CREATE_PUBLIC_THREADS: "Create Public Threads",
    CREATE_PRIVATE_THREADS: "Create Private Threads",
    SEND_MESSAGES_IN_THREADS: "Send Messages in Threads",
}


def permission_names(bits: int) -> str:
    """The permissions in ``bits`` as one phrase ("View Channel and Manage Roles")."""
    names = [name for bit, name in PERMISSION_NAMES.items() if bits & bit]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def bot_invite_url(application_id: int, guild_id: int | None = None) -> str:
    """The link that adds the bot and its commands, with exactly ``BOT_PERMISSIONS``."""
    url = (
        f"https://discord.com/oauth2/authorize?client_id={application_id}"
        f"&permissions={BOT_PERMISSIONS}&scope=bot%20applications.commands"
    )
    return url + (f"&guild_id={guild_id}&disable_guild_select=true" if guild_id else "")


def computed_permissions(guild: Mapping, member: Mapping, channel: Mapping | None = None) -> int:
    """A member's permissions as Discord computes them (its "Permissions" topic), over Discord's JSON.

    ``guild`` is a guild object (``id``, ``owner_id``, ``roles``), ``member`` a guild member
    (``user``, ``roles``), ``channel`` a channel with ``permission_overwrites`` (None: guild-wide).
    The owner and Administrator have everything; otherwise @everyone's and the member's roles'
    bits, then the channel's @everyone, role and member overwrites in that order.
    """
    guild_id = str(guild["id"])
    user_id = str((member.get("user") or {}).get("id", ""))
    if user_id and user_id == str(guild.get("owner_id")):
        return ALL_PERMISSIONS
    held = {str(role_id) for role_id in member.get("roles", [])}
    bits = 0
    for role in guild.get("roles", []):
        if str(role["id"]) == guild_id or str(role["id"]) in held:
            bits |= int(role["permissions"])
    if bits & ADMINISTRATOR:
        return ALL_PERMISSIONS
    if channel is None:
        return bits
    overwrites = {str(o["id"]): o for o in channel.get("permission_overwrites") or []}
    everyone = overwrites.get(guild_id)
    if everyone:
        bits = (bits & ~int(everyone["deny"])) | int(everyone["allow"])
    allow = deny = 0
    for role_id in held:
        overwrite = overwrites.get(role_id)
        if overwrite and int(overwrite.get("type", 0)) == 0:
            allow, deny = allow | int(overwrite["allow"]), deny | int(overwrite["deny"])
    bits = (bits & ~deny) | allow
    own = overwrites.get(user_id)
    if own and int(own.get("type", 1)) == 1:
        bits = (bits & ~int(own["deny"])) | int(own["allow"])
    return bits


def highest_role_position(guild: Mapping, member: Mapping) -> int:
    """The position of the member's highest role (0, @everyone's, when they hold none): a member
    may manage only roles strictly below it (Discord's role hierarchy)."""
    held = {str(role_id) for role_id in member.get("roles", [])}
    return max((int(r.get("position", 0)) for r in guild.get("roles", []) if str(r["id"]) in held), default=0)


REFUSAL = "Only organisers can do that: ask someone with the organiser role or Manage Events."


def is_organiser(*, permissions: int, role_ids: Iterable[int], organiser_role_id: int | None, flagged: bool) -> bool:
    """The rule itself, over plain data."""
    if permissions & (ADMINISTRATOR | MANAGE_GUILD | MANAGE_EVENTS):
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


# --- on the web: the guilds a logged-in Discord user organises -----------------------------

RIGHTS_MAX_AGE_S = 300
# Session keys, written at login (dashboard.discord_login) and read here.
SESSION_MEMBER_ID = "muster.member_id"  # the Discord user id the login proved
SESSION_DISCORD_PERMISSIONS = "muster.discord_permissions"  # {"at": epoch s, "guilds": {id: bits}}
SESSION_ORGANISED = "muster.organised"  # {"at": epoch s, "guild_ids": [...]}


def organised_guild_ids(member_id: int, discord_permissions: Mapping[int, int] | None = None) -> frozenset[int]:
    """The guilds ``member_id`` organises as the bot sees them (see the module docstring)."""
    from core.models import GuildMember

    bits = discord_permissions or {}
    memberships = (
        GuildMember.objects.filter(member_id=member_id, left_at__isnull=True, guild__active=True)
        .select_related("guild")
        .only("guild_id", "role_ids", "is_organiser", "guild__organiser_role_id")
    )
    return frozenset(
        membership.guild_id
        for membership in memberships
        if is_organiser(
            permissions=bits.get(membership.guild_id, 0),
            role_ids=membership.role_ids or (),
            organiser_role_id=membership.guild.organiser_role_id,
            flagged=membership.is_organiser,
        )
    )


def guilds_organised_by(request: HttpRequest) -> frozenset[int] | None:
    """The guilds the request's user may organise on the web; None for a superuser (all).

    Worked out from the database when the session's answer is missing or older than
    ``RIGHTS_MAX_AGE_S``; nobody logged in with Discord organises anything.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return frozenset()
    if user.is_superuser:
        return None
    session = request.session
    now = time.time()
    cached = session.get(SESSION_ORGANISED)
    if cached and 0 <= now - cached["at"] < RIGHTS_MAX_AGE_S:
        return frozenset(cached["guild_ids"])
    member_id = session.get(SESSION_MEMBER_ID)
    if member_id is None:
        found = frozenset()
    else:
        reported = (session.get(SESSION_DISCORD_PERMISSIONS) or {}).get("guilds", {})
        found = organised_guild_ids(int(member_id), {int(g): int(bits) for g, bits in reported.items()})
    session[SESSION_ORGANISED] = {"at": now, "guild_ids": sorted(found)}
    return found


def forget_organised(session) -> None:
    """Work the rights out afresh at the next request (a login, new permissions from Discord)."""
    session.pop(SESSION_ORGANISED, None)
