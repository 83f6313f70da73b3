"""``python manage.py run_gateway``: connect to Discord and answer interactions."""

from __future__ import annotations

import asyncio
import logging
import sys

import discord
import redis
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection

from core.interactions import signing
from discord_gateway.client import build_client, not_about_voice
from discord_gateway.publish import publisher, stop_publisher

log = logging.getLogger("discord_gateway")

# The publisher thread gives up the GIL on every socket call and os.urandom (task ids); at
# CPython's default 5 ms switch interval a busy event loop holds it so long that the
# thread publishes about 370 tasks/s, below a burst of clicks; at 1 ms, about 1000/s.
GIL_SWITCH_INTERVAL_S = 0.001


def fail(reason: str) -> SystemExit:
    return SystemExit(f"muster gateway: {reason}")


class Command(BaseCommand):
    help = "Run the Discord gateway: answer interactions within 3 s and hand them to workers."

    def handle(self, *args, **options):
        if not settings.DISCORD_TOKEN:
            raise fail("DISCORD_TOKEN is not set (`make run` without it starts the sandbox instead)")
        try:
            signing.signing_key()
        except signing.SigningKeyMissing as exc:
            raise fail(str(exc)) from None
        self.check_database()
        self.check_broker()
        logging.getLogger("discord.client").addFilter(not_about_voice)
        Route.BASE = settings.DISCORD_API_BASE
        if settings.DISCORD_GATEWAY_URL:
            DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.DISCORD_GATEWAY_URL)
        if settings.DISCORD_API_BASE != "https://discord.com/api/v10":
            log.info("using the Discord API at %s", settings.DISCORD_API_BASE)
        client = build_client(
            shard_count=settings.SHARD_COUNT, shard_ids=settings.SHARD_IDS, dev_guild_id=settings.DISCORD_DEV_GUILD_ID
        )
        try:
            asyncio.run(self.run(client))
        except discord.LoginFailure:
            raise fail("Discord rejected DISCORD_TOKEN (check the bot token in the Developer Portal)") from None
        except discord.PrivilegedIntentsRequired:
            raise fail(
                "the Server Members intent is not granted: enable it in the Developer Portal, "
                "Bot → Privileged Gateway Intents"
            ) from None
        except KeyboardInterrupt:
            pass

    async def run(self, client: discord.Client) -> None:
        sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
        publisher()  # its thread connects to the broker before the first interaction
        try:
            async with client:
                await client.start(settings.DISCORD_TOKEN)
        finally:
            # Publish what is still queued; a blocking join, but the loop has nothing left to serve.
            stop_publisher()

    def check_database(self) -> None:
        try:
            connection.ensure_connection()
        except Exception as exc:
            raise fail(f"the database is unreachable ({type(exc).__name__})") from None
        finally:
            connection.close()  # the gateway only reads, through the async ORM, later

    def check_broker(self) -> None:
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=2, socket_timeout=2)
        try:
            client.ping()
        except redis.RedisError as exc:
            raise fail(f"the broker (REDIS_URL) is unreachable ({type(exc).__name__})") from None
        finally:
            client.close()
