"""A protocol-level stand-in for Discord (gateway, REST, limits) with a control API.

Serve ``create_app(bot_token=...)`` (e.g. with ``sandbox.runner.ServerThread``), point
discord.py at it, and drive it with ``sandbox.discord.control.DiscordControl``.
"""

from .app import create_app

__all__ = ["create_app"]
