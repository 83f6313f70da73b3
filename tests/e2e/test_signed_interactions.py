"""Workers run only interactions the gateway signed (issue #10, item 1).

Whoever can put a message on the broker (Flower's API, a shell on the Redis host) could
queue a made-up interaction: any member, administrator permissions, any guild.
"""

from __future__ import annotations

import time

import httpx
import pytest

from core.interactions import signing
from core.interactions.tasks import handle_interaction
from core.interactions.values import PAYLOAD_VERSION
from core.models import CommandLog
from tests.e2e.conftest import APPLICATION_ID, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ADMINISTRATOR = 8


def forged_ping(discord, world) -> dict:
    """What an attacker queues: a real interaction's token, a member made administrator."""
    ix = discord.ping(world)
    # Deferred, as the gateway does first (type 5: "thinking...", ephemeral).
    callback = f"{discord.url}/api/v10/interactions/{ix['id']}/{ix['token']}/callback"
    assert httpx.post(callback, json={"type": 5, "data": {"flags": 64}}, timeout=5).status_code == 204
    now = time.time()
    return {
        "v": PAYLOAD_VERSION,
        "id": int(ix["id"]),
        "token": ix["token"],
        "application_id": APPLICATION_ID,
        "kind": "command",
        "guild_id": world.guild_id,
        "guild_name": "Muster HQ",
        "channel_id": world.channel_id,
        "member": {"id": world.member_id, "username": "alice", "roles": [], "permissions": ADMINISTRATOR},
        "locale": "en-US",
        "ephemeral": True,
        "created_at": now,
        "acked_at": now,
        "command": "muster ping",
        "options": {},
    }


def test_a_worker_refuses_an_unsigned_or_badly_signed_interaction_and_runs_a_signed_one(
    discord, world, muster_worker, start_gateway
):
    start_gateway().stop()  # it synced the commands; the test plays the broker's other writers
    unsigned = forged_ping(discord, world)
    wrong_key = signing.sign(forged_ping(discord, world), key=b"a key the attacker guessed")
    tampered = signing.sign(forged_ping(discord, world))
    tampered["member"]["permissions"] = ADMINISTRATOR | 0x20
    for payload in (unsigned, wrong_key, tampered):
        handle_interaction.apply_async((payload,))
    for payload in (unsigned, wrong_key, tampered):
        muster_worker.wait_for_output(
            rf"WARNING core\.interactions\.tasks interaction {payload['id']} refused: "
            r"it does not carry the gateway's signature"
        )

    signed = signing.sign(forged_ping(discord, world))
    handle_interaction.apply_async((signed,))
    edited = discord.control.wait_for_original_edit(signed["id"], timeout=15)

    assert edited["original"]["content"].startswith("Pong!")
    assert list(CommandLog.objects.values_list("pk", flat=True)) == [signed["id"]]
    refused_ids = {unsigned["id"], wrong_key["id"], tampered["id"]}
    for refused in refused_ids:  # still "thinking...": never edited, nothing followed up
        state = discord.control.interaction(refused)
        assert (state["original"]["history"], state["original"]["content"], state["followups"]) == ([], "", []), state
    output = muster_worker.output()
    assert not any(payload["token"] in output for payload in (unsigned, wrong_key, tampered, signed))


def test_the_gateway_signs_what_it_publishes(discord, world, gateway, muster_worker):
    ix = discord.ping(world)
    edited = discord.control.wait_for_original_edit(ix["id"], timeout=15)
    assert edited["original"]["content"].startswith("Pong!")
    assert "refused" not in muster_worker.output()


@pytest.mark.parametrize("process", ["worker", "gateway"])
def test_the_gateway_and_workers_refuse_to_start_without_the_signing_key(process, muster_env, start_process):
    from tests.e2e.conftest import gateway_argv
    from tests.processes import celery_worker_argv

    env = {key: value for key, value in muster_env.items() if key != "INTERACTION_SIGNING_KEY"}
    argv = celery_worker_argv() if process == "worker" else gateway_argv()
    started = start_process(argv, env, process)
    assert wait_until(lambda: started.process.poll() is not None, timeout=60, what="exit") is True
    assert started.process.returncode != 0
    prefix = "muster worker" if process == "worker" else "muster gateway"
    line = f"{prefix}: INTERACTION_SIGNING_KEY is required: workers run only interactions the gateway signed"
    assert line in started.output().splitlines()
