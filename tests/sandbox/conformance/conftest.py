"""The Discord world the conformance tests drive: a guild, a role, two members, raw clients."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest

from sandbox.discord.ratelimit import DEFAULT_ROUTE_LIMITS

from ..conftest import BOT_TOKEN

BUTTONS = {
    "type": 1,
    "components": [
        {"type": 2, "style": 1, "label": "Going", "custom_id": "event:going:1"},
        {"type": 2, "style": 5, "label": "Map", "url": "https://example.org/map"},
    ],
}
SELECT = {"type": 1, "components": [{"type": 3, "custom_id": "pick", "options": [{"label": "A", "value": "a"}]}]}
EMBED = {"title": "Picnic", "description": "In the park", "fields": [{"name": "Going", "value": "alice"}]}
COMMANDS = [
    {
        "name": "event",
        "description": "Events",
        "options": [
            {
                "type": 1,
                "name": "create",
                "description": "Create an event",
                "options": [{"type": 3, "name": "title", "description": "Title", "autocomplete": True}],
            }
        ],
    },
    {"name": "Report", "type": 3, "description": ""},
]


@dataclass
class World:
    api: str
    bot: httpx.Client
    anon: httpx.Client
    app_id: str
    guild_id: str
    channel_id: str
    role_id: str
    alice: str
    closed: str
    control: object


@pytest.fixture
def world(discord_sandbox):
    """A guild with two channels, an Organisers role, alice (an organiser) and bob (DMs closed).

    Route limits are lifted (the 429 test sets its own): these tests check shapes, not pacing.
    """
    ctl = discord_sandbox.control
    ctl.set_limits(global_per_s=10_000, routes={bucket: (1000, 1.0) for bucket in DEFAULT_ROUTE_LIMITS})
    guild = ctl.create_guild("Muster HQ", channels=["general", "events"])
    role = ctl.create_role(guild["id"], "Organisers", permissions=1 << 5)
    alice = ctl.add_member(guild["id"], username="alice", roles=[role["id"]])["user"]["id"]
    closed = ctl.add_member(guild["id"], username="bob", dms_open=False)["user"]["id"]
    bot = httpx.Client(base_url=discord_sandbox.api, headers={"Authorization": f"Bot {BOT_TOKEN}"})
    anon = httpx.Client(base_url=discord_sandbox.api)
    app_id = bot.get("/applications/@me").json()["id"]
    yield World(
        discord_sandbox.api,
        bot,
        anon,
        app_id,
        guild["id"],
        guild["channels"][0]["id"],
        role["id"],
        alice,
        closed,
        ctl,
    )
    bot.close()
    anon.close()
