"""Fault injection, the global-limit exemption of interaction routes, token expiry, events."""

from __future__ import annotations

import asyncio

import discord
import httpx
import pytest

from .conftest import BOT_TOKEN, SandboxClient, run_async, run_until_ready, stop

pytestmark = pytest.mark.timeout(30)
AUTH = {"Authorization": f"Bot {BOT_TOKEN}"}


def test_injected_faults_hit_only_matching_requests(discord_sandbox):
    ctl = discord_sandbox.control
    channel_id = ctl.create_guild("Muster HQ")["channels"][0]["id"]
    url = f"{discord_sandbox.api}/channels/{channel_id}/messages"
    ctl.inject_fault("error", "/channels/*/messages", method="POST", count=1, status=502)
    ctl.inject_fault("ratelimit", "/users/@me", retry_after=2.5, scope="shared", count=1)
    with httpx.Client(headers=AUTH) as http:
        failed, sent = http.post(url, json={"content": "a"}), http.post(url, json={"content": "b"})
        shared, me = http.get(f"{discord_sandbox.api}/users/@me"), http.get(f"{discord_sandbox.api}/users/@me")
    assert (failed.status_code, sent.status_code) == (502, 200)
    assert (shared.status_code, me.status_code) == (429, 200)
    assert shared.json() == {
        "message": "The resource is being rate limited.",
        "retry_after": 2.5,
        "global": False,
        "code": 0,
    }
    assert shared.headers["X-RateLimit-Scope"] == "shared"
    assert ctl.stats()["rest"]["invalid_requests"] == 0  # shared-scope 429s do not count
    assert [m["content"] for m in ctl.messages(channel_id)] == ["b"]


def test_interaction_routes_ignore_the_global_limit_and_tokens_expire(discord_sandbox):
    ctl = discord_sandbox.control
    guild = ctl.create_guild("Muster HQ")
    channel_id = guild["channels"][0]["id"]
    alice = ctl.add_member(guild["id"], username="alice")["user"]["id"]
    with httpx.Client(headers=AUTH) as http:
        app_id = http.get(f"{discord_sandbox.api}/oauth2/applications/@me").json()["id"]
        command = {"name": "ping", "description": "Ping", "type": 1}
        assert http.put(f"{discord_sandbox.api}/applications/{app_id}/commands", json=[command]).status_code == 200
    ctl.set_limits(global_per_s=1)
    ix = ctl.inject_command("ping", channel_id=channel_id, user_id=alice)
    base = discord_sandbox.api
    with httpx.Client() as http:
        assert http.get(f"{base}/users/@me", headers=AUTH).status_code == 200
        assert http.get(f"{base}/users/@me", headers=AUTH).status_code == 429
        answered = http.post(f"{base}/interactions/{ix['id']}/{ix['token']}/callback", json={"type": 5})
        followup = http.post(f"{base}/webhooks/{app_id}/{ix['token']}?wait=true", json={"content": "filled"})
        ctl.configure(token_ttl_s=0)
        expired = http.post(f"{base}/webhooks/{app_id}/{ix['token']}", json={"content": "late"})
    assert answered.status_code == 204
    assert (followup.status_code, followup.json()["content"]) == (200, "filled")
    assert ctl.interaction(ix["id"])["original"]["content"] == "filled"
    assert (expired.status_code, expired.json()) == (401, {"message": "Invalid Webhook Token", "code": 50027})


def test_rest_and_control_changes_reach_the_bot_as_gateway_events(discord_sandbox):
    ctl = discord_sandbox.control
    ctl.enable_intents("GUILD_MEMBERS")
    guild = ctl.create_guild("Muster HQ")
    later = ctl.create_guild("Later", with_bot=False)

    async def scenario():
        intents = discord.Intents.default()
        intents.members = True
        client = SandboxClient(intents=intents)
        events: list[str] = []
        joined = asyncio.Event()

        @client.event
        async def on_member_join(member):
            events.append(f"join {member.name}")

        @client.event
        async def on_guild_role_create(role):
            events.append(f"role {role.name}")

        @client.event
        async def on_guild_channel_create(channel):
            events.append(f"channel {channel.name}")

        @client.event
        async def on_guild_join(joined_guild):
            events.append(f"guild {joined_guild.name}")
            joined.set()

        task = await run_until_ready(client)
        try:
            actl = discord_sandbox.actl
            await actl.add_member(guild["id"], username="dave")
            await client.get_guild(int(guild["id"])).create_role(name="Drivers")
            await client.get_guild(int(guild["id"])).create_text_channel("carpool")
            await actl.add_bot(later["id"])
            await asyncio.wait_for(joined.wait(), 5)
            return events
        finally:
            await stop(client, task)

    assert run_async(scenario()) == ["join dave", "role Drivers", "channel carpool", "guild Later"]
