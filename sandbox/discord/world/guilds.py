"""Guilds, channels, roles, members and users, with their gateway events."""

from __future__ import annotations

from .. import payloads, permissions
from ..clock import iso_now
from ..gateway import intents as I
from ..models import GUILD_CATEGORY, GUILD_TEXT, Channel, Guild, Member, Role, User
from . import threads


def create_user(state, username: str, *, user_id: int | None = None, dms_open: bool = True, **fields) -> User:
    """A Discord user (not yet in any guild)."""
    user = User(user_id or state.ids.next(), username, dms_open=dms_open, **fields)
    state.users[user.id] = user
    state.changed()
    return user


def create_guild(
    state,
    name: str,
    *,
    guild_id: int | None = None,
    owner_id: int | None = None,
    with_bot: bool = True,
    channels: list[str] | tuple[str, ...] = ("general",),
    everyone_permissions: int = permissions.DEFAULT_EVERYONE,
    bot_permissions: int = permissions.DEFAULT_BOT,
) -> Guild:
    """A guild with @everyone, an owner, text channels, and (by default) the bot in it."""
    gid = guild_id or state.ids.next()
    if owner_id is None:
        owner_id = create_user(state, f"{name.lower().replace(' ', '-')}-owner").id
    guild = Guild(gid, name, owner_id)
    guild.roles[gid] = Role(gid, gid, "@everyone", everyone_permissions)
    guild.members[owner_id] = Member(gid, owner_id)
    state.guilds[gid] = guild
    for channel_name in channels:
        channel = Channel(state.ids.next(), GUILD_TEXT, gid, channel_name, position=len(guild.channel_ids))
        state.channels[channel.id] = channel
        guild.channel_ids.append(channel.id)
    guild.bot_permissions = bot_permissions
    if with_bot:
        add_bot(state, guild, bot_permissions)
    state.changed()
    return guild


def add_bot(state, guild: Guild, bot_permissions: int | None = None) -> None:
    """The bot joins (is invited to) ``guild``: its managed role, its member, GUILD_CREATE."""
    if guild.has_bot:
        return
    perms = bot_permissions if bot_permissions is not None else guild.bot_permissions
    role = Role(state.ids.next(), guild.id, state.bot.username, perms, managed=True, bot_id=state.bot.id)
    role.position = 1
    guild.roles[role.id] = role
    guild.members[state.bot.id] = Member(guild.id, state.bot.id, roles=[role.id])
    guild.bot_joined_at = iso_now()
    state.hub.dispatch(
        "GUILD_CREATE",
        lambda intents: state.guild_create_payload(guild, intents, joined=True),
        guild_id=guild.id,
        intent=I.GUILDS,
    )
    state.changed()


def remove_bot(state, guild: Guild) -> None:
    """The bot is kicked from ``guild``: GUILD_DELETE without ``unavailable``."""
    if not guild.has_bot:
        return
    state.hub.dispatch("GUILD_DELETE", {"id": str(guild.id)}, guild_id=guild.id, intent=I.GUILDS)
    guild.members.pop(state.bot.id, None)
    for role_id in [r.id for r in guild.roles.values() if r.bot_id == state.bot.id]:
        del guild.roles[role_id]
    guild.bot_joined_at = None
    state.changed()


def _guild_event(state, guild: Guild, event: str, data: dict, intent: int) -> None:
    if guild.has_bot:
        state.hub.dispatch(event, data, guild_id=guild.id, intent=intent)
    state.changed()


def stored_overwrites(overwrites: list[dict]) -> list[dict]:
    """Overwrites as ``ChannelPermissionOverwriteResponse`` has them: ids and bit sets as strings,
    whatever number types the request used (discord.py sends ``allow``/``deny`` as integers).
    """
    return [
        {
            "id": str(o["id"]),
            "type": int(o.get("type") or 0),
            "allow": str(o.get("allow") or 0),
            "deny": str(o.get("deny") or 0),
        }
        for o in overwrites
    ]


def create_channel(state, guild: Guild, name: str, *, type: int = GUILD_TEXT, **fields) -> Channel:
    """A guild channel; CHANNEL_CREATE."""
    if "permission_overwrites" in fields:
        fields["permission_overwrites"] = stored_overwrites(fields["permission_overwrites"] or [])
    channel = Channel(state.ids.next(), type, guild.id, name, position=len(guild.channel_ids), **fields)
    state.channels[channel.id] = channel
    guild.channel_ids.append(channel.id)
    _guild_event(state, guild, "CHANNEL_CREATE", payloads.channel(channel), I.GUILDS)
    return channel


def update_channel(state, channel: Channel, **fields) -> Channel:
    """Change a guild channel's fields; CHANNEL_UPDATE."""
    if "permission_overwrites" in fields:
        fields["permission_overwrites"] = stored_overwrites(fields["permission_overwrites"] or [])
    for key, value in fields.items():
        setattr(channel, key, value)
    _guild_event(state, state.guilds[channel.guild_id], "CHANNEL_UPDATE", payloads.channel(channel), I.GUILDS)
    return channel


def delete_channel(state, channel: Channel) -> None:
    """Delete a guild channel; CHANNEL_DELETE. Its threads go with it; a category's channels
    stay, outside any category (CHANNEL_UPDATE each), as on Discord.
    """
    guild = state.guilds[channel.guild_id]
    guild.channel_ids.remove(channel.id)
    del state.channels[channel.id]
    for thread in threads.threads_of(state, channel.id):
        del state.channels[thread.id]
    _guild_event(state, guild, "CHANNEL_DELETE", payloads.channel(channel), I.GUILDS)
    if channel.type == GUILD_CATEGORY:
        for child_id in guild.channel_ids:
            if state.channels[child_id].parent_id == channel.id:
                update_channel(state, state.channels[child_id], parent_id=None)


def set_overwrite(state, channel: Channel, overwrite: dict) -> Channel:
    """Add or replace one permission overwrite (by id); CHANNEL_UPDATE."""
    kept = [o for o in channel.permission_overwrites if o["id"] != str(overwrite["id"])]
    return update_channel(state, channel, permission_overwrites=[*kept, overwrite])


def delete_overwrite(state, channel: Channel, overwrite_id: int) -> Channel:
    """Drop the overwrite for a role or member; CHANNEL_UPDATE."""
    kept = [o for o in channel.permission_overwrites if o["id"] != str(overwrite_id)]
    return update_channel(state, channel, permission_overwrites=kept)


def create_role(state, guild: Guild, name: str, *, permissions: int = 0, **fields) -> Role:
    """A role below the bot's; GUILD_ROLE_CREATE."""
    role = Role(state.ids.next(), guild.id, name, permissions, position=1, **fields)
    for other in guild.roles.values():
        if other.id != guild.id:
            other.position += 1
    guild.roles[role.id] = role
    _guild_event(state, guild, "GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": payloads.role(role)}, I.GUILDS)
    return role


def update_role(state, guild: Guild, role: Role, **fields) -> Role:
    """Change a role; GUILD_ROLE_UPDATE."""
    for key, value in fields.items():
        setattr(role, key, value)
    _guild_event(state, guild, "GUILD_ROLE_UPDATE", {"guild_id": str(guild.id), "role": payloads.role(role)}, I.GUILDS)
    return role


def delete_role(state, guild: Guild, role: Role) -> None:
    """Delete a role and take it off every member; GUILD_ROLE_DELETE."""
    del guild.roles[role.id]
    for member in guild.members.values():
        if role.id in member.roles:
            member.roles.remove(role.id)
    data = {"guild_id": str(guild.id), "role_id": str(role.id)}
    _guild_event(state, guild, "GUILD_ROLE_DELETE", data, I.GUILDS)


def add_member(state, guild: Guild, user: User, *, roles: list[int] = (), nick: str | None = None) -> Member:
    """``user`` joins ``guild``; GUILD_MEMBER_ADD (needs GUILD_MEMBERS)."""
    member = Member(guild.id, user.id, roles=list(roles), nick=nick)
    guild.members[user.id] = member
    data = {**payloads.member(member, state.users), "guild_id": str(guild.id)}
    _guild_event(state, guild, "GUILD_MEMBER_ADD", data, I.GUILD_MEMBERS)
    return member


def update_member(state, guild: Guild, member: Member, **fields) -> Member:
    """Change a member's roles or nick; GUILD_MEMBER_UPDATE."""
    for key, value in fields.items():
        setattr(member, key, value)
    data = {**payloads.member(member, state.users), "guild_id": str(guild.id)}
    _guild_event(state, guild, "GUILD_MEMBER_UPDATE", data, I.GUILD_MEMBERS)
    return member


def remove_member(state, guild: Guild, member: Member) -> None:
    """The member leaves or is kicked (and leaves the guild's threads); GUILD_MEMBER_REMOVE."""
    threads.remove_from_threads(state, guild.id, member.user_id)
    del guild.members[member.user_id]
    data = {"guild_id": str(guild.id), "user": payloads.user(state.users[member.user_id])}
    _guild_event(state, guild, "GUILD_MEMBER_REMOVE", data, I.GUILD_MEMBERS)
