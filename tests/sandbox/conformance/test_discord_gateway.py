"""What the Discord stand-in dispatches over the gateway, against the event payload docs
(discord/discord-api-docs ``developers/events/gateway-events.mdx``). A raw websocket client
identifies with every intent the events need and collects each dispatch.
"""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest

from sandbox.discord.gateway import intents as I

from ..conftest import BOT_TOKEN, run_async
from .conftest import BUTTONS, COMMANDS
from .schemas import discord_gateway as G
from .validate import problems

pytestmark = pytest.mark.timeout(30)
INTENTS = I.GUILDS | I.GUILD_MEMBERS | I.GUILD_MESSAGES | I.DIRECT_MESSAGES | I.MESSAGE_CONTENT


class Gateway:
    """One session: every payload received, in order."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.received: list[dict] = []

    async def next(self, timeout: float = 5.0) -> dict:
        message = await self.ws.receive(timeout=timeout)
        payload = json.loads(message.data)
        self.received.append(payload)
        return payload

    async def until(self, event: str) -> dict:
        while True:
            payload = await self.next()
            if payload["t"] == event:
                return payload["d"]


def dispatches(gateway: Gateway) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for payload in gateway.received:
        if payload["op"] == 0:
            found.setdefault(payload["t"], []).append(payload["d"])
    return found


def test_every_dispatch_follows_the_event_docs(world):
    world.control.enable_intents("GUILD_MEMBERS", "MESSAGE_CONTENT")
    world.bot.put(f"/applications/{world.app_id}/commands", json=COMMANDS)  # global: DMs too
    gateway = run_async(session(world))

    for payload in gateway.received:
        assert problems(payload, G.ENVELOPE) == [], payload
    assert gateway.received[0]["op"] == 10
    assert problems(gateway.received[0]["d"], G.HELLO) == []
    seen = dispatches(gateway)
    assert sorted(seen) == sorted(set(G.DISPATCHES) - {"RESUMED"})
    for event, payloads in seen.items():
        for data in payloads:
            assert problems(data, G.DISPATCHES[event]) == [], (event, problems(data, G.DISPATCHES[event]))
    assert [(i["type"], "member" in i) for i in seen["INTERACTION_CREATE"]] == [
        (2, True),
        (3, True),
        (5, True),
        (2, False),
    ]
    assert "guild_id" not in seen["MESSAGE_CREATE"][-1]  # the direct message
    assert "unavailable" not in seen["GUILD_CREATE"][-1]  # the guild the bot just joined


async def session(world) -> Gateway:
    ctl = world.control
    url = world.api.replace("http://", "ws://").replace("/api/v10", "/?v=10&encoding=json")
    async with aiohttp.ClientSession() as http, http.ws_connect(url) as ws:
        gateway = Gateway(ws)
        await gateway.next()  # HELLO
        identify = {
            "token": BOT_TOKEN,
            "intents": INTENTS,
            "properties": {"os": "linux", "browser": "t", "device": "t"},
        }
        await ws.send_json({"op": 2, "d": identify})
        await gateway.until("READY")
        await gateway.until("GUILD_CREATE")

        async def act(call, *args, **kwargs):
            return await asyncio.to_thread(call, *args, **kwargs)

        channel = await act(ctl.create_channel, world.guild_id, "plans")
        await act(ctl.update_channel, channel["id"], topic="Plans")
        await act(ctl.delete_channel, channel["id"])
        role = await act(ctl.create_role, world.guild_id, "Helpers")
        await act(ctl.update_role, world.guild_id, role["id"], name="Stewards")
        await act(ctl.delete_role, world.guild_id, role["id"])
        carol = (await act(ctl.add_member, world.guild_id, username="carol"))["user"]["id"]
        await act(ctl.update_member, world.guild_id, carol, nick="Caz")
        written = await act(ctl.post_message, world.channel_id, world.alice, "hello <@1>", tts=True)
        await act(ctl.edit_message, written["id"], content="hello again")
        await act(ctl.delete_message, written["id"])
        await act(ctl.remove_member, world.guild_id, carol)

        posted = world.bot.post(
            f"/channels/{world.channel_id}/messages", json={"content": "x", "components": [BUTTONS]}
        )
        await act(ctl.inject_command, "event", subcommand="create", channel_id=world.channel_id, user_id=world.alice)
        await gateway.until("INTERACTION_CREATE")
        click = await act(
            ctl.inject_component, message_id=posted.json()["id"], custom_id="event:going:1", user_id=world.alice
        )
        modal = {
            "custom_id": "m",
            "title": "T",
            "components": [{"type": 1, "components": [{"type": 4, "custom_id": "t", "label": "T", "style": 1}]}],
        }
        world.anon.post(f"/interactions/{click['id']}/{click['token']}/callback", json={"type": 9, "data": modal})
        await act(
            ctl.inject_modal_submit, channel_id=world.channel_id, user_id=world.alice, custom_id="m", fields={"t": "x"}
        )

        dm = world.bot.post("/users/@me/channels", json={"recipient_id": world.alice}).json()
        await act(ctl.inject_command, "event", subcommand="create", channel_id=dm["id"], user_id=world.alice)
        await gateway.until("INTERACTION_CREATE")
        await act(ctl.post_message, dm["id"], world.alice, "a direct message")
        await gateway.until("MESSAGE_CREATE")

        await ws.send_json({"op": 8, "d": {"guild_id": world.guild_id, "query": "", "limit": 0, "nonce": "n1"}})
        await gateway.until("GUILD_MEMBERS_CHUNK")
        other = await act(ctl.create_guild, "Later", with_bot=False)
        await act(ctl.add_bot, other["id"])
        await gateway.until("GUILD_CREATE")
        await act(ctl.remove_bot, other["id"])
        await gateway.until("GUILD_DELETE")
    return gateway
