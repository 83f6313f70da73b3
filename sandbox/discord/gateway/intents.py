"""Gateway intents and opcodes as documented."""

from __future__ import annotations

GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_MODERATION = 1 << 2
GUILD_PRESENCES = 1 << 8
GUILD_MESSAGES = 1 << 9
DIRECT_MESSAGES = 1 << 12
MESSAGE_CONTENT = 1 << 15

PRIVILEGED = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT
# Bits 0-25 are defined today; anything above is an invalid intent (close 4013).
VALID = (1 << 26) - 1

PRIVILEGED_BY_NAME = {
    "GUILD_MEMBERS": GUILD_MEMBERS,
    "GUILD_PRESENCES": GUILD_PRESENCES,
    "MESSAGE_CONTENT": MESSAGE_CONTENT,
}

# Application flags that say a privileged intent is enabled for the app.
APP_FLAG_FOR_INTENT = {
    GUILD_PRESENCES: 1 << 12,
    GUILD_MEMBERS: 1 << 14,
    MESSAGE_CONTENT: 1 << 18,
}

DISPATCH = 0
HEARTBEAT = 1
IDENTIFY = 2
PRESENCE_UPDATE = 3
VOICE_STATE_UPDATE = 4
RESUME = 6
RECONNECT = 7
REQUEST_GUILD_MEMBERS = 8
INVALID_SESSION = 9
HELLO = 10
HEARTBEAT_ACK = 11
