"""Fixtures for core tests that talk to a real Discord sandbox from this process."""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx
import pytest

from sandbox.discord.control import DiscordControl
from sandbox.runner import ServerThread


@dataclass
class LiveDiscord:
    """The sandbox this process's Discord client talks to, with a guild, a channel and alice."""

    url: str
    control: DiscordControl
    guild_id: int
    channel_id: int
    member_id: int

    def component_payload(self, custom_id: str, *, message: dict | None = None, defer: bool = True) -> dict:
        """Alice clicks ``custom_id`` on a message; the payload a worker gets once the gateway deferred it
        (``defer=False``: before Discord has the acknowledgement, as in HTTP mode's race)."""
        if message is None:
            button = {"type": 2, "style": 1, "label": "Click", "custom_id": custom_id}
            row = {"type": 1, "components": [button]}
            message = self.control.post_message(self.channel_id, self.member_id, "a post", components=[row])
        ix = self.control.inject_component(message_id=message["id"], custom_id=custom_id, user_id=self.member_id)
        callback = f"{self.url}/api/v10/interactions/{ix['id']}/{ix['token']}/callback"
        if defer:
            httpx.post(callback, json={"type": 6}).raise_for_status()  # what the gateway does: defer
        return {
            "id": int(ix["id"]),
            "token": ix["token"],
            "application_id": application_id(),
            "kind": "component",
            "guild_id": self.guild_id,
            "guild_name": "Muster HQ",
            "channel_id": self.channel_id,
            "member": {"id": self.member_id, "username": "alice", "roles": [], "permissions": 0},
            "custom_id": custom_id,
            "message_id": int(message["id"]),
            "created_at": time.time(),
            "acked_at": time.time(),
        }


def application_id() -> int:
    from tests.e2e.conftest import APPLICATION_ID

    return APPLICATION_ID


@pytest.fixture
def live_discord(settings, flush_redis):
    """A sandbox on loopback that ``core.discord_api.get_client()`` in this process talks to."""
    # Imported here: this conftest loads before the root one has configured Django.
    from core.discord_api import client as discord_client
    from tests.e2e.conftest import BOT_TOKEN, sandbox_app

    server = ServerThread(sandbox_app()).start()
    control = DiscordControl(server.url)
    settings.DISCORD_TOKEN = BOT_TOKEN
    settings.DISCORD_API_BASE = f"{server.url}/api/v10"
    discord_client._clients.clear()  # the next get_client() builds one for these settings
    guild = control.create_guild("Muster HQ")
    alice = control.add_member(guild["id"], username="alice")
    yield LiveDiscord(server.url, control, int(guild["id"]), int(guild["channels"][0]["id"]), int(alice["user"]["id"]))
    discord_client._clients.clear()
    control.close()
    server.stop()


@pytest.fixture
def guild(live_discord):
    """The sandbox's guild as Muster knows it, announcing in the sandbox's channel."""
    from core.models import Guild

    return Guild.objects.create(
        id=live_discord.guild_id, name="Muster HQ", announcement_channel_id=live_discord.channel_id
    )


@pytest.fixture
def organiser(guild):
    from core.models import Member

    return Member.objects.create(id=810_000_000_000_000_001, username="olivia")


def member(live_discord, guild, name: str) -> int:
    """A new member of the sandbox's guild, known to Muster as one of ``guild``'s members."""
    from core.models import GuildMember, Member

    made = live_discord.control.add_member(guild.id, username=name)
    user_id = int(made["user"]["id"])
    Member.objects.create(id=user_id, username=name)
    GuildMember.objects.create(guild=guild, member_id=user_id)
    return user_id


def broker_tasks(redis_client, queue: str = "discord") -> list[tuple[str, list]]:
    """The tasks waiting in a Celery queue on Redis, oldest first: (task name, args)."""
    import base64
    import json

    tasks = []
    for raw in reversed(redis_client.lrange(queue, 0, -1)):
        message = json.loads(raw)
        args = json.loads(base64.b64decode(message["body"]))[0]
        tasks.append((message["headers"]["task"], args))
    return tasks
