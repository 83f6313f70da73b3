"""REST limits and validation, through discord.py's own limiter and through raw httpx."""

from __future__ import annotations

import asyncio

import discord
import httpx
import pytest

from .conftest import BOT_TOKEN, SandboxClient, run_async, run_until_ready, stop

pytestmark = pytest.mark.timeout(30)
AUTH = {"Authorization": f"Bot {BOT_TOKEN}"}


def test_discord_py_limiter_sends_300_messages_without_a_single_429(discord_sandbox):
    ctl = discord_sandbox.control
    ctl.set_limits(global_per_s=10_000, routes={"messages:create": (5, 0.05)})
    channel_id = int(ctl.create_guild("Muster HQ")["channels"][0]["id"])

    async def scenario():
        client = SandboxClient()
        task = await run_until_ready(client)
        try:
            channel = client.get_channel(channel_id)
            await asyncio.gather(*(channel.send(f"message {i}") for i in range(300)))
        finally:
            await stop(client, task)

    run_async(scenario(), timeout=25)
    rest = ctl.stats()["rest"]
    assert rest["requests"]["POST /channels/{channel_id}/messages"] == 300
    assert rest["ratelimited_total"] == 0
    assert rest["invalid_requests"] == 0
    assert sorted(m["content"] for m in ctl.messages(channel_id)) == sorted(f"message {i}" for i in range(300))


def test_exceeding_limits_gets_429s_with_discords_body_and_headers(discord_sandbox):
    ctl = discord_sandbox.control
    ctl.set_limits(routes={"messages:create": (2, 30.0)})
    channel_id, other_channel = (
        c["id"] for c in ctl.create_guild("Muster HQ", channels=["general", "other"])["channels"]
    )
    url = f"{discord_sandbox.api}/channels/{channel_id}/messages"
    with httpx.Client(headers=AUTH) as http:
        first, second, third = (http.post(url, json={"content": str(i)}) for i in range(3))
        elsewhere = http.post(f"{discord_sandbox.api}/channels/{other_channel}/messages", json={"content": "x"})

        ctl.set_limits(global_per_s=2)
        me = [http.get(f"{discord_sandbox.api}/users/@me") for _ in range(3)]

    assert (first.status_code, second.status_code, third.status_code) == (200, 200, 429)
    assert first.headers["Content-Type"] == "application/json"
    assert first.headers["X-RateLimit-Limit"] == "2"
    assert (first.headers["X-RateLimit-Remaining"], second.headers["X-RateLimit-Remaining"]) == ("1", "0")
    assert first.headers["X-RateLimit-Bucket"] == third.headers["X-RateLimit-Bucket"]
    body = third.json()
    assert body["message"] == "You are being rate limited."
    assert body["global"] is False
    assert body["code"] == 0
    assert 29 < body["retry_after"] <= 30
    assert third.headers["X-RateLimit-Scope"] == "user"
    assert third.headers["Retry-After"] == "30"
    assert third.headers["Via"] == "1.1 google"
    assert elsewhere.status_code == 200  # buckets are per channel (major parameter)

    assert [r.status_code for r in me] == [200, 200, 429]
    assert me[2].json()["global"] is True
    assert me[2].headers["X-RateLimit-Scope"] == "global"
    assert me[2].headers["X-RateLimit-Global"] == "true"
    rest = ctl.stats()["rest"]
    assert rest["ratelimited"] == {"user": 1, "global": 1}
    assert rest["invalid_requests"] == 2


def test_it_validates_messages_and_dms_as_discord_does(discord_sandbox):
    ctl = discord_sandbox.control
    guild = ctl.create_guild("Muster HQ")
    channel_id = int(guild["channels"][0]["id"])
    closed = ctl.add_member(guild["id"], username="bob", dms_open=False)["user"]["id"]
    open_ = ctl.add_member(guild["id"], username="carol")["user"]["id"]

    async def scenario():
        client = SandboxClient()
        task = await run_until_ready(client)
        try:
            channel = client.get_channel(channel_id)
            with pytest.raises(discord.HTTPException) as too_long:
                await channel.send("x" * 2001)
            with pytest.raises(discord.Forbidden) as dm_refused:
                await (await client.fetch_user(int(closed))).send("hello")
            await (await client.fetch_user(int(open_))).send("hello carol")
            return too_long.value, dm_refused.value
        finally:
            await stop(client, task)

    too_long, dm_refused = run_async(scenario())
    assert (too_long.status, too_long.code) == (400, 50035)
    assert (dm_refused.status, dm_refused.code) == (403, 50007)
    assert [m["content"] for m in ctl.dms(open_)] == ["hello carol"]
    assert ctl.dms(closed) == []

    url = f"{discord_sandbox.api}/channels/{channel_id}/messages"
    embed = {"title": "t" * 257, "fields": [{"name": "n", "value": "v" * 1025}]}
    with httpx.Client(headers=AUTH) as http:
        long_body = http.post(url, json={"content": "x" * 2001}).json()
        embed_body = http.post(url, json={"embeds": [embed]}).json()
        empty = http.post(url, json={"content": ""})
    assert long_body == {
        "message": "Invalid Form Body",
        "code": 50035,
        "errors": {
            "content": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 2000 or fewer in length."}]}
        },
    }
    assert embed_body["errors"]["embeds"]["0"]["title"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"
    assert embed_body["errors"]["embeds"]["0"]["fields"]["0"]["value"]["_errors"][0]["message"] == (
        "Must be 1024 or fewer in length."
    )
    assert (empty.status_code, empty.json()["code"]) == (400, 50006)


def test_it_refuses_late_and_second_acknowledgements(discord_sandbox):
    ctl = discord_sandbox.control
    ctl.configure(interaction_deadline_s=0.2)
    guild = ctl.create_guild("Muster HQ")
    channel_id = guild["channels"][0]["id"]
    alice = ctl.add_member(guild["id"], username="alice")["user"]["id"]
    errors: dict[str, discord.HTTPException] = {}

    async def scenario():
        client = SandboxClient()

        @client.tree.command(name="late", description="Answers after the deadline")
        async def late(interaction: discord.Interaction) -> None:
            await asyncio.sleep(0.3)
            try:
                await interaction.response.send_message("too late")
            except discord.HTTPException as error:
                errors["late"] = error

        @client.tree.command(name="ack", description="Answers at once")
        async def ack(interaction: discord.Interaction) -> None:
            await interaction.response.defer()

        task = await run_until_ready(client)
        try:
            await client.tree.sync()
            late_ix = await discord_sandbox.actl.inject_command("late", channel_id=channel_id, user_id=alice)
            refused = await discord_sandbox.actl.wait_for_response(late_ix["id"], include_refused=True)
            ack_ix = await discord_sandbox.actl.inject_command("ack", channel_id=channel_id, user_id=alice)
            await discord_sandbox.actl.wait_for_response(ack_ix["id"])
            return refused, ack_ix
        finally:
            await stop(client, task)

    refused, ack_ix = run_async(scenario())
    assert (errors["late"].status, errors["late"].code) == (404, 10062)
    assert refused["response"] is None
    assert [(r["status"], r["code"]) for r in refused["refused"]] == [(404, 10062)]
    assert refused["refused"][0]["elapsed_s"] > 0.2

    # discord.py never acknowledges twice itself, so the second acknowledgement goes raw.
    callback = f"{discord_sandbox.api}/interactions/{ack_ix['id']}/{ack_ix['token']}/callback"
    second = httpx.post(callback, json={"type": 4, "data": {"content": "again"}})
    assert second.status_code == 400
    assert second.json() == {"message": "Interaction has already been acknowledged.", "code": 40060}


def test_an_enforced_nonce_returns_the_first_message_instead_of_posting_again(discord_sandbox):
    ctl = discord_sandbox.control
    channel_id = int(ctl.create_guild("Muster HQ")["channels"][0]["id"])
    url = f"{discord_sandbox.api}/channels/{channel_id}/messages"
    enforced = {"content": "once", "nonce": "outbox-key-hash", "enforce_nonce": True}

    first = httpx.post(url, json=enforced, headers=AUTH)
    again = httpx.post(url, json=enforced, headers=AUTH)
    unenforced = httpx.post(url, json={**enforced, "enforce_nonce": False}, headers=AUTH)
    other = httpx.post(url, json={**enforced, "nonce": "another"}, headers=AUTH)

    assert [r.status_code for r in (first, again, unenforced, other)] == [200, 200, 200, 200]
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["nonce"] == "outbox-key-hash"
    assert len({first.json()["id"], unenforced.json()["id"], other.json()["id"]}) == 3
    assert [m["content"] for m in ctl.messages(channel_id)] == ["once", "once", "once"]
