"""What several domains ask Discord about the bot itself and the channels it works in."""

from __future__ import annotations

from django.conf import settings

from core.discord_api.errors import PermanentError

UNKNOWN_CHANNEL, MISSING_ACCESS = 10003, 50001

_bot_ids: dict[str, int] = {}


def bot_user_id(client) -> int:
    """The bot's user id: the application's (settings), or asked once per API base."""
    if settings.DISCORD_APPLICATION_ID:
        return settings.DISCORD_APPLICATION_ID
    if client.api_base not in _bot_ids:
        _bot_ids[client.api_base] = int(client.request("GET", "/users/@me", {})["id"])
    return _bot_ids[client.api_base]


def channel_or_none(client, channel_id: int) -> dict | None:
    """The channel as Discord shows it to the bot, or None when it is gone or hidden from it."""
    try:
        return client.request("GET", "/channels/{channel_id}", {"channel_id": channel_id})
    except PermanentError as exc:
        if exc.code in (UNKNOWN_CHANNEL, MISSING_ACCESS) or exc.status in (403, 404):
            return None
        raise
