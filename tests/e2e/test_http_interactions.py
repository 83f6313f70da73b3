"""HTTP interactions mode end to end: sandbox Discord POSTs signed interactions to a real
web process (gunicorn), which answers them in the response and enqueues them for a real
worker; the gateway still runs, for guild and member events. Forged, unsigned and
replayed requests get 401 and change nothing.
"""

from __future__ import annotations

import json

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from core.models import CommandLog
from devtools.ports import free_port
from polls.models import Poll
from sandbox.discord.world.interactions import interaction_payload
from tests.e2e.conftest import wait_until
from tests.processes import web_argv

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def web(discord, start_process, muster_env) -> str:
    """A web process answering the sandbox application's interactions; its endpoint URL."""
    port = free_port()
    env = {**muster_env, "DISCORD_PUBLIC_KEY": discord.control.application()["verify_key"]}
    env.pop("DISCORD_TOKEN")  # web never holds the bot token
    process = start_process(web_argv(port), env, "web")
    process.wait_for_output(r"Booting worker", timeout=30)
    base = f"http://127.0.0.1:{port}"
    wait_until(lambda: _answers(f"{base}/healthz"), timeout=30, what="web answering")
    url = f"{base}/discord/interactions"
    assert set(discord.control.set_interactions_endpoint(url)["checks"]) == {"ping", "bad_signature"}
    return url


def _answers(url: str) -> bool:
    try:
        httpx.get(url, timeout=5)
    except httpx.HTTPError:
        return False
    return True


def test_signed_interactions_are_answered_by_the_web_process_and_others_are_refused(
    discord, world, sandbox_cast, muster_worker, gateway, web
):
    # /muster ping: deferred in the HTTP response, answered by the worker.
    ping = discord.ping(world)
    answered = discord.control.wait_for_original_edit(ping["id"], timeout=15)
    assert (answered["delivery"]["mode"], answered["delivery"]["outcome"]) == ("http", "response")
    assert answered["response"]["type"] == 5
    assert answered["original"]["content"].startswith("Pong! Gateway answered Discord in ")

    # A poll: the organiser's form (a type 9 response), its submission, and a member's vote.
    olivia, alice = sandbox_cast.organiser_id, sandbox_cast.member_id
    create = discord.control.inject_command("poll", subcommand="create", channel_id=world.channel_id, user_id=olivia)
    custom_id = discord.control.wait_for_response(create["id"], timeout=3)["response"]["data"]["custom_id"]
    assert custom_id == "poll:create:0:0"
    submit = discord.control.inject_modal_submit(
        channel_id=world.channel_id,
        user_id=olivia,
        custom_id=custom_id,
        fields={"question": "Lunch?", "options": "Pizza\nSushi"},
    )
    assert discord.control.wait_for_original_edit(submit["id"], timeout=15)["original"]["content"].startswith("Poll ")
    poll = Poll.objects.get(question="Lunch?")
    pizza = poll.options.order_by("position").first()
    post = wait_until(
        lambda: next((m for m in discord.control.messages(world.channel_id) if m["embeds"]), None), what="the poll"
    )
    vote = discord.control.inject_component(
        message_id=post["id"], custom_id=f"poll:vote:{poll.id}:{pizza.id}", user_id=alice
    )
    voted = wait_until(lambda: (r := discord.control.interaction(vote["id"]))["followups"] and r, what="the vote")
    assert voted["response"]["type"] == 6
    assert voted["followups"][0]["content"] == "Your vote: **Pizza**."
    assert poll.votes.count() == 1

    # What is not Discord's, fresh and new is refused with 401, and nothing happens.
    state = discord.server.app["state"]
    logged = CommandLog.objects.count()
    again = json.dumps(interaction_payload(state, state.interactions[int(vote["id"])])).encode()
    replayed = httpx.post(web, content=again, headers=state.endpoint.signed_headers(again))
    forged = httpx.post(
        web, content=again, headers=state.endpoint.signed_headers(again, key=Ed25519PrivateKey.generate())
    )
    unsigned = httpx.post(web, content=again, headers={"Content-Type": "application/json"})

    assert (replayed.status_code, forged.status_code, unsigned.status_code) == (401, 401, 401)
    assert CommandLog.objects.count() == logged
    assert CommandLog.objects.get(pk=int(vote["id"])).attempts == 1
    assert poll.votes.count() == 1
    assert len(discord.control.interaction(vote["id"])["followups"]) == 1
