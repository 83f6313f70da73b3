"""REST under /api/v10: the routes discord.py uses, with Discord's errors and limits."""

from aiohttp import web

from . import channels, commands, guilds, interactions, users


def install(app: web.Application) -> None:
    """Add every REST route to ``app``."""
    for module in (users, commands, interactions, channels, guilds):
        module.routes.install(app)
