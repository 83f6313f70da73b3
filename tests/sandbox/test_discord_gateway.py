"""The gateway through the real discord.py: sharding, RESUME with replay, close codes."""

from __future__ import annotations

import asyncio
import time

import discord
import pytest

from sandbox.discord.snowflake import DISCORD_EPOCH_MS

from .conftest import BOT_TOKEN, QuickIdentify, SandboxClient, run_async, run_until_ready, stop

pytestmark = pytest.mark.timeout(30)


class ShardedClient(QuickIdentify, discord.AutoShardedClient):
    pass


def guild_id_for_shard(shard: int, num_shards: int, n: int) -> int:
    """A snowflake whose (id >> 22) % num_shards is ``shard``."""
    stamp = int(time.time() * 1000) - DISCORD_EPOCH_MS - 10_000 - n * num_shards
    stamp -= (stamp - shard) % num_shards
    return (stamp << 22) | (n + 1)


def test_it_gives_each_shard_exactly_its_guilds(discord_sandbox):
    ctl = discord_sandbox.control
    ids = [guild_id_for_shard(shard, 2, n) for n in range(3) for shard in (0, 1)]
    for i, guild_id in enumerate(ids):
        ctl.create_guild(f"Guild {i}", guild_id=guild_id)

    async def scenario():
        client = ShardedClient(intents=discord.Intents.default(), shard_count=2, guild_ready_timeout=0.1)
        seen: list[tuple[int, int]] = []

        @client.event
        async def on_guild_available(guild: discord.Guild) -> None:
            seen.append((guild.id, guild.shard_id))

        task = await run_until_ready(client)
        try:
            return sorted(seen), sorted(client.shards)
        finally:
            await stop(client, task)

    seen, shards = run_async(scenario())
    assert shards == [0, 1]
    assert seen == sorted((g, (g >> 22) % 2) for g in ids)
    gateway = ctl.stats()["gateway"]
    assert gateway["events"]["GUILD_CREATE"] == 6
    assert sorted(s["shard"] for s in gateway["sessions"]) == [[0, 2], [1, 2]]


@pytest.mark.parametrize("close_code", [4000, None], ids=["close-frame", "tcp-cut"])
def test_it_resumes_and_replays_events_missed_while_disconnected(discord_sandbox, close_code):
    ctl = discord_sandbox.control
    ctl.enable_intents("MESSAGE_CONTENT")
    guild = ctl.create_guild("Muster HQ")
    channel_id = guild["channels"][0]["id"]
    alice = ctl.add_member(guild["id"], username="alice")["user"]["id"]

    async def scenario():
        intents = discord.Intents.default()
        intents.message_content = True
        client = SandboxClient(intents=intents)
        received: list[str] = []
        resumed, three = asyncio.Event(), asyncio.Event()

        @client.event
        async def on_resumed() -> None:
            resumed.set()

        @client.event
        async def on_message(message: discord.Message) -> None:
            received.append(message.content)
            if len(received) == 3:
                three.set()

        task = await run_until_ready(client)
        try:
            actl = discord_sandbox.actl
            assert await actl.drop_gateway(code=close_code, hold_s=0.5) == 1
            for text in ("first", "second", "third"):
                await actl.post_message(channel_id, alice, text)
            await asyncio.wait_for(asyncio.gather(resumed.wait(), three.wait()), 10)
            return received
        finally:
            await stop(client, task)

    assert run_async(scenario()) == ["first", "second", "third"]
    counters = ctl.stats()["gateway"]["counters"]
    assert (counters["identifies"], counters["resumes"], counters["replayed_events"]) == (1, 1, 3)


def test_it_closes_with_4004_when_the_token_is_no_longer_valid(discord_sandbox):
    async def scenario():
        client = SandboxClient()
        await client.login(BOT_TOKEN)  # REST accepts the token ...
        await discord_sandbox.actl.configure(bot_token="rotated-token")  # ... then it is reset
        try:
            with pytest.raises(discord.ConnectionClosed) as closed:
                await client.connect(reconnect=True)
            return closed.value.code
        finally:
            await client.close()

    assert run_async(scenario()) == 4004


def test_it_refuses_a_bad_token_on_rest_with_401(discord_sandbox):
    async def scenario():
        client = SandboxClient()
        try:
            with pytest.raises(discord.LoginFailure):
                await client.login("not-the-token")
        finally:
            await client.close()

    run_async(scenario())
    assert discord_sandbox.control.stats()["rest"]["statuses"] == {"401": 1}


def test_it_closes_with_4014_for_privileged_intents_not_enabled(discord_sandbox):
    ctl = discord_sandbox.control
    ctl.create_guild("Muster HQ")

    async def scenario():
        client = SandboxClient(intents=discord.Intents.all())
        try:
            with pytest.raises(discord.PrivilegedIntentsRequired):
                await asyncio.wait_for(client.start(BOT_TOKEN), 10)
        finally:
            await client.close()

    run_async(scenario())
    assert ctl.stats()["gateway"]["counters"]["close_4014"] == 1

    ctl.enable_intents("GUILD_MEMBERS", "GUILD_PRESENCES", "MESSAGE_CONTENT")

    async def allowed():
        client = SandboxClient(intents=discord.Intents.all())
        task = await run_until_ready(client)
        try:
            return [len(g.members) for g in client.guilds]
        finally:
            await stop(client, task)

    # With the members intent discord.py chunks each guild: the owner and the bot.
    assert run_async(allowed()) == [2]


def test_a_heartbeat_ack_never_overtakes_discord_pys_record_of_the_send(discord_sandbox):
    # On loopback an instant ACK reached discord.py before its heartbeat thread noted the send,
    # so the latency read as a whole interval: "Can't keep up, shard ID None websocket is 41.3s
    # behind" under make run. Discord's ACK comes after a round trip; so does the sandbox's.
    discord_sandbox.control.configure(heartbeat_interval_ms=100)

    async def scenario():
        client = SandboxClient()
        task = await run_until_ready(client)
        latencies, last_ack = [], None
        try:
            while len(latencies) < 20:
                keep_alive = client.ws._keep_alive
                if keep_alive is not None and keep_alive._last_ack != last_ack:
                    last_ack = keep_alive._last_ack
                    latencies.append(keep_alive.latency)
                await asyncio.sleep(0.005)
        finally:
            await stop(client, task)
        return latencies

    latencies = run_async(scenario())
    assert [round(latency, 1) for latency in latencies if latency >= 0.09] == []
