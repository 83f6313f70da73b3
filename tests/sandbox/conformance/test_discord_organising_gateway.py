"""Issue 18's gateway events: what a raw session receives (against the event docs, with the
intents gateway.mdx lists), and what the real discord.py makes of them and of the routes.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import aiohttp
import discord
import pytest

from sandbox.discord import permissions as P
from sandbox.discord.gateway import intents as I

from ..conftest import BOT_TOKEN, SandboxClient, run_async, run_until_ready, stop
from .schemas import discord_gateway as G
from .test_discord_organising import external
from .validate import problems

pytestmark = pytest.mark.timeout(60)
FULL = I.GUILDS | I.GUILD_MEMBERS | I.GUILD_MESSAGES | I.GUILD_SCHEDULED_EVENTS


class Session:
    """A raw gateway session: every dispatch received, in order."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.events: list[tuple[str, dict]] = []

    async def until(self, event: str, match=lambda d: True) -> dict:
        while True:
            message = await self.ws.receive(timeout=5.0)
            payload = json.loads(message.data)
            if payload["op"] != 0:
                continue
            self.events.append((payload["t"], payload["d"]))
            if payload["t"] == event and match(payload["d"]):
                return payload["d"]

    def named(self, event: str) -> list[dict]:
        return [d for t, d in self.events if t == event]


async def identify(http, url: str, intents: int) -> Session:
    ws = await http.ws_connect(url)
    session = Session(ws)
    await ws.receive(timeout=5.0)  # HELLO
    properties = {"os": "linux", "browser": "t", "device": "t"}
    await ws.send_json({"op": 2, "d": {"token": BOT_TOKEN, "intents": intents, "properties": properties}})
    await session.until("READY")
    await session.until("GUILD_CREATE")
    session.events.clear()
    return session


def act(world) -> None:
    """Every change issue 18 adds, through the bot's REST routes and the control API."""
    bot, ctl, guild = world.bot, world.control, world.guild_id
    message = bot.post(f"/channels/{world.channel_id}/messages", json={"content": "Picnic"}).json()
    thread = bot.post(f"/channels/{world.channel_id}/messages/{message['id']}/threads", json={"name": "Picnic"}).json()
    bot.put(f"/channels/{thread['id']}/thread-members/{world.alice}")
    bot.patch(f"/channels/{thread['id']}", json={"archived": True})
    bot.patch(f"/channels/{thread['id']}", json={"archived": False})
    bot.delete(f"/channels/{thread['id']}/thread-members/@me")
    bot.delete(f"/channels/{thread['id']}")
    category = bot.post(f"/guilds/{guild}/channels", json={"name": "Org", "type": 4}).json()
    channel = bot.post(f"/guilds/{guild}/channels", json={"name": "plan", "parent_id": category["id"]}).json()
    deny = {"type": 0, "allow": "0", "deny": str(P.VIEW_CHANNEL)}
    bot.put(f"/channels/{channel['id']}/permissions/{guild}", json=deny)  # now the bot cannot see it either
    bot.delete(f"/channels/{category['id']}")  # its channel stays, without a category
    role = bot.post(f"/guilds/{guild}/roles", json={"name": "Helpers"}).json()
    bot.patch(f"/guilds/{guild}/members/{world.alice}", json={"roles": [role["id"]]})
    event = bot.post(f"/guilds/{guild}/scheduled-events", json=external()).json()
    ctl.mark_interested(guild, event["id"], world.alice)
    ctl.mark_interested(guild, event["id"], world.alice, interested=False)
    bot.patch(f"/guilds/{guild}/scheduled-events/{event['id']}", json={"status": 2})
    bot.delete(f"/guilds/{guild}/scheduled-events/{event['id']}")
    bot.post(f"/channels/{world.channel_id}/threads", json={"name": "Kept", "type": 11})
    bot.post(f"/guilds/{guild}/scheduled-events", json=external("Kept"))
    ctl.remove_bot(guild)
    ctl.add_bot(guild)  # GUILD_CREATE again, with the active threads and the events
    bot.post(f"/guilds/{guild}/channels", json={"name": "marker"})


def test_each_event_follows_the_docs_and_its_intent(world):
    world.control.enable_intents("GUILD_MEMBERS")
    url = world.api.replace("http://", "ws://").replace("/api/v10", "/?v=10&encoding=json")

    async def scenario():
        async with aiohttp.ClientSession() as http:
            full, bare = await identify(http, url, FULL), await identify(http, url, I.GUILDS)
            await asyncio.to_thread(act, world)
            for session in (full, bare):
                await session.until("CHANNEL_CREATE", lambda d: d["name"] == "marker")
                await session.ws.close()
            return full, bare

    full, bare = run_async(scenario())
    full.events = [(t, d) for t, d in full.events if t not in ("MESSAGE_CREATE", "GUILD_DELETE")]  # the first test's
    for event, data in full.events:
        assert problems(data, G.ORGANISING_DISPATCHES[event]) == [], (event, data)
    assert {t for t, _ in full.events} == set(G.ORGANISING_DISPATCHES)
    added, removed = full.named("THREAD_MEMBERS_UPDATE")
    assert [m["user_id"] for m in added["added_members"]] == [world.alice]
    assert removed["removed_member_ids"] == [world.app_id]
    assert full.named("THREAD_CREATE")[0]["newly_created"] is True
    assert full.named("MESSAGE_UPDATE")[0]["thread"]["id"] == full.named("THREAD_CREATE")[0]["id"]
    rejoined = full.named("GUILD_CREATE")[-1]
    assert [t["name"] for t in rejoined["threads"]] == ["Kept"]
    assert [e["name"] for e in rejoined["guild_scheduled_events"]] == ["Kept"]
    assert [d["thread_metadata"]["archived"] for d in full.named("THREAD_UPDATE")] == [True, False]
    updates = full.named("GUILD_SCHEDULED_EVENT_UPDATE")
    assert [d["status"] for d in updates] == [2]

    # Without GUILD_SCHEDULED_EVENTS no event news; without GUILD_MEMBERS only the bot's own
    # thread membership, as gateway-events.mdx says of THREAD_MEMBERS_UPDATE.
    seen = {t for t, _ in bare.events}
    assert not {t for t in seen if t.startswith("GUILD_SCHEDULED_EVENT")}
    assert "GUILD_MEMBER_UPDATE" not in seen
    assert [d.get("removed_member_ids") for d in bare.named("THREAD_MEMBERS_UPDATE")] == [[world.app_id]]
    assert {"THREAD_CREATE", "THREAD_UPDATE", "THREAD_DELETE", "CHANNEL_UPDATE"} <= seen


def test_discord_py_drives_threads_overwrites_roles_and_events(discord_sandbox):
    ctl = discord_sandbox.control
    ctl.enable_intents("GUILD_MEMBERS")
    guild_view = ctl.create_guild("Muster HQ")
    alice_id = int(ctl.add_member(guild_view["id"], username="alice")["user"]["id"])
    channel_id = int(guild_view["channels"][0]["id"])

    async def scenario():
        intents = discord.Intents.default()
        intents.members = True
        client = SandboxClient(intents=intents, chunk_guilds_at_startup=True)
        heard: dict[str, list] = {}

        def listen(name: str):
            async def handler(*args) -> None:
                heard.setdefault(name, []).append(args)

            handler.__name__ = f"on_{name}"
            client.event(handler)

        for name in (
            "thread_create",
            "thread_update",
            "thread_member_join",
            "thread_delete",
            "guild_channel_create",
            "guild_channel_update",
            "member_update",
            "scheduled_event_create",
            "scheduled_event_update",
            "scheduled_event_user_add",
            "scheduled_event_delete",
        ):
            listen(name)
        task = await run_until_ready(client)
        try:
            guild = client.get_guild(int(guild_view["id"]))
            channel = guild.get_channel(channel_id)
            message = await channel.send("Picnic on Sunday")
            thread = await message.create_thread(name="Picnic", auto_archive_duration=1440)
            await thread.add_user(discord.Object(alice_id))
            members = await thread.fetch_members()
            await thread.edit(archived=True)

            category = await guild.create_category("Organisers")
            hidden = {
                guild.default_role: discord.PermissionOverwrite(view_channel=False),
                guild.me: discord.PermissionOverwrite(view_channel=True),
            }
            planning = await guild.create_text_channel("planning", category=category, overwrites=hidden)
            alice = await guild.fetch_member(alice_id)
            await planning.set_permissions(alice, view_channel=True)

            role = await guild.create_role(name="Helpers")
            await alice.add_roles(role)

            start = datetime.now(UTC) + timedelta(days=1)
            event = await guild.create_scheduled_event(
                name="Picnic",
                start_time=start,
                end_time=start + timedelta(hours=2),
                entity_type=discord.EntityType.external,
                location="The park",
                privacy_level=discord.PrivacyLevel.guild_only,
            )
            await discord_sandbox.actl.mark_interested(guild.id, event.id, alice_id)
            interested = [u.id async for u in event.users()]
            started = await event.start()
            await asyncio.sleep(0.3)  # the last events' dispatch
            return {
                "thread": (thread.id, thread.parent_id, thread.auto_archive_duration),
                "members": sorted(m.id for m in members),
                "planning": (planning.category_id, planning.overwrites_for(guild.default_role).view_channel),
                "alice_roles": [r.name for r in (await guild.fetch_member(alice_id)).roles],
                "event": (event.location, event.status, started.status, interested),
                "heard": {k: len(v) for k, v in heard.items()},
            }
        finally:
            await stop(client, task)

    seen = run_async(scenario(), timeout=40)
    assert seen["thread"][1:] == (channel_id, 1440)
    assert seen["members"] == sorted([alice_id, int(ctl.application()["id"])])
    assert seen["planning"][1] is False and seen["planning"][0] is not None
    assert seen["alice_roles"] == ["@everyone", "Helpers"]
    location, status, started, interested = seen["event"]
    assert (location, status, started, interested) == (
        "The park",
        discord.EventStatus.scheduled,
        discord.EventStatus.active,
        [alice_id],
    )
    assert ctl.permissions_in(ctl.threads(channel_id)[0]["parent_id"], alice_id)["view_channel"] is True
    heard = seen["heard"]
    for name in ("thread_create", "thread_member_join", "guild_channel_create", "scheduled_event_create"):
        assert heard.get(name, 0) >= 1, (name, heard)
    assert heard["thread_update"] == 1 and heard["member_update"] == 1
    assert heard["scheduled_event_update"] == 1 and heard["scheduled_event_user_add"] == 1
