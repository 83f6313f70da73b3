"""Gateway payloads, derived from discord/discord-api-docs (the gateway has no OpenAPI
description): ``developers/events/gateway.mdx`` (payload structure),
``developers/events/gateway-events.mdx`` (each event's fields), and the objects they carry
(``resources/guild.mdx``, ``resources/channel.mdx``, ``interactions/receiving-and-responding.mdx``).
Where an event carries an object the OpenAPI spec also describes (user, role, member,
message) the REST schema is reused. Titles name the docs section followed.
"""

from __future__ import annotations

from . import discord_api as rest
from .common import ANY, BOOL, DATE_TIME, INT32, STRING, array, enum, nullable, obj, with_fields

SNOWFLAKE = rest.SNOWFLAKE

# gateway.mdx "Gateway Event Payloads": op, d, s, t (s and t null except for dispatches)
ENVELOPE = obj(
    "Gateway Payload Structure",
    {"op": enum(0, 1, 7, 9, 10, 11), "d": ANY, "s": nullable({"type": "integer"}), "t": nullable(STRING)},
    closed=True,
)
HELLO = obj("Hello Structure", {"heartbeat_interval": {"type": "integer", "minimum": 1}})
UNAVAILABLE_GUILD = obj("Unavailable Guild Object", {"id": SNOWFLAKE, "unavailable": BOOL})
READY = obj(
    "Ready Event Fields",
    {
        "v": enum(10),
        "user": rest.USER_PII,
        "guilds": array(UNAVAILABLE_GUILD),
        "session_id": STRING,
        "resume_gateway_url": {"type": "string", "pattern": "^wss?://"},
        "application": obj("partial application object (id, flags)", {"id": SNOWFLAKE, "flags": INT32}),
    },
    {"shard": array({"type": "integer", "minimum": 0}, minItems=2, maxItems=2)},
)

# channel.mdx "Channel Object" (inside GUILD_CREATE without guild_id)
CHANNEL = obj(
    "Channel Object",
    {"id": SNOWFLAKE, "type": rest.CHANNEL_TYPES},
    {
        "guild_id": SNOWFLAKE,
        "name": nullable(STRING),
        "position": INT32,
        "topic": nullable(STRING),
        "nsfw": BOOL,
        "last_message_id": nullable(SNOWFLAKE),
        "parent_id": nullable(SNOWFLAKE),
        "permission_overwrites": array({"type": "object"}),
        "flags": INT32,
    },
)
GUILD_CHANNEL_EVENT = with_fields(CHANNEL, "Channel Create/Update/Delete (channel object)", {"guild_id": SNOWFLAKE})

# guild.mdx "Guild Member Object": user, nick, avatar, banner, premium_since optional
MEMBER = obj(
    "Guild Member Object",
    {"roles": array(SNOWFLAKE), "joined_at": DATE_TIME, "deaf": BOOL, "mute": BOOL, "flags": INT32},
    {
        "user": rest.USER,
        "nick": nullable(STRING),
        "avatar": nullable(STRING),
        "banner": nullable(STRING),
        "premium_since": nullable(DATE_TIME),
        "pending": BOOL,
        "permissions": rest.PERMISSIONS,
        "communication_disabled_until": nullable(DATE_TIME),
    },
)

# guild.mdx "Guild Structure": the OpenAPI guild, less what the docs mark optional ("?") or omit
_NOT_REQUIRED_IN_DOCS = {
    "home_header",
    "region",
    "widget_enabled",
    "widget_channel_id",
    "max_presences",
    "max_members",
    "max_stage_video_channel_users",
    "max_video_channel_users",
    "premium_subscription_count",
    "nsfw",
    "stickers",
}
GUILD = {
    **rest.GUILD,
    "title": "Guild Structure",
    "required": [f for f in rest.GUILD["required"] if f not in _NOT_REQUIRED_IN_DOCS],
}
GUILD_CREATE = with_fields(
    GUILD,
    "Guild Create Extra Fields",
    {
        "joined_at": DATE_TIME,
        "large": BOOL,
        "member_count": {"type": "integer", "minimum": 0},
        "voice_states": array({"type": "object"}),
        "members": array(MEMBER),
        "channels": array(CHANNEL),
        "threads": array(rest.THREAD),
        "presences": array({"type": "object"}),
        "stage_instances": array({"type": "object"}),
        "guild_scheduled_events": array(rest.SCHEDULED_EVENT),
        "soundboard_sounds": array({"type": "object"}),
    },
    {"unavailable": BOOL},
)
GUILD_DELETE = UNAVAILABLE_GUILD | {"title": "Guild Delete (unavailable guild object)", "required": ["id"]}

GUILD_ROLE = obj("Guild Role Create/Update Event Fields", {"guild_id": SNOWFLAKE, "role": rest.ROLE})
GUILD_ROLE_DELETE = obj("Guild Role Delete Event Fields", {"guild_id": SNOWFLAKE, "role_id": SNOWFLAKE})
GUILD_MEMBER_ADD = with_fields(MEMBER, "Guild Member Add Extra Fields", {"guild_id": SNOWFLAKE, "user": rest.USER})
GUILD_MEMBER_UPDATE = obj(
    "Guild Member Update Event Fields",
    {
        "guild_id": SNOWFLAKE,
        "roles": array(SNOWFLAKE),
        "user": rest.USER,
        "avatar": nullable(STRING),
        "banner": nullable(STRING),
        "joined_at": nullable(DATE_TIME),
    },
    {"nick": nullable(STRING), "deaf": BOOL, "mute": BOOL, "pending": BOOL, "premium_since": nullable(DATE_TIME)},
)
GUILD_MEMBER_REMOVE = obj("Guild Member Remove Event Fields", {"guild_id": SNOWFLAKE, "user": rest.USER})
GUILD_MEMBERS_CHUNK = obj(
    "Guild Members Chunk Event Fields",
    {
        "guild_id": SNOWFLAKE,
        "members": array(MEMBER),
        "chunk_index": {"type": "integer", "minimum": 0},
        "chunk_count": {"type": "integer", "minimum": 1},
    },
    {"not_found": array(ANY), "presences": array({"type": "object"}), "nonce": STRING},
)

# MESSAGE_CREATE / MESSAGE_UPDATE: a message object plus guild_id?, member? (partial), mentions
MESSAGE_EVENT = with_fields(
    rest.MESSAGE,
    "Message Create Extra Fields",
    optional={
        "guild_id": SNOWFLAKE,
        "member": obj("partial guild member", {"roles": array(SNOWFLAKE), "joined_at": DATE_TIME}),
        "channel_type": INT32,
    },
)
MESSAGE_UPDATE = with_fields(MESSAGE_EVENT, "Message Update (tts always false)", {"tts": enum(False)})
MESSAGE_DELETE = obj("Message Delete Event Fields", {"id": SNOWFLAKE, "channel_id": SNOWFLAKE}, {"guild_id": SNOWFLAKE})

# receiving-and-responding.mdx "Interaction Structure" and the data structures per type
COMMAND_DATA = obj(
    "Application Command Data Structure",
    {"id": SNOWFLAKE, "name": STRING, "type": enum(1, 2, 3, 4)},
    {
        "options": array({"type": "object"}),
        "resolved": {"type": "object"},
        "guild_id": SNOWFLAKE,
        "target_id": SNOWFLAKE,
    },
)
COMPONENT_DATA = obj(
    "Message Component Data Structure",
    {"custom_id": STRING, "component_type": enum(2, 3, 5, 6, 7, 8)},
    {"values": array(STRING), "resolved": {"type": "object"}},
)
MODAL_DATA = obj(
    "Modal Submit Data Structure",
    {
        "custom_id": STRING,
        "components": array(
            obj(
                "action row (component interaction response)",
                {
                    "type": enum(1),
                    "id": INT32,
                    "components": array(
                        obj(
                            "Text Input Interaction Response",
                            {"type": enum(4), "id": INT32, "custom_id": STRING, "value": STRING},
                        )
                    ),
                },
            )
        ),
    },
)
_INTERACTION = obj(
    "Interaction Structure",
    {
        "id": SNOWFLAKE,
        "application_id": SNOWFLAKE,
        "type": enum(1, 2, 3, 4, 5),
        "token": STRING,
        "version": enum(1),
        "app_permissions": rest.PERMISSIONS,
        "entitlements": array({"type": "object"}),
        "authorizing_integration_owners": {"type": "object", "additionalProperties": SNOWFLAKE},
        "attachment_size_limit": {"type": "integer"},
    },
    {
        "guild": obj("partial guild", {"id": SNOWFLAKE}, {"locale": STRING, "features": array(STRING)}),
        "guild_id": SNOWFLAKE,
        "channel": CHANNEL,
        "channel_id": SNOWFLAKE,
        "member": with_fields(
            MEMBER, "Guild Member Object (with permissions)", {"user": rest.USER, "permissions": rest.PERMISSIONS}
        ),
        "user": rest.USER,
        "message": rest.MESSAGE,
        "locale": rest.LOCALE,
        "guild_locale": rest.LOCALE,
        "context": enum(0, 1, 2),
    },
)
INTERACTION = {
    **_INTERACTION,
    "allOf": [
        {
            "if": {"properties": {"type": {"enum": [2, 4]}}},
            "then": {"required": ["data"], "properties": {"data": COMMAND_DATA}},
        },
        {
            "if": {"properties": {"type": {"const": 3}}},
            "then": {"required": ["data", "message"], "properties": {"data": COMPONENT_DATA}},
        },
        {
            "if": {"properties": {"type": {"const": 5}}},
            "then": {"required": ["data"], "properties": {"data": MODAL_DATA}},
        },
        # "member is sent when the interaction is invoked in a guild, and user is sent when invoked in a DM"
        {"oneOf": [{"required": ["member", "guild_id"]}, {"required": ["user"]}]},
    ],
}

DISPATCHES = {
    "READY": READY,
    "GUILD_CREATE": GUILD_CREATE,
    "GUILD_DELETE": GUILD_DELETE,
    "CHANNEL_CREATE": GUILD_CHANNEL_EVENT,
    "CHANNEL_UPDATE": GUILD_CHANNEL_EVENT,
    "CHANNEL_DELETE": GUILD_CHANNEL_EVENT,
    "GUILD_ROLE_CREATE": GUILD_ROLE,
    "GUILD_ROLE_UPDATE": GUILD_ROLE,
    "GUILD_ROLE_DELETE": GUILD_ROLE_DELETE,
    "GUILD_MEMBER_ADD": GUILD_MEMBER_ADD,
    "GUILD_MEMBER_UPDATE": GUILD_MEMBER_UPDATE,
    "GUILD_MEMBER_REMOVE": GUILD_MEMBER_REMOVE,
    "GUILD_MEMBERS_CHUNK": GUILD_MEMBERS_CHUNK,
    "MESSAGE_CREATE": MESSAGE_EVENT,
    "MESSAGE_UPDATE": MESSAGE_UPDATE,
    "MESSAGE_DELETE": MESSAGE_DELETE,
    "INTERACTION_CREATE": INTERACTION,
    "RESUMED": {"title": "Resumed", "type": ["object", "null"]},
}

# Issue 18's events (gateway-events.mdx "Threads", "Guild Scheduled Event ..."), apart from
# DISPATCHES, which the first session test expects to see in full.
THREAD_CREATE = with_fields(rest.THREAD, "Thread Create (channel object, newly_created)", {"newly_created": enum(True)})
THREAD_UPDATE = rest.THREAD | {"title": "Thread Update (channel object)"}
THREAD_DELETE = obj(
    "Thread Delete (id, guild_id, parent_id, type)",
    {"id": SNOWFLAKE, "guild_id": SNOWFLAKE, "parent_id": SNOWFLAKE, "type": enum(10, 11, 12)},
    closed=True,
)
# "the thread member objects will also include the guild member and nullable presence"
ADDED_THREAD_MEMBER = with_fields(
    rest.THREAD_MEMBER, "Thread Member with member and presence", {"member": MEMBER, "presence": nullable(ANY)}
)
THREAD_MEMBERS_UPDATE = obj(
    "Thread Members Update Event Fields",
    {"id": SNOWFLAKE, "guild_id": SNOWFLAKE, "member_count": {"type": "integer", "minimum": 0, "maximum": 50}},
    {"added_members": array(ADDED_THREAD_MEMBER), "removed_member_ids": array(SNOWFLAKE)},
    closed=True,
)
SCHEDULED_EVENT = rest.SCHEDULED_EVENT | {"title": "Guild Scheduled Event Create/Update/Delete"}
SCHEDULED_EVENT_USER = obj(
    "Guild Scheduled Event User Add/Remove Event Fields",
    {"guild_scheduled_event_id": SNOWFLAKE, "user_id": SNOWFLAKE, "guild_id": SNOWFLAKE},
    closed=True,
)
ORGANISING_DISPATCHES = {
    "MESSAGE_UPDATE": MESSAGE_UPDATE,  # the message a thread starts from gains its ``thread``
    "GUILD_CREATE": GUILD_CREATE,
    "THREAD_CREATE": THREAD_CREATE,
    "THREAD_UPDATE": THREAD_UPDATE,
    "THREAD_DELETE": THREAD_DELETE,
    "THREAD_MEMBERS_UPDATE": THREAD_MEMBERS_UPDATE,
    "CHANNEL_CREATE": GUILD_CHANNEL_EVENT,
    "CHANNEL_UPDATE": GUILD_CHANNEL_EVENT,
    "CHANNEL_DELETE": GUILD_CHANNEL_EVENT,
    "GUILD_ROLE_CREATE": GUILD_ROLE,
    "GUILD_MEMBER_UPDATE": GUILD_MEMBER_UPDATE,
    "GUILD_SCHEDULED_EVENT_CREATE": SCHEDULED_EVENT,
    "GUILD_SCHEDULED_EVENT_UPDATE": SCHEDULED_EVENT,
    "GUILD_SCHEDULED_EVENT_DELETE": SCHEDULED_EVENT,
    "GUILD_SCHEDULED_EVENT_USER_ADD": SCHEDULED_EVENT_USER,
    "GUILD_SCHEDULED_EVENT_USER_REMOVE": SCHEDULED_EVENT_USER,
}
