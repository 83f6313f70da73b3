"""REST under /api/v10: the routes discord.py uses, with Discord's errors and limits."""

from aiohttp import web

from . import channels, commands, guilds, interactions, scheduled_events, threads, users


def install(app: web.Application) -> None:
    """Add every REST route to ``app``."""
    for module in (users, commands, interactions, channels, threads, guilds, scheduled_events):
        module.routes.install(app)
