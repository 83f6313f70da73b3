"""Discord REST objects, derived from discord/discord-api-spec ``specs/openapi.json``
(OpenAPI 3.1, ``components/schemas``). Each schema's title names the published schema it
follows; only the fields the stand-in serves are typed beyond ``required``.

One knowing departure: the spec types a field error's ``code`` as an integer (it reuses
``Error`` inside ``InnerErrors``), while Discord's error reference (discord-api-docs
``developers/reference.mdx``, "Error Messages") and the API send strings such as
``"BASE_TYPE_MAX_LENGTH"``. ``FIELD_ERRORS`` follows the documented shape.
"""

from __future__ import annotations

from .common import ANY, BOOL, DATE_TIME, INT32, NUMBER, STRING, URI, array, enum, nullable, obj, with_fields

SNOWFLAKE = {"type": "string", "pattern": "^(0|[1-9][0-9]*)$", "format": "snowflake"}
# AvailableLocalesEnum
_LOCALES = ["ar", "bg", "cs", "da", "de", "el", "en-GB", "en-US", "es-419", "es-ES", "fi", "fr", "he", "hi"]
_MORE_LOCALES = ["hr", "hu", "id", "it", "ja", "ko", "lt", "nl", "no", "pl", "pt-BR", "ro", "ru", "sv-SE"]
LOCALE = enum(*_LOCALES, *_MORE_LOCALES, "th", "tr", "uk", "vi", "zh-CN", "zh-TW")
PERMISSIONS = {"type": "string", "pattern": "^[0-9]+$"}

# UserResponse
USER = obj(
    "UserResponse",
    {
        "id": SNOWFLAKE,
        "username": STRING,
        "avatar": nullable(STRING),
        "discriminator": STRING,
        "public_flags": INT32,
        "flags": {"type": "integer"},
        "global_name": nullable(STRING),
        "primary_guild": nullable({"type": "object"}),
    },
    {"bot": BOOL, "banner": nullable(STRING), "accent_color": nullable(INT32), "avatar_decoration_data": ANY},
)
# UserPIIResponse (GET /users/@me)
USER_PII = with_fields(
    USER,
    "UserPIIResponse",
    {"mfa_enabled": BOOL, "locale": LOCALE},
    {"email": nullable(STRING), "verified": BOOL},
)
USER_PII["required"].remove("primary_guild")  # optional in UserPIIResponse

# GuildRoleResponse (+ GuildRoleColorsResponse, GuildRoleTagsResponse)
ROLE = obj(
    "GuildRoleResponse",
    {
        "id": SNOWFLAKE,
        "name": STRING,
        "permissions": PERMISSIONS,
        "position": INT32,
        "color": INT32,
        "colors": obj(
            "GuildRoleColorsResponse",
            {"primary_color": INT32, "secondary_color": nullable(INT32), "tertiary_color": nullable(INT32)},
        ),
        "hoist": BOOL,
        "managed": BOOL,
        "mentionable": BOOL,
        "icon": nullable(STRING),
        "unicode_emoji": nullable(STRING),
        "flags": INT32,
    },
    {"tags": obj("GuildRoleTagsResponse", {}, {"bot_id": SNOWFLAKE})},
)

# GuildMemberResponse
MEMBER = obj(
    "GuildMemberResponse",
    {
        "avatar": nullable(STRING),
        "banner": nullable(STRING),
        "communication_disabled_until": nullable(DATE_TIME),
        "flags": INT32,
        "joined_at": DATE_TIME,
        "nick": nullable(STRING),
        "pending": BOOL,
        "premium_since": nullable(DATE_TIME),
        "roles": array(SNOWFLAKE),
        "user": USER,
        "mute": BOOL,
        "deaf": BOOL,
    },
)

CHANNEL_TYPES = enum(0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15)
# GuildChannelResponse
GUILD_CHANNEL = obj(
    "GuildChannelResponse",
    {"id": SNOWFLAKE, "type": enum(0, 2, 4, 5, 13, 14, 15), "flags": INT32, "guild_id": SNOWFLAKE, "name": STRING},
    {
        "position": INT32,
        "last_message_id": nullable(SNOWFLAKE),
        "parent_id": nullable(SNOWFLAKE),
        "rate_limit_per_user": INT32,
        "topic": nullable(STRING),
        "nsfw": BOOL,
        "permission_overwrites": array(
            obj(
                "ChannelPermissionOverwriteResponse",
                {"id": SNOWFLAKE, "type": enum(0, 1), "allow": STRING, "deny": STRING},
            )
        ),
        # GuildVoiceChannelResponse's own fields
        "bitrate": INT32,
        "user_limit": INT32,
        "rtc_region": nullable(STRING),
    },
)
GUILD_CHANNEL["required"].append("position")
# GuildVoiceChannelResponse: a voice channel always carries them.
VOICE_CHANNEL = {**GUILD_CHANNEL, "required": [*GUILD_CHANNEL["required"], "bitrate", "user_limit", "rtc_region"]}
# PrivateChannelResponse
DM_CHANNEL = obj(
    "PrivateChannelResponse",
    {"id": SNOWFLAKE, "type": enum(1), "flags": INT32, "recipients": array(USER)},
    {"last_message_id": nullable(SNOWFLAKE)},
)
# ThreadMetadataResponse
THREAD_METADATA = obj(
    "ThreadMetadataResponse",
    {
        "archived": BOOL,
        "archive_timestamp": nullable(DATE_TIME),
        "auto_archive_duration": enum(60, 1440, 4320, 10080),  # ThreadAutoArchiveDuration
        "locked": BOOL,
    },
    {"create_timestamp": DATE_TIME, "invitable": BOOL},
)
# ThreadResponse (POST .../messages/{id}/threads); CreatedThreadResponse (POST .../threads)
# requires the same fields.
THREAD = obj(
    "ThreadResponse",
    {
        "id": SNOWFLAKE,
        "type": enum(10, 11, 12),
        "flags": INT32,
        "guild_id": SNOWFLAKE,
        "name": STRING,
        "owner_id": SNOWFLAKE,
        "thread_metadata": THREAD_METADATA,
        "message_count": INT32,
        "member_count": INT32,
        "total_message_sent": INT32,
    },
    {
        "last_message_id": nullable(SNOWFLAKE),
        "parent_id": nullable(SNOWFLAKE),
        "rate_limit_per_user": INT32,
        "last_pin_timestamp": nullable(DATE_TIME),
    },
)
# ThreadMemberResponse
THREAD_MEMBER = obj(
    "ThreadMemberResponse",
    {"id": SNOWFLAKE, "user_id": SNOWFLAKE, "join_timestamp": DATE_TIME, "flags": INT32},
    {"member": MEMBER},
)
THREAD_MEMBERS = {"title": "array of ThreadMemberResponse", **array(THREAD_MEMBER)}
# ThreadsResponse (GET /guilds/{guild_id}/threads/active)
THREADS = obj("ThreadsResponse", {"threads": array(THREAD), "members": array(THREAD_MEMBER)}, {"has_more": BOOL})
# GET /channels/{id} and friends: oneOf GuildChannelResponse, PrivateChannelResponse, ThreadResponse, ...
ANY_CHANNEL = {
    "title": "GuildChannelResponse | PrivateChannelResponse | ThreadResponse",
    "oneOf": [GUILD_CHANNEL, DM_CHANNEL, THREAD],
}

# ExternalScheduledEventResponse (the sandbox serves EXTERNAL events only)
SCHEDULED_EVENT = obj(
    "ExternalScheduledEventResponse",
    {
        "id": SNOWFLAKE,
        "guild_id": SNOWFLAKE,
        "name": STRING,
        "description": nullable(STRING),
        "channel_id": nullable(SNOWFLAKE),
        "creator_id": nullable(SNOWFLAKE),
        "image": nullable(STRING),
        "scheduled_start_time": DATE_TIME,
        "scheduled_end_time": nullable(DATE_TIME),
        "status": enum(1, 2, 3, 4),  # GuildScheduledEventStatuses
        "entity_type": enum(3),
        "entity_id": nullable(SNOWFLAKE),
        "recurrence_rule": nullable({"type": "object"}),
        "privacy_level": enum(2),  # GuildScheduledEventPrivacyLevels
        "guild_scheduled_event_exceptions": array({"type": "object"}),
        "entity_metadata": obj("EntityMetadataExternalResponse", {"location": STRING}),
    },
    {"creator": USER, "user_count": INT32},
)
SCHEDULED_EVENTS = {"title": "array of ExternalScheduledEventResponse", **nullable(array(SCHEDULED_EVENT))}
# ScheduledEventUserResponse
SCHEDULED_EVENT_USER = obj(
    "ScheduledEventUserResponse",
    {"guild_scheduled_event_id": SNOWFLAKE, "user_id": SNOWFLAKE, "response": enum(0, 1)},
    {"user": USER, "member": MEMBER},
)
SCHEDULED_EVENT_USERS = {"title": "array of ScheduledEventUserResponse", **nullable(array(SCHEDULED_EVENT_USER))}

# GuildWithCountsResponse (GET /guilds/{id}); GuildResponse has the same required fields.
GUILD = obj(
    "GuildWithCountsResponse",
    {
        "id": SNOWFLAKE,
        "name": STRING,
        "icon": nullable(STRING),
        "description": nullable(STRING),
        "home_header": nullable(STRING),
        "splash": nullable(STRING),
        "discovery_splash": nullable(STRING),
        "features": array(STRING, uniqueItems=True),
        "banner": nullable(STRING),
        "owner_id": SNOWFLAKE,
        "application_id": nullable(SNOWFLAKE),
        "region": STRING,
        "afk_channel_id": nullable(SNOWFLAKE),
        "afk_timeout": enum(60, 300, 900, 1800, 3600),
        "system_channel_id": nullable(SNOWFLAKE),
        "system_channel_flags": INT32,
        "widget_enabled": BOOL,
        "widget_channel_id": nullable(SNOWFLAKE),
        "verification_level": enum(0, 1, 2, 3, 4),
        "roles": array(ROLE),
        "default_message_notifications": enum(0, 1),
        "mfa_level": enum(0, 1),
        "explicit_content_filter": enum(0, 1, 2),
        "max_presences": nullable(INT32),
        "max_members": INT32,
        "max_stage_video_channel_users": INT32,
        "max_video_channel_users": INT32,
        "vanity_url_code": nullable(STRING),
        "premium_tier": enum(0, 1, 2, 3),
        "premium_subscription_count": INT32,
        "preferred_locale": LOCALE,
        "rules_channel_id": nullable(SNOWFLAKE),
        "safety_alerts_channel_id": nullable(SNOWFLAKE),
        "public_updates_channel_id": nullable(SNOWFLAKE),
        "premium_progress_bar_enabled": BOOL,
        "nsfw": BOOL,
        "nsfw_level": enum(0, 1, 2, 3),
        "emojis": array({"type": "object"}),
        "stickers": array({"type": "object"}),
        "incidents_data": nullable(
            obj(
                "GuildIncidentsDataResponse",
                {"invites_disabled_until": nullable(DATE_TIME), "dms_disabled_until": nullable(DATE_TIME)},
            )
        ),
    },
    {"approximate_member_count": nullable(INT32), "approximate_presence_count": nullable(INT32)},
)
GUILD_WITH_COUNTS = with_fields(
    GUILD, "GuildWithCountsResponse (with_counts=true)", {"approximate_member_count": INT32}
)

# PrivateApplicationResponse (GET /applications/@me, /oauth2/applications/@me)
APPLICATION = obj(
    "PrivateApplicationResponse",
    {
        "id": SNOWFLAKE,
        "name": STRING,
        "icon": nullable(STRING),
        "description": STRING,
        "type": nullable(enum(4)),
        "verify_key": STRING,
        "flags": INT32,
        "flags_new": STRING,
        "redirect_uris": array(URI),
        "interactions_endpoint_url": nullable(URI),
        "role_connections_verification_url": nullable(URI),
        "owner": USER,
        "approximate_guild_count": INT32,
        "approximate_user_install_count": INT32,
        "approximate_user_authorization_count": INT32,
        "explicit_content_filter": enum(0, 1),
        "team": nullable({"type": "object"}),
        "eligible_oauth2_scopes": array(STRING),
    },
    {
        "bot": USER,
        "bot_public": BOOL,
        "bot_require_code_grant": BOOL,
        "tags": array(STRING),
        "integration_types_config": {"type": "object"},
    },
)

# GatewayResponse, GatewayBotResponse (+ GatewayBotSessionStartLimitResponse)
GATEWAY = obj("GatewayResponse", {"url": URI})
GATEWAY_BOT = obj(
    "GatewayBotResponse",
    {
        "url": URI,
        "shards": INT32,
        "session_start_limit": obj(
            "GatewayBotSessionStartLimitResponse",
            {"max_concurrency": INT32, "remaining": INT32, "reset_after": INT32, "total": INT32},
        ),
    },
)

# ApplicationCommandResponse (options: ApplicationCommand*OptionResponse, each with type/name/description)
OPTION = obj("ApplicationCommandOptionResponse", {"type": enum(*range(1, 12)), "name": STRING, "description": STRING})
COMMAND = obj(
    "ApplicationCommandResponse",
    {
        "id": SNOWFLAKE,
        "application_id": SNOWFLAKE,
        "version": SNOWFLAKE,
        "default_member_permissions": nullable(PERMISSIONS),
        "type": enum(1, 2, 3, 4),
        "name": STRING,
        "description": STRING,
    },
    {
        "guild_id": SNOWFLAKE,
        "dm_permission": BOOL,
        "contexts": nullable(array(enum(0, 1, 2))),
        "integration_types": array(enum(0, 1)),
        "options": array(OPTION),
        "nsfw": BOOL,
        "name_localizations": nullable({"type": "object"}),
        "description_localizations": nullable({"type": "object"}),
    },
)
COMMANDS = {"title": "array of ApplicationCommandResponse", **nullable(array(COMMAND))}

# Message components: ActionRowComponentResponse and the children an action row holds.
BUTTON = obj(
    "ButtonComponentResponse",
    {"type": enum(2), "id": INT32, "style": enum(1, 2, 3, 4, 5, 6)},
    {"custom_id": STRING, "label": STRING, "disabled": BOOL, "url": nullable(URI), "emoji": {"type": "object"}},
)
SELECT_OPTION = obj(
    "StringSelectOptionResponse",
    {"label": STRING, "value": STRING},
    {"description": STRING, "default": BOOL, "emoji": {"type": "object"}},
)
STRING_SELECT = obj(
    "StringSelectComponentResponse",
    {
        "type": enum(3),
        "id": INT32,
        "custom_id": STRING,
        "min_values": INT32,
        "max_values": INT32,
        "options": array(SELECT_OPTION),
    },
    {"placeholder": STRING, "disabled": BOOL},
)
OTHER_SELECT = obj(
    "UserSelect/RoleSelect/MentionableSelect/ChannelSelectComponentResponse",
    {"type": enum(5, 6, 7, 8), "id": INT32, "custom_id": STRING, "min_values": INT32, "max_values": INT32},
    {"placeholder": STRING, "disabled": BOOL},
)
ACTION_ROW = obj(
    "ActionRowComponentResponse",
    {"type": enum(1), "id": INT32, "components": array({"oneOf": [BUTTON, STRING_SELECT, OTHER_SELECT]})},
)
TEXT_DISPLAY = obj("TextDisplayComponentResponse", {"type": enum(10), "id": INT32, "content": STRING})

# MessageEmbedResponse (+ Field, Footer, Author)
EMBED = obj(
    "MessageEmbedResponse",
    {"type": STRING},
    {
        "url": URI,
        "title": STRING,
        "description": STRING,
        "color": INT32,
        "timestamp": DATE_TIME,
        "fields": array(obj("MessageEmbedFieldResponse", {"name": STRING, "value": STRING, "inline": BOOL})),
        "footer": obj("MessageEmbedFooterResponse", {"text": STRING}, {"icon_url": URI}),
        "author": obj("MessageEmbedAuthorResponse", {"name": STRING}, {"url": URI, "icon_url": URI}),
    },
)

# interaction_metadata: one of the three *InteractionMetadataResponse shapes
_METADATA_BASE = {
    "id": SNOWFLAKE,
    "authorizing_integration_owners": {"type": "object", "additionalProperties": SNOWFLAKE},
}
_METADATA_OPTIONAL = {"user": USER, "original_response_message_id": SNOWFLAKE}
COMMAND_METADATA = obj(
    "ApplicationCommandInteractionMetadataResponse",
    {**_METADATA_BASE, "type": enum(2)},
    {**_METADATA_OPTIONAL, "target_user": USER, "target_message_id": SNOWFLAKE},
)
COMPONENT_METADATA = obj(
    "MessageComponentInteractionMetadataResponse",
    {**_METADATA_BASE, "type": enum(3), "interacted_message_id": SNOWFLAKE},
    _METADATA_OPTIONAL,
)
MODAL_METADATA = obj(
    "ModalSubmitInteractionMetadataResponse",
    {
        **_METADATA_BASE,
        "type": enum(5),
        "triggering_interaction_metadata": {"oneOf": [COMMAND_METADATA, COMPONENT_METADATA]},
    },
    _METADATA_OPTIONAL,
)

# MessageAttachmentResponse (AttachmentResponse in discord-api-spec)
ATTACHMENT = obj(
    "MessageAttachmentResponse",
    {"id": SNOWFLAKE, "filename": STRING, "size": INT32, "url": URI, "proxy_url": URI},
    {"content_type": STRING, "description": STRING, "width": nullable(INT32), "height": nullable(INT32)},
)

# MessageResponse
MESSAGE = obj(
    "MessageResponse",
    {
        "type": enum(*range(0, 47)),
        "content": STRING,
        "mentions": array(USER),
        "mention_roles": array(SNOWFLAKE, uniqueItems=True),
        "attachments": array(ATTACHMENT),
        "embeds": array(EMBED),
        "timestamp": DATE_TIME,
        "edited_timestamp": nullable(DATE_TIME),
        "flags": INT32,
        "components": array({"oneOf": [ACTION_ROW, TEXT_DISPLAY]}),
        "id": SNOWFLAKE,
        "channel_id": SNOWFLAKE,
        "author": USER,
        "pinned": BOOL,
        "mention_everyone": BOOL,
        "tts": BOOL,
    },
    {
        "application_id": SNOWFLAKE,
        "webhook_id": SNOWFLAKE,
        "nonce": {"oneOf": [{"type": "integer", "format": "int64"}, {"type": "string", "maxLength": 25}]},
        "message_reference": obj(
            "MessageReferenceResponse",
            {"type": enum(0, 1), "channel_id": SNOWFLAKE},
            {"message_id": SNOWFLAKE, "guild_id": SNOWFLAKE},
            closed=True,
        ),
        "interaction_metadata": {"oneOf": [COMMAND_METADATA, COMPONENT_METADATA, MODAL_METADATA]},
        "position": INT32,
        "thread": THREAD,
    },
)
MESSAGES = {"title": "array of MessageResponse", **nullable(array(MESSAGE))}

# InteractionCallbackResponse (POST /interactions/{id}/{token}/callback?with_response=true)
INTERACTION_CALLBACK = obj(
    "InteractionCallbackResponse",
    {
        "interaction": obj(
            "InteractionResponse",
            {"id": SNOWFLAKE, "type": enum(1, 2, 3, 4, 5, 6)},
            {
                "response_message_id": SNOWFLAKE,
                "response_message_loading": BOOL,
                "response_message_ephemeral": BOOL,
                "activity_instance_id": nullable(STRING),
            },
        )
    },
    {
        "resource": {
            "oneOf": [
                obj("CreateMessageInteractionCallbackResponse", {"type": enum(4), "message": MESSAGE}),
                obj("UpdateMessageInteractionCallbackResponse", {"type": enum(7), "message": MESSAGE}),
                obj("LaunchActivityInteractionCallbackResponse", {"type": enum(12), "activity_instance": ANY}),
            ]
        }
    },
)

# ErrorResponse = Error + errors (ErrorDetails); leaves follow the error reference (see above).
FIELD_ERROR_LEAF = obj(
    "InnerErrors",
    {"_errors": array(obj("Error (field)", {"code": STRING, "message": STRING}), minItems=1)},
    closed=True,
)
FIELD_ERRORS = {
    "$id": "urn:muster:discord:ErrorDetails",
    "title": "ErrorDetails",
    "oneOf": [
        FIELD_ERROR_LEAF,
        {
            "type": "object",
            "not": {"required": ["_errors"]},
            "minProperties": 1,
            "additionalProperties": {"$ref": "urn:muster:discord:ErrorDetails"},
        },
    ],
}
ERROR = obj("ErrorResponse", {"code": {"type": "integer"}, "message": STRING}, {"errors": FIELD_ERRORS})
# RatelimitedResponse (429)
RATE_LIMITED = with_fields(ERROR, "RatelimitedResponse", {"retry_after": NUMBER, "global": BOOL})
