"""What several domains ask Discord about the bot itself and the channels it works in."""

from __future__ import annotations

from django.conf import settings

from core.discord_api.errors import PermanentError

UNKNOWN_CHANNEL, MISSING_ACCESS = 10003, 50001
CATEGORY = 4

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


def guild_and_bot(client, guild_id: int) -> tuple[dict, dict]:
    """The guild (its roles) and the bot as its member (its roles), as Discord reports them."""
    bot_id = bot_user_id(client)
    guild = client.request("GET", "/guilds/{guild_id}", {"guild_id": guild_id})
    bot = client.request("GET", "/guilds/{guild_id}/members/{user_id}", {"guild_id": guild_id, "user_id": bot_id})
    bot.setdefault("user", {"id": str(bot_id)})
    return guild, bot


def category_or_none(client, guild_id: int, category_id: int) -> dict | None:
    """The category as Discord shows it to the bot; None when it is gone, hidden, another
    server's, or not a category."""
    channel = channel_or_none(client, category_id)
    theirs = channel is not None and str(channel.get("guild_id")) == str(guild_id)
    if not theirs or int(channel.get("type", -1)) != CATEGORY:
        return None
    return channel
