"""The sandbox's world: plain records for users, guilds, channels, roles, members, messages."""

from __future__ import annotations

from dataclasses import dataclass, field

from .clock import iso_now, stamp

GUILD_TEXT = 0
DM = 1
GUILD_VOICE = 2
GUILD_CATEGORY = 4
ANNOUNCEMENT_THREAD = 10
PUBLIC_THREAD = 11
PRIVATE_THREAD = 12
THREAD_TYPES = (ANNOUNCEMENT_THREAD, PUBLIC_THREAD, PRIVATE_THREAD)


@dataclass
class User:
    id: int
    username: str
    global_name: str | None = None
    bot: bool = False
    # The member's "allow direct messages from server members" setting.
    dms_open: bool = True


@dataclass
class Role:
    id: int
    guild_id: int
    name: str
    permissions: int
    color: int = 0
    hoist: bool = False
    position: int = 0
    managed: bool = False
    mentionable: bool = False
    bot_id: int | None = None


@dataclass
class Channel:
    id: int
    type: int
    guild_id: int | None = None
    name: str | None = None
    position: int = 0
    topic: str | None = None
    parent_id: int | None = None
    nsfw: bool = False
    permission_overwrites: list[dict] = field(default_factory=list)
    last_message_id: int | None = None
    recipient_id: int | None = None
    # Threads only: who started it, thread_metadata's fields, and its members (user id ->
    # join_timestamp). A thread's permissions are its parent's; it has no overwrites.
    owner_id: int | None = None
    archived: bool = False
    locked: bool = False
    auto_archive_duration: int = 4320
    archive_timestamp: str | None = None
    create_timestamp: str | None = None
    invitable: bool = True
    thread_members: dict[int, str] = field(default_factory=dict)
    message_count: int = 0

    @property
    def is_thread(self) -> bool:
        return self.type in THREAD_TYPES


@dataclass
class Member:
    guild_id: int
    user_id: int
    roles: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=iso_now)


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    channel_ids: list[int] = field(default_factory=list)
    members: dict[int, Member] = field(default_factory=dict)
    bot_joined_at: str | None = None
    # Permissions the bot's managed role gets whenever the bot joins.
    bot_permissions: int = 0
    scheduled_events: dict[int, ScheduledEvent] = field(default_factory=dict)

    @property
    def has_bot(self) -> bool:
        return self.bot_joined_at is not None


SCHEDULED, ACTIVE, COMPLETED, CANCELED = 1, 2, 3, 4
EXTERNAL = 3


@dataclass
class ScheduledEvent:
    """A guild scheduled event; ``interested`` are the users who clicked "Interested"."""

    id: int
    guild_id: int
    name: str
    scheduled_start_time: str
    entity_type: int
    creator_id: int
    privacy_level: int = 2
    scheduled_end_time: str | None = None
    description: str | None = None
    channel_id: int | None = None
    location: str | None = None
    status: int = SCHEDULED
    image: str | None = None
    interested: list[int] = field(default_factory=list)


@dataclass
class Message:
    id: int
    channel_id: int
    author_id: int
    guild_id: int | None = None
    content: str = ""
    embeds: list[dict] = field(default_factory=list)
    components: list[dict] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    tts: bool = False
    nonce: str | int | None = None
    webhook_id: int | None = None
    application_id: int | None = None
    interaction_id: int | None = None
    message_reference: dict | None = None
    interaction_metadata: dict | None = None
    # Uploaded files: id, filename, size, content_type, url, and their bytes (``data``).
    attachments: list[dict] = field(default_factory=list)
    timestamp: str = field(default_factory=iso_now)
    edited_timestamp: str | None = None
    deleted: bool = False
    created: dict = field(default_factory=stamp)
    # Every earlier version, oldest first, each with the moment it was replaced.
    history: list[dict] = field(default_factory=list)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & 64)


@dataclass
class Interaction:
    id: int
    token: str
    type: int
    application_id: int
    channel_id: int
    user_id: int
    guild_id: int | None = None
    data: dict | None = None
    message_id: int | None = None
    # For a modal submit: the interaction whose response opened the modal.
    opened_by: int | None = None
    created: dict = field(default_factory=stamp)
    # The initial callback (type, data, at, status) once accepted; refused attempts too.
    response: dict | None = None
    refused: list[dict] = field(default_factory=list)
    # "This interaction failed" as the user saw it (reason, at, elapsed_s): a late callback,
    # or an HTTP answer late, not 2xx, malformed or refused. Dead from then on.
    failed: dict | None = None
    # How it reached the app: {"mode": "gateway"}, or the HTTP POST's record (see endpoint.py).
    delivery: dict = field(default_factory=lambda: {"mode": "gateway"})
    original_message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
