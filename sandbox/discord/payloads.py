"""Records rendered as Discord's JSON objects (ids as strings, as the API sends them)."""

from __future__ import annotations

from . import permissions
from .models import (
    DM,
    EXTERNAL,
    GUILD_VOICE,
    PRIVATE_THREAD,
    Channel,
    Guild,
    Member,
    Message,
    Role,
    ScheduledEvent,
    User,
)


def user(u: User) -> dict:
    """A user object."""
    data = {
        "id": str(u.id),
        "username": u.username,
        "discriminator": "0",
        "global_name": u.global_name,
        "avatar": None,
        "public_flags": 0,
        "flags": 0,
        "banner": None,
        "accent_color": None,
        "avatar_decoration_data": None,
        "primary_guild": None,
    }
    if u.bot:
        data["bot"] = True
    return data


def role(r: Role) -> dict:
    """A role object; the bot's managed role carries its ``tags.bot_id``."""
    data = {
        "id": str(r.id),
        "name": r.name,
        "color": r.color,
        "colors": {"primary_color": r.color, "secondary_color": None, "tertiary_color": None},
        "hoist": r.hoist,
        "icon": None,
        "unicode_emoji": None,
        "position": r.position,
        "permissions": str(r.permissions),
        "managed": r.managed,
        "mentionable": r.mentionable,
        "flags": 0,
    }
    if r.bot_id is not None:
        data["tags"] = {"bot_id": str(r.bot_id)}
    return data


def channel(c: Channel, users: dict[int, User] | None = None) -> dict:
    """A channel object: a guild channel, or a DM channel with its recipient."""
    if c.type == DM:
        recipients = [user(users[c.recipient_id])] if users and c.recipient_id in users else []
        return {
            "id": str(c.id),
            "type": DM,
            "last_message_id": _opt_id(c.last_message_id),
            "recipients": recipients,
            "flags": 0,
        }
    if c.is_thread:
        return thread(c)
    data = {
        "id": str(c.id),
        "type": c.type,
        "guild_id": str(c.guild_id),
        "name": c.name,
        "position": c.position,
        "permission_overwrites": c.permission_overwrites,
        "topic": c.topic,
        "nsfw": c.nsfw,
        "last_message_id": _opt_id(c.last_message_id),
        "rate_limit_per_user": 0,
        "parent_id": _opt_id(c.parent_id),
        "flags": 0,
    }
    if c.type == GUILD_VOICE:
        # GuildVoiceChannelResponse: a new voice channel's defaults (64 kbps, no user limit, automatic region).
        data.update(bitrate=64000, user_limit=0, rtc_region=None)
    return data


def thread(c: Channel) -> dict:
    """A thread channel object (``ThreadResponse``): its parent, owner and thread_metadata."""
    metadata = {
        "archived": c.archived,
        "archive_timestamp": c.archive_timestamp,
        "auto_archive_duration": c.auto_archive_duration,
        "locked": c.locked,
        "create_timestamp": c.create_timestamp,
    }
    if c.type == PRIVATE_THREAD:
        metadata["invitable"] = c.invitable
    return {
        "id": str(c.id),
        "type": c.type,
        "guild_id": str(c.guild_id),
        "parent_id": _opt_id(c.parent_id),
        "owner_id": str(c.owner_id),
        "name": c.name,
        "last_message_id": _opt_id(c.last_message_id),
        "rate_limit_per_user": 0,
        "flags": 0,
        "thread_metadata": metadata,
        "message_count": c.message_count,
        "member_count": min(len(c.thread_members), 50),
        "total_message_sent": c.message_count,
    }


def thread_member(c: Channel, user_id: int, member_obj: dict | None = None) -> dict:
    """A thread member object; ``member_obj`` adds the guild member (``with_member``)."""
    data = {"id": str(c.id), "user_id": str(user_id), "join_timestamp": c.thread_members[user_id], "flags": 0}
    if member_obj is not None:
        data["member"] = member_obj
    return data


def scheduled_event(e: ScheduledEvent, users: dict[int, User], *, with_user_count: bool = False) -> dict:
    """A guild scheduled event object (``ExternalScheduledEventResponse`` for EXTERNAL)."""
    data = {
        "id": str(e.id),
        "guild_id": str(e.guild_id),
        "channel_id": _opt_id(e.channel_id),
        "creator_id": str(e.creator_id),
        "name": e.name,
        "description": e.description,
        "image": e.image,
        "scheduled_start_time": e.scheduled_start_time,
        "scheduled_end_time": e.scheduled_end_time,
        "privacy_level": e.privacy_level,
        "status": e.status,
        "entity_type": e.entity_type,
        "entity_id": None,
        "entity_metadata": {"location": e.location} if e.entity_type == EXTERNAL else None,
        "recurrence_rule": None,
        "guild_scheduled_event_exceptions": [],
    }
    if e.creator_id in users:
        data["creator"] = user(users[e.creator_id])
    if with_user_count:
        data["user_count"] = len(e.interested)
    return data


def member(m: Member, users: dict[int, User], *, with_user: bool = True, perms: int | None = None) -> dict:
    """A guild member object; ``perms`` adds the ``permissions`` field interactions carry."""
    data = {
        "nick": m.nick,
        "avatar": None,
        "banner": None,
        "roles": [str(r) for r in m.roles],
        "joined_at": m.joined_at,
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "communication_disabled_until": None,
    }
    if with_user:
        data["user"] = user(users[m.user_id])
    if perms is not None:
        data["permissions"] = str(perms)
    return data


def guild_base(g: Guild) -> dict:
    """The guild object (without the GUILD_CREATE extras); every field ``GuildResponse`` of
    discord/discord-api-spec requires, with a new community-less guild's values.
    """
    return {
        "id": str(g.id),
        "name": g.name,
        "icon": None,
        "home_header": None,
        "splash": None,
        "discovery_splash": None,
        "owner_id": str(g.owner_id),
        "afk_channel_id": None,
        "afk_timeout": 300,
        "region": "deprecated",
        "widget_enabled": False,
        "widget_channel_id": None,
        "max_presences": None,
        "max_stage_video_channel_users": 50,
        "max_video_channel_users": 25,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "roles": [role(r) for r in sorted(g.roles.values(), key=lambda r: r.position)],
        "emojis": [],
        "stickers": [],
        "features": [],
        "mfa_level": 0,
        "application_id": None,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "vanity_url_code": None,
        "description": None,
        "banner": None,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": "en-US",
        "public_updates_channel_id": None,
        "safety_alerts_channel_id": None,
        "nsfw": False,
        "nsfw_level": 0,
        "premium_progress_bar_enabled": False,
        "max_members": 500000,
        "incidents_data": None,
    }


def guild_with_counts(g: Guild) -> dict:
    """GET /guilds/{id}?with_counts=true: the guild plus approximate member and presence counts."""
    return {**guild_base(g), "approximate_member_count": len(g.members), "approximate_presence_count": 0}


def guild_create(
    g: Guild,
    channels: dict[int, Channel],
    users: dict[int, User],
    *,
    bot_id: int,
    presences: bool,
    joined: bool = False,
    large_threshold: int = 250,
) -> dict:
    """GUILD_CREATE's payload. Without GUILD_PRESENCES Discord only lists the bot itself.

    ``unavailable: false`` marks a guild of READY becoming available; a guild the bot just
    joined comes without the field (that is how clients tell on_guild_join apart).
    """
    data = guild_base(g)
    listed = [m for m in g.members.values() if presences or m.user_id == bot_id]
    data.update(
        {
            "joined_at": g.bot_joined_at,
            "large": len(g.members) > large_threshold,
            "unavailable": False,
            "member_count": len(g.members),
            "voice_states": [],
            "members": [member(m, users) for m in listed],
            "channels": [channel(channels[c]) for c in g.channel_ids],
            "threads": [thread(c) for c in channels.values() if c.is_thread and c.guild_id == g.id and not c.archived],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [scheduled_event(e, users) for e in g.scheduled_events.values()],
            "soundboard_sounds": [],
        }
    )
    if joined:
        del data["unavailable"]
    # Inside GUILD_CREATE channels come without guild_id, as on Discord.
    for c in data["channels"]:
        c.pop("guild_id", None)
    return data


def attachment(a: dict) -> dict:
    """An attachment object (Discord's: the file's bytes are fetched from ``url``)."""
    return {
        "id": str(a["id"]),
        "filename": a["filename"],
        "size": a["size"],
        "url": a["url"],
        "proxy_url": a["url"],
        "content_type": a["content_type"],
    }


def message(
    m: Message,
    users: dict[int, User],
    guild: Guild | None = None,
    *,
    gateway: bool = False,
    started_thread: Channel | None = None,
) -> dict:
    """A message object; gateway events add ``guild_id`` and the author's ``member``; a message
    a thread was started from carries that ``thread``.
    """
    data = {
        "id": str(m.id),
        "channel_id": str(m.channel_id),
        "author": user(users[m.author_id]),
        "content": m.content,
        "timestamp": m.timestamp,
        "edited_timestamp": m.edited_timestamp,
        "tts": m.tts,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [attachment(a) for a in m.attachments],
        "embeds": m.embeds,
        "pinned": False,
        "type": m.type,
        "flags": m.flags,
        "components": m.components,
    }
    if m.nonce is not None:
        data["nonce"] = m.nonce
    if m.webhook_id is not None:
        data["webhook_id"] = str(m.webhook_id)
    if m.application_id is not None:
        data["application_id"] = str(m.application_id)
    if m.interaction_metadata is not None:
        data["interaction_metadata"] = m.interaction_metadata
    if m.message_reference is not None:
        data["message_reference"] = m.message_reference
    if started_thread is not None:
        data["thread"] = thread(started_thread)
    if gateway and guild is not None:
        data["guild_id"] = str(guild.id)
        author = guild.members.get(m.author_id)
        if author is not None and m.webhook_id is None:
            data["member"] = member(author, users, with_user=False)
    return data


def strip_content(data: dict) -> dict:
    """What a bot without the MESSAGE_CONTENT intent sees of someone else's message."""
    return {**data, "content": "", "embeds": [], "attachments": [], "components": []}


def effective_permissions(g: Guild, m: Member, c: Channel | None) -> int:
    """Shortcut used by interactions: the member's permissions in the channel."""
    return permissions.channel_permissions(g, m, c)


def _opt_id(value: int | None) -> str | None:
    return None if value is None else str(value)
