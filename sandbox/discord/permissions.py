"""Permission bits and the computation Discord documents (base from roles, then overwrites)."""

from __future__ import annotations

CREATE_INSTANT_INVITE = 1 << 0
KICK_MEMBERS = 1 << 1
BAN_MEMBERS = 1 << 2
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_EXTERNAL_EMOJIS = 1 << 18
CHANGE_NICKNAME = 1 << 26
MANAGE_NICKNAMES = 1 << 27
MANAGE_ROLES = 1 << 28
USE_APPLICATION_COMMANDS = 1 << 31
MANAGE_EVENTS = 1 << 33
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
CREATE_PRIVATE_THREADS = 1 << 36
SEND_MESSAGES_IN_THREADS = 1 << 38
CREATE_EVENTS = 1 << 44
ALL = (1 << 53) - 1

# What a fresh guild's @everyone can do in the sandbox: read, talk, use commands.
DEFAULT_EVERYONE = (
    CREATE_INSTANT_INVITE
    | ADD_REACTIONS
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | MENTION_EVERYONE
    | USE_EXTERNAL_EMOJIS
    | CHANGE_NICKNAME
    | USE_APPLICATION_COMMANDS
    | SEND_MESSAGES_IN_THREADS
)
# The bot's managed role unless a test says otherwise: what a typical invite link grants,
# with what issue 18's event threads and native events need.
DEFAULT_BOT = (
    DEFAULT_EVERYONE
    | MANAGE_ROLES
    | MANAGE_CHANNELS
    | MANAGE_MESSAGES
    | CREATE_PUBLIC_THREADS
    | CREATE_PRIVATE_THREADS
    | MANAGE_THREADS
    | CREATE_EVENTS
    | MANAGE_EVENTS
)


def base_permissions(guild, member) -> int:
    """Guild-level permissions of ``member`` (owner and administrators get everything)."""
    if member.user_id == guild.owner_id:
        return ALL
    perms = guild.roles[guild.id].permissions
    for role_id in member.roles:
        role = guild.roles.get(role_id)
        if role is not None:
            perms |= role.permissions
    if perms & ADMINISTRATOR:
        return ALL
    return perms


def channel_permissions(guild, member, channel) -> int:
    """Permissions of ``member`` in ``channel``: @everyone, role, then member overwrites."""
    perms = base_permissions(guild, member)
    if perms == ALL or channel is None:
        return perms
    overwrites = {int(o["id"]): o for o in channel.permission_overwrites}
    everyone = overwrites.get(guild.id)
    if everyone:
        perms = (perms & ~int(everyone["deny"])) | int(everyone["allow"])
    allow = deny = 0
    for role_id in member.roles:
        overwrite = overwrites.get(role_id)
        if overwrite and int(overwrite.get("type", 0)) == 0:
            allow |= int(overwrite["allow"])
            deny |= int(overwrite["deny"])
    perms = (perms & ~deny) | allow
    own = overwrites.get(member.user_id)
    if own and int(own.get("type", 1)) == 1:
        perms = (perms & ~int(own["deny"])) | int(own["allow"])
    return perms


def in_channel(guild, member, channel, channels: dict) -> int:
    """``member``'s permissions in ``channel``, a thread included.

    A thread has no overwrites of its own: it takes its parent channel's permissions, and a
    private thread is seen only by its members and by those who may Manage Threads.
    """
    if not getattr(channel, "is_thread", False):
        return channel_permissions(guild, member, channel)
    perms = channel_permissions(guild, member, channels.get(channel.parent_id))
    private = channel.type == 12
    if private and member.user_id not in channel.thread_members and not perms & MANAGE_THREADS:
        perms &= ~VIEW_CHANNEL
    return perms
