"""Discord's REST API for workers: ``get_client()`` and the errors it raises."""

from core.discord_api.client import DiscordClient, get_client
from core.discord_api.errors import DiscordError, InvalidMessage, PermanentError, TransientError

__all__ = ["DiscordClient", "DiscordError", "InvalidMessage", "PermanentError", "TransientError", "get_client"]
