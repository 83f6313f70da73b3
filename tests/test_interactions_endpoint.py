"""HTTP interactions mode: Discord's signed POSTs answered in the response, as the gateway answers.

Given a key pair the test makes (its public half as DISCORD_PUBLIC_KEY), each request is
signed as Discord signs it: Ed25519 over the timestamp header followed by the raw body.
What is enqueued is read back from the real broker (the ``interactions`` queue).
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import signal
import time
from dataclasses import dataclass

import discord
import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from config.celery_app import app
from core.interactions import drafts, signing
from core.interactions.values import PAYLOAD_VERSION
from core.models import CommandLog
from core.permissions import REFUSAL
from devtools.localservers import RedisServer
from discord_gateway import forwarding, signature
from discord_gateway.publish import stop_publisher
from results.models import Season
from sandbox.discord import create_app, validation
from sandbox.discord.control import DiscordControl
from sandbox.discord.world.interactions import interaction_payload
from sandbox.runner import ServerThread
from tests.cast import CHANNEL_ID, ORGANISER_ROLE_ID

URL = "/discord/interactions"
APPLICATION_ID = 900_000_000_000_000_001
ids = itertools.count(1_200_000_000_000_000_000)

pytestmark = pytest.mark.django_db


@pytest.fixture
def discord_key(settings):
    key = Ed25519PrivateKey.generate()
    settings.DISCORD_PUBLIC_KEY = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
    return key


@pytest.fixture
def broker(flush_redis):
    yield flush_redis
    stop_publisher()  # this process's publisher thread, started by the first forwarded interaction


@dataclass
class Answered:
    """A response read to its end, as Discord reads it (a streamed one publishes after its body)."""

    status_code: int
    content: bytes
    content_type: str

    def json(self):
        return json.loads(self.content)


def read(response) -> Answered:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response.streaming:
        assert response["Content-Length"] == str(len(content))
    return Answered(response.status_code, content, response["Content-Type"])


def signed_headers(key, raw: bytes, timestamp: int | None = None) -> dict:
    """Discord's signature: Ed25519 over the timestamp header and the raw body."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return {"X-Signature-Ed25519": key.sign(stamp.encode() + raw).hex(), "X-Signature-Timestamp": stamp}


def signed_post(client, key, body: dict | bytes, *, timestamp: int | None = None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = signed_headers(key, raw, timestamp)
    return read(client.post(URL, raw, content_type="application/json", headers=headers))


def queued(broker) -> list[dict]:
    """The signed payloads in the ``interactions`` queue, oldest first."""
    payloads = []
    for raw in reversed(broker.lrange("interactions", 0, -1)):
        args, _kwargs, _embed = json.loads(base64.b64decode(json.loads(raw)["body"]))
        payloads.append(args[0])
    return payloads


def interaction(kind: int, data: dict | None, *, member=None, roles=(), message: dict | None = None) -> dict:
    """An interaction as Discord POSTs it from a guild channel (the shape of the sandbox's)."""
    user_id, username = (member.member_id, member.member.username) if member else (42, "alice")
    body = {
        "id": str(next(ids)),
        "application_id": str(APPLICATION_ID),
        "type": kind,
        "token": "aW50ZXJhY3Rpb246dG9rZW4",
        "version": 1,
        "locale": "en-GB",
        "guild_id": str(member.guild_id if member else 1),
        "guild": {"id": str(member.guild_id if member else 1), "locale": "en-US", "features": []},
        "channel_id": str(CHANNEL_ID),
        "channel": {
            "id": str(CHANNEL_ID),
            "type": 0,
            "guild_id": str(member.guild_id if member else 1),
            "name": "general",
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "flags": 0,
            "permissions": "0",
        },
        "member": {
            "user": {
                "id": str(user_id),
                "username": username,
                "global_name": None,
                "discriminator": "0",
                "avatar": None,
            },
            "roles": [str(role) for role in roles],
            "permissions": "0",
            "joined_at": "2026-01-01T00:00:00+00:00",
            "nick": None,
            "avatar": None,
            "flags": 0,
            "pending": False,
            "deaf": False,
            "mute": False,
            "premium_since": None,
            "communication_disabled_until": None,
        },
        "app_permissions": "0",
        "entitlements": [],
        "attachment_size_limit": 10 * 1024 * 1024,
    }
    if data is not None:
        body["data"] = data
    if message is not None:
        body["message"] = message
    return body


def command(name: str, sub: str, options: list | None = None, **kwargs) -> dict:
    data = {"id": "1", "name": name, "type": 1, "options": [{"type": 1, "name": sub, "options": options or []}]}
    return interaction(2, data, **kwargs)


def message(*components) -> dict:
    return {
        "id": "1300000000000000001",
        "channel_id": str(CHANNEL_ID),
        "type": 0,
        "content": "",
        "author": {
            "id": str(APPLICATION_ID),
            "username": "Muster",
            "discriminator": "0",
            "global_name": None,
            "avatar": None,
        },
        "attachments": [],
        "embeds": [],
        "mentions": [],
        "mention_roles": [],
        "pinned": False,
        "mention_everyone": False,
        "tts": False,
        "timestamp": "2026-12-01T00:00:00+00:00",
        "edited_timestamp": None,
        "flags": 0,
        "components": list(components),
    }


# --- what is refused -------------------------------------------------------------------------


def test_it_answers_a_ping_with_a_pong_and_enqueues_nothing(client, discord_key, broker):
    response = signed_post(client, discord_key, {"id": str(next(ids)), "type": 1, "application_id": "1"})

    assert (response.status_code, response.json()) == (200, {"type": 1})
    assert queued(broker) == []


def test_it_answers_the_same_ping_again_since_a_ping_does_nothing(client, discord_key, broker):
    ping = {"id": str(next(ids)), "type": 1, "application_id": "1"}

    answers = [signed_post(client, discord_key, ping).status_code for _ in range(2)]

    # The sandbox's validation PING has the application's id as its own, each time the URL is saved.
    assert answers == [200, 200]


def test_it_refuses_an_unsigned_request_with_401_and_does_nothing(client, discord_key, broker):
    response = client.post(URL, command("muster", "ping"), content_type="application/json")

    assert (response.status_code, response.json()) == (401, {"error": "invalid request signature"})
    assert queued(broker) == []
    assert CommandLog.objects.count() == 0


def test_it_refuses_a_request_signed_with_another_key(client, discord_key, broker):
    response = signed_post(client, Ed25519PrivateKey.generate(), command("muster", "ping"))

    assert response.status_code == 401
    assert queued(broker) == []


def test_it_refuses_a_body_changed_after_signing(client, discord_key, broker):
    stamp = str(int(time.time()))
    raw = json.dumps(command("muster", "ping")).encode()
    signed = discord_key.sign(stamp.encode() + raw).hex()
    forged = raw.replace(b'"ping"', b'"help"')
    headers = {"X-Signature-Ed25519": signed, "X-Signature-Timestamp": stamp}

    response = client.post(URL, forged, content_type="application/json", headers=headers)

    assert response.status_code == 401
    assert queued(broker) == []


# Two seconds past the window either way: the header has whole seconds, the check a clock.
@pytest.mark.parametrize("age_s", [signature.FRESH_FOR_S + 2, -(signature.FRESH_FOR_S + 2), 3600])
def test_it_refuses_a_stale_or_future_timestamp_even_if_signed(client, discord_key, broker, age_s):
    response = signed_post(client, discord_key, command("muster", "ping"), timestamp=int(time.time()) - age_s)

    assert response.status_code == 401
    assert queued(broker) == []


def test_it_refuses_a_replayed_interaction_and_enqueues_it_once(client, discord_key, broker):
    body = command("muster", "ping")

    first = signed_post(client, discord_key, body)
    again = signed_post(client, discord_key, body)

    assert (first.status_code, again.status_code) == (200, 401)
    assert [payload["id"] for payload in queued(broker)] == [int(body["id"])]


def test_it_logs_a_refusal_in_one_line_without_the_body(client, discord_key, broker, caplog):
    signed_post(client, Ed25519PrivateKey.generate(), command("muster", "ping"))

    assert [r.getMessage() for r in caplog.records if r.name.startswith("discord_gateway")] == [
        "interaction request refused (401): bad signature"
    ]


def test_it_is_off_without_a_public_key(client, settings, broker):
    settings.DISCORD_PUBLIC_KEY = None

    response = client.post(URL, command("muster", "ping"), content_type="application/json")

    assert response.status_code == 404
    assert queued(broker) == []


def test_a_web_process_without_the_signing_key_says_it_cannot_take_requests(client, discord_key, broker, settings):
    settings.INTERACTION_SIGNING_KEY = None

    answer = signed_post(client, discord_key, command("muster", "ping")).json()

    assert answer == {"type": 4, "data": {"content": forwarding.UNAVAILABLE, "flags": 64}}
    assert queued(broker) == []


def test_it_takes_posts_only(client, discord_key):
    assert client.get(URL).status_code == 405


# --- what is answered, as the gateway answers --------------------------------------------------


def test_a_command_is_deferred_privately_and_enqueued_with_the_gateways_signed_payload(
    client, discord_key, broker, cast
):
    body = command("muster", "ping", member=cast.member)

    response = signed_post(client, discord_key, body)

    assert (response.status_code, response.json()) == (200, {"type": 5, "data": {"flags": 64}})
    [payload] = queued(broker)
    checked = signing.verified(payload)
    assert checked is not None
    assert {name: checked[name] for name in ("v", "id", "token", "application_id", "kind", "command", "options")} == {
        "v": PAYLOAD_VERSION,
        "id": int(body["id"]),
        "token": body["token"],
        "application_id": APPLICATION_ID,
        "kind": "command",
        "command": "muster ping",
        "options": {},
    }
    assert (checked["guild_id"], checked["channel_id"], checked["ephemeral"]) == (cast.guild.id, CHANNEL_ID, True)
    assert checked["member"] == {
        "id": cast.member.member_id,
        "username": cast.member.member.username,
        "display_name": "",
        "nick": "",
        "roles": [],
        "permissions": 0,
    }


def test_an_organiser_gets_the_form_as_a_modal_response(client, discord_key, broker, cast):
    options = [{"type": 5, "name": "anonymous", "value": True}]
    body = command("poll", "create", options, member=cast.organiser, roles=[ORGANISER_ROLE_ID])

    answer = signed_post(client, discord_key, body).json()

    assert answer["type"] == 9
    assert (answer["data"]["custom_id"], answer["data"]["title"]) == ("poll:create:0:1", "New poll")
    assert validation.modal_errors(answer["data"]) == {}
    assert queued(broker) == []  # the form's submission is what reaches a worker


def test_a_member_is_refused_the_organisers_form_privately(client, discord_key, broker, cast):
    answer = signed_post(client, discord_key, command("poll", "create", member=cast.member)).json()

    assert answer == {"type": 4, "data": {"content": REFUSAL, "flags": 64}}
    assert queued(broker) == []


def test_autocomplete_offers_the_gateways_choices(client, discord_key, broker, cast):
    options = [{"type": 3, "name": "zone", "value": "paris", "focused": True}]
    body = command("muster", "timezone", options, member=cast.member)
    body["type"] = 4

    answer = signed_post(client, discord_key, body).json()

    assert answer == {"type": 8, "data": {"choices": [{"name": "Europe/Paris", "value": "Europe/Paris"}]}}
    assert validation.autocomplete_errors(answer["data"]) == {}
    assert queued(broker) == []


def test_a_top_level_command_autocompletes_and_is_enqueued_by_its_name(client, discord_key, broker, cast):
    Season.objects.create(guild=cast.guild, name="Winter")
    Season.objects.create(guild=cast.guild, name="Summer")
    typing = {
        "id": "1",
        "name": "standings",
        "type": 1,
        "options": [{"type": 3, "name": "season", "value": "win", "focused": True}],
    }
    chosen = {"id": "1", "name": "standings", "type": 1, "options": [{"type": 3, "name": "season", "value": "Winter"}]}

    offered = signed_post(client, discord_key, interaction(4, typing, member=cast.member)).json()
    response = signed_post(client, discord_key, interaction(2, chosen, member=cast.member))

    assert offered == {"type": 8, "data": {"choices": [{"name": "Winter", "value": "Winter"}]}}
    assert (response.status_code, response.json()) == (200, {"type": 5, "data": {"flags": 64}})
    [payload] = queued(broker)
    checked = signing.verified(payload)
    assert (checked["command"], checked["options"]) == ("standings", {"season": "Winter"})


def test_a_button_is_a_deferred_update_and_enqueued(client, discord_key, broker, cast):
    button = {"type": 1, "components": [{"type": 2, "style": 1, "label": "A", "custom_id": "poll:vote:7:8"}]}
    body = interaction(
        3, {"custom_id": "poll:vote:7:8", "component_type": 2}, member=cast.member, message=message(button)
    )

    response = signed_post(client, discord_key, body)

    assert response.json() == {"type": 6}
    [payload] = queued(broker)
    assert {name: payload[name] for name in ("kind", "custom_id", "values", "message_id")} == {
        "kind": "component",
        "custom_id": "poll:vote:7:8",
        "values": [],
        "message_id": 1300000000000000001,
    }


def test_a_form_submission_is_deferred_privately_and_enqueued_with_its_fields(client, discord_key, broker, cast):
    field = {"type": 4, "custom_id": "question", "value": "Lunch?"}
    data = {"custom_id": "poll:create:0:0", "components": [{"type": 1, "components": [field]}]}

    response = signed_post(client, discord_key, interaction(5, data, member=cast.organiser))

    assert response.json() == {"type": 5, "data": {"flags": 64}}
    [payload] = queued(broker)
    assert (payload["kind"], payload["custom_id"], payload["fields"]) == (
        "modal",
        "poll:create:0:0",
        {"question": "Lunch?"},
    )


def test_the_endpoint_answers_an_interaction_however_old_its_id(client, discord_key, broker, cast):
    # The gateway drops what reaches it past Discord's deadline; over HTTP, Discord's own
    # request is the deadline, so the endpoint never judges by the id's age.
    body = interaction(3, {"custom_id": "poll:vote:1:0", "component_type": 2}, member=cast.member, message=message())
    made = discord.utils.snowflake_time(int(body["id"])).timestamp()
    assert time.time() - made > 1000 * forwarding.TOO_LATE_S

    response = signed_post(client, discord_key, body)

    assert response.json() == {"type": 6}
    assert [payload["custom_id"] for payload in queued(broker)] == ["poll:vote:1:0"]


def test_edit_and_try_again_reopens_the_refused_form_filled_in(client, discord_key, broker, cast):
    typed = {"question": "Lunch?", "options": "Pizza", "closes": "someday"}
    refused = cast.interaction(cast.organiser, kind="modal", custom_id="poll:create:1:0", fields=typed)
    custom_id = drafts.RETRY.build(draft=drafts.keep(refused))
    body = interaction(3, {"custom_id": custom_id, "component_type": 2}, member=cast.organiser, message=message())

    answer = signed_post(client, discord_key, body).json()

    assert (answer["type"], answer["data"]["custom_id"]) == (9, "poll:create:1:0")
    inputs = [row["components"][0] for row in answer["data"]["components"]]
    assert [(field["custom_id"], field.get("value")) for field in inputs] == [
        ("question", "Lunch?"),
        ("options", "Pizza"),
        ("closes", "someday"),
    ]
    assert validation.modal_errors(answer["data"]) == {}
    assert queued(broker) == []


def test_a_button_that_opens_a_form_is_answered_with_the_form(client, discord_key, broker, cast):
    # An approver's Decline (leave): its ClickForm builds the reason form from the button's id.
    body = interaction(
        3, {"custom_id": "leave:decline:12", "component_type": 2}, member=cast.organiser, message=message()
    )

    answer = signed_post(client, discord_key, body).json()

    assert (answer["type"], answer["data"]["custom_id"]) == (9, "leave:declined:12")
    assert [row["components"][0]["custom_id"] for row in answer["data"]["components"]] == ["reason"]
    assert validation.modal_errors(answer["data"]) == {}
    assert queued(broker) == []


def test_edit_and_try_again_after_the_draft_expired_says_so_privately(client, discord_key, broker, cast):
    custom_id = drafts.RETRY.build(draft="gone")
    body = interaction(3, {"custom_id": custom_id, "component_type": 2}, member=cast.member, message=message())

    answer = signed_post(client, discord_key, body).json()

    assert answer == {"type": 4, "data": {"content": drafts.EXPIRED, "flags": 64}}
    assert queued(broker) == []


def test_a_redis_that_does_not_answer_is_told_to_the_member_within_the_deadline(
    client, discord_key, broker, redis_server
):
    signed_post(client, discord_key, command("muster", "ping"))  # the publisher is connected
    os.kill(redis_server.process.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        answer = signed_post(client, discord_key, command("muster", "ping")).json()
        elapsed = time.monotonic() - started
    finally:
        os.kill(redis_server.process.pid, signal.SIGCONT)

    assert answer == {"type": 4, "data": {"content": forwarding.UNAVAILABLE, "flags": 64}}
    assert elapsed < 3


@pytest.fixture
def own_broker(monkeypatch):
    """A broker of the test's own, apart from the Redis that keeps the replay marks."""
    server = RedisServer().start()
    stop_publisher()
    monkeypatch.setattr(app.conf, "broker_url", server.url)
    yield server
    stop_publisher()
    server.destroy()


@pytest.fixture
def sandbox(settings):
    """The Discord sandbox in this process: it holds the interactions, and their webhooks answer."""
    server = ServerThread(create_app(bot_token="unit-bot-token", application_id=APPLICATION_ID)).start()
    control = DiscordControl(server.url)
    settings.DISCORD_API_BASE = f"{server.url}/api/v10"
    yield server, control
    control.close()
    server.stop()


@pytest.mark.parametrize("kind", ["command", "button"])
def test_a_broker_that_does_not_answer_is_told_to_the_member_privately_in_place_of_the_deferral(
    client, discord_key, flush_redis, own_broker, sandbox, kind
):
    server, control = sandbox
    guild = control.create_guild("Muster HQ")
    alice = control.add_member(guild["id"], username="alice")
    channel_id, user_id = guild["channels"][0]["id"], alice["user"]["id"]
    api, bot = f"{server.url}/api/v10", {"Authorization": "Bot unit-bot-token"}
    ping = {"type": 1, "name": "ping", "description": "Check that Muster answers"}
    muster = {"type": 1, "name": "muster", "description": "About Muster", "options": [ping]}
    assert httpx.put(f"{api}/applications/{APPLICATION_ID}/commands", headers=bot, json=[muster]).status_code == 200
    button = {"type": 2, "style": 1, "label": "Pizza", "custom_id": "poll:vote:7:8"}
    lunch = {"content": "Lunch?", "components": [{"type": 1, "components": [button]}]}
    post = httpx.post(f"{api}/channels/{channel_id}/messages", headers=bot, json=lunch).json()  # the button's message
    if kind == "command":
        created = control.inject_command("muster", subcommand="ping", channel_id=channel_id, user_id=user_id)
    else:
        created = control.inject_component(message_id=post["id"], custom_id="poll:vote:7:8", user_id=user_id)
    state = server.app["state"]
    body = interaction_payload(state, state.interactions[int(created["id"])])
    raw = json.dumps(body).encode()
    os.kill(own_broker.process.pid, signal.SIGSTOP)
    try:
        response = client.post(URL, raw, content_type="application/json", headers=signed_headers(discord_key, raw))
        chunks = iter(response.streaming_content)
        deferral = json.loads(next(chunks))
        callback = f"{server.url}/api/v10/interactions/{body['id']}/{body['token']}/callback"
        assert httpx.post(callback, json=deferral).status_code == 204  # what Discord does with the response
        started = time.monotonic()
        list(chunks)  # the server asks for the rest once the body is written: the payload is published
        elapsed = time.monotonic() - started
    finally:
        os.kill(own_broker.process.pid, signal.SIGCONT)

    told = control.interaction(created["id"])
    if kind == "command":
        assert deferral == {"type": 5, "data": {"flags": 64}}
        assert told["original"]["content"] == forwarding.UNAVAILABLE
    else:
        assert deferral == {"type": 6}
        assert [(m["content"], m["flags"]) for m in told["followups"]] == [(forwarding.UNAVAILABLE, 64)]
    assert elapsed < 2.5
