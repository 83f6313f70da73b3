"""HTTP interaction delivery (the Interactions Endpoint URL), as discord/discord-api-docs
``interactions/overview.mdx`` ("Setting Up an Endpoint") and
``interactions/receiving-and-responding.mdx`` (the HTTP answer is the initial response; a
202 with no body leaves it to the callback route; 3 s deadline) describe it.

The endpoint under test (``tests/sandbox/http_endpoint.py``) verifies each signature with
``cryptography`` against the ``verify_key`` the application publishes, never with the
sandbox's own code.
"""

from __future__ import annotations

import time

import pytest

from sandbox.discord.control import ControlError, EndpointRefused

from ..http_endpoint import Answer, TestEndpoint
from .conftest import BUTTONS, COMMANDS
from .schemas import discord_api as S
from .schemas import discord_gateway as G
from .validate import answer, assert_conforms

pytestmark = pytest.mark.timeout(30)
MODAL = {
    "custom_id": "event:create",
    "title": "New event",
    "components": [{"type": 1, "components": [{"type": 4, "custom_id": "title", "label": "Title", "style": 1}]}],
}


@pytest.fixture
def endpoint(world):
    """A verifying endpoint (answers scripted per test through ``endpoint.answer``),
    registered as the Interactions Endpoint URL; the commands are synced."""
    world.bot.put(f"/applications/{world.app_id}/guilds/{world.guild_id}/commands", json=COMMANDS)
    server = TestEndpoint(world.control.application()["verify_key"]).start()
    world.control.set_interactions_endpoint(server.url)
    yield server
    server.stop()


def command(world) -> dict:
    return world.control.inject_command("event", subcommand="create", channel_id=world.channel_id, user_id=world.alice)


def settled(world, interaction: dict, timeout: float = 5.0) -> dict:
    return world.control.wait_for_response(interaction["id"], timeout=timeout, include_refused=True)


def until(condition, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("condition did not hold in time")


# --- the public key and the endpoint URL ----------------------------------------------------


def test_the_application_publishes_its_ed25519_public_key(world):
    published = world.control.application()
    rest = answer(world.bot.get("/applications/@me"), 200, S.APPLICATION)
    assert len(published["verify_key"]) == 64 and int(published["verify_key"], 16) >= 0
    assert rest["verify_key"] == published["verify_key"]
    assert rest["interactions_endpoint_url"] is None
    assert published["delivery"] == "gateway"


def test_a_url_is_accepted_after_a_signed_ping_gets_pong_and_a_bad_signature_401(world):
    server = TestEndpoint(world.control.application()["verify_key"]).start()
    try:
        accepted = world.control.set_interactions_endpoint(server.url)
        assert accepted["delivery"] == "http"
        assert accepted["checks"]["ping"]["status"] == 200
        assert accepted["checks"]["bad_signature"]["status"] == 401
        pings = [(r.json["type"], r.verified) for r in server.received]
        assert pings == [(1, True), (1, False)]
        assert server.received[0].headers["Content-Type"] == "application/json"
        app = answer(world.bot.get("/applications/@me"), 200, S.APPLICATION)
        assert app["interactions_endpoint_url"] == server.url
    finally:
        server.stop()


def test_an_endpoint_that_accepts_a_bad_signature_is_refused(world):
    server = TestEndpoint(world.control.application()["verify_key"], accept_bad_signatures=True).start()
    try:
        with pytest.raises(EndpointRefused) as refused:
            world.control.set_interactions_endpoint(server.url)
        assert "invalid signature must be answered 401" in refused.value.reason
        assert refused.value.checks["bad_signature"]["status"] == 200
        assert world.control.application()["interactions_endpoint_url"] is None
    finally:
        server.stop()


def test_an_endpoint_that_does_not_pong_is_refused(world):
    key = world.control.application()["verify_key"]
    for wrong in (Answer(body={"type": 4}), Answer(body={"type": 1}, content_type="text/plain"), Answer(status=204)):
        server = TestEndpoint(key, ping_answer=wrong).start()
        try:
            with pytest.raises(EndpointRefused, match="PING must be answered 200"):
                world.control.set_interactions_endpoint(server.url)
        finally:
            server.stop()
    assert world.control.application()["delivery"] == "gateway"


def test_only_loopback_urls_are_allowed_and_none_is_contacted(world):
    for url in ("http://localhost:9/x", "https://example.org/interactions", "ftp://127.0.0.1/x", "not a url"):
        with pytest.raises(EndpointRefused, match="only http"):
            world.control.set_interactions_endpoint(url)
    with pytest.raises(ControlError, match="url is required"):
        world.control._call("POST", "/application/interactions-endpoint", {})


def test_patch_applications_me_validates_sets_and_clears_the_url(world):
    key = world.control.application()["verify_key"]
    bad = TestEndpoint(key, accept_bad_signatures=True).start()
    good = TestEndpoint(key).start()
    try:
        refused = answer(
            world.bot.patch("/applications/@me", json={"interactions_endpoint_url": bad.url}), 400, S.ERROR
        )
        assert refused["code"] == 50035
        leaf = refused["errors"]["interactions_endpoint_url"]["_errors"][0]
        assert leaf == {
            "code": "APPLICATION_INTERACTIONS_ENDPOINT_URL_INVALID",
            "message": "The specified interactions endpoint url could not be verified.",
        }
        offsite = world.bot.patch("/applications/@me", json={"interactions_endpoint_url": "https://example.org/i"})
        assert answer(offsite, 400, S.ERROR)["code"] == 50035
        assert answer(world.anon.patch("/applications/@me", json={}), 401, S.ERROR)["code"] == 0

        edited = answer(
            world.bot.patch("/applications/@me", json={"interactions_endpoint_url": good.url}), 200, S.APPLICATION
        )
        assert edited["interactions_endpoint_url"] == good.url
        assert world.control.application()["delivery"] == "http"
        # Fields other than the URL leave it alone; null goes back to the gateway.
        kept = answer(world.bot.patch("/applications/@me", json={"description": "x"}), 200, S.APPLICATION)
        assert kept["interactions_endpoint_url"] == good.url
        cleared = answer(
            world.bot.patch("/applications/@me", json={"interactions_endpoint_url": None}), 200, S.APPLICATION
        )
        assert cleared["interactions_endpoint_url"] is None
        assert world.control.application()["delivery"] == "gateway"
    finally:
        bad.stop()
        good.stop()


# --- delivery and the answer as the initial response ------------------------------------------


def test_every_interaction_kind_is_posted_signed_and_its_answer_applied(world, endpoint):
    answers = {
        2: Answer(body={"type": 4, "data": {"content": "Picnic?", "components": [BUTTONS]}}),
        4: Answer(body={"type": 8, "data": {"choices": [{"name": "Picnic", "value": "picnic"}]}}),
        3: Answer(body={"type": 9, "data": MODAL}),
        5: Answer(body={"type": 7, "data": {"content": "Picnic (edited)"}}),
    }
    endpoint.answer = lambda payload: answers[payload["type"]]

    asked = command(world)
    done = settled(world, asked)
    assert done["response"]["type"] == 4 and done["response"]["via"] == "http"
    assert done["response"]["elapsed_s"] < 3 and done["failed"] is None
    assert done["delivery"]["outcome"] == "response" and done["delivery"]["status"] == 200
    post = done["original"]
    assert post["content"] == "Picnic?" and post["payload"]["interaction_metadata"]["id"] == asked["id"]

    typed = world.control.inject_autocomplete(
        "event",
        subcommand="create",
        channel_id=world.channel_id,
        user_id=world.alice,
        focused="title",
        options={"title": "Pic"},
    )
    assert settled(world, typed)["response"]["data"]["choices"][0]["value"] == "picnic"

    clicked = world.control.inject_component(message_id=post["id"], custom_id="event:going:1", user_id=world.alice)
    assert settled(world, clicked)["response"]["type"] == 9
    submitted = world.control.inject_modal_submit(
        channel_id=world.channel_id,
        user_id=world.alice,
        custom_id="event:create",
        fields={"title": "Picnic"},
        message_id=post["id"],
    )
    assert settled(world, submitted)["response"]["type"] == 7
    assert world.control.message(post["id"])["content"] == "Picnic (edited)"

    received = endpoint.interactions()
    assert [r.json["type"] for r in received] == [2, 4, 3, 5]
    injected = [asked, typed, clicked, submitted]
    for got, sent in zip(received, injected, strict=True):
        assert got.verified
        assert got.json == sent["payload"]  # the same interaction object INTERACTION_CREATE carries
        assert_conforms(got.json, G.INTERACTION)
        assert got.headers["X-Signature-Timestamp"].isdigit()
    figures = world.control.stats()["interactions"]
    assert (figures["delivered_http"], figures["delivered_gateway"]) == (4, 0)


def test_a_deferral_answer_then_follow_ups_and_edits_work_as_with_callbacks(world, endpoint):
    endpoint.answer = lambda payload: Answer(body={"type": 5, "data": {"flags": 64}})
    deferred = command(world)
    done = settled(world, deferred)
    assert done["response"]["type"] == 5
    assert done["original"]["flags"] == 64 | 128  # ephemeral, loading
    hook = f"/webhooks/{world.app_id}/{deferred['token']}"
    edited = answer(world.anon.patch(hook + "/messages/@original", json={"content": "Done"}), 200, S.MESSAGE)
    assert edited["content"] == "Done" and edited["flags"] == 64
    followup = answer(world.anon.post(hook, params={"wait": "true"}, json={"content": "More"}), 200, S.MESSAGE)
    assert followup["content"] == "More"
    # Answered inline, the interaction is acknowledged: a callback now is Discord's 40060.
    late = world.anon.post(
        f"/interactions/{deferred['id']}/{deferred['token']}/callback", json={"type": 4, "data": {"content": "x"}}
    )
    assert answer(late, 400, S.ERROR)["code"] == 40060


def test_a_202_leaves_the_initial_response_to_the_callback_route(world, endpoint):
    endpoint.answer = lambda payload: Answer(status=202)
    asked = command(world)
    until(lambda: world.control.interaction(asked["id"])["delivery"]["outcome"] == "callback")
    callback = world.anon.post(
        f"/interactions/{asked['id']}/{asked['token']}/callback", json={"type": 4, "data": {"content": "via callback"}}
    )
    assert callback.status_code == 204
    done = world.control.interaction(asked["id"])
    assert done["response"]["status"] == 204 and "via" not in done["response"]
    assert done["original"]["content"] == "via callback"


def test_an_answer_after_the_app_already_called_back_is_refused_not_failed(world, endpoint):
    def call_back_then_answer(payload: dict) -> Answer:
        callback = f"/interactions/{payload['id']}/{payload['token']}/callback"
        assert world.anon.post(callback, json={"type": 4, "data": {"content": "first"}}).status_code == 204
        return Answer(body={"type": 4, "data": {"content": "second"}})

    endpoint.answer = call_back_then_answer
    asked = command(world)
    until(lambda: world.control.interaction(asked["id"])["delivery"]["outcome"])
    done = world.control.interaction(asked["id"])
    assert done["original"]["content"] == "first" and done["failed"] is None
    assert done["delivery"]["outcome"] == "invalid" and done["delivery"]["error"].startswith("40060")
    assert [r["code"] for r in done["refused"]] == [40060]
    assert world.control.stats()["interactions"]["deadline_missed"] == 0


def test_injection_does_not_wait_for_the_endpoint(world, endpoint):
    endpoint.answer = lambda payload: Answer(body={"type": 5}, delay_s=1.0)
    started = time.monotonic()
    asked = command(world)
    assert time.monotonic() - started < 0.5
    assert world.control.interaction(asked["id"])["response"] is None
    assert settled(world, asked)["response"]["elapsed_s"] >= 1.0


# --- failures: "This interaction failed" -------------------------------------------------------


def test_an_answer_past_the_deadline_kills_the_interaction(world, endpoint):
    world.control.configure(interaction_deadline_s=0.3)
    endpoint.answer = lambda payload: Answer(body={"type": 4, "data": {"content": "too late"}}, delay_s=0.6)
    asked = command(world)
    done = settled(world, asked)
    assert done["response"] is None and done["original"] is None
    assert done["failed"]["reason"] == "http_late" and done["failed"]["elapsed_s"] >= 0.3
    assert done["delivery"]["outcome"] == "late" and done["delivery"]["answered"] is None
    # The token's routes behave as Discord's do for a dead interaction.
    hook = f"/webhooks/{world.app_id}/{asked['token']}"
    assert answer(world.anon.post(hook, json={"content": "x"}), 404, S.ERROR)["code"] == 10015
    assert answer(world.anon.get(hook + "/messages/@original"), 404, S.ERROR)["code"] == 10008
    callback = world.anon.post(f"/interactions/{asked['id']}/{asked['token']}/callback", json={"type": 5})
    assert answer(callback, 404, S.ERROR)["code"] == 10062
    time.sleep(0.4)  # the endpoint's late answer arrives and changes nothing
    assert world.control.interaction(asked["id"])["response"] is None
    figures = world.control.stats()["interactions"]
    assert figures["deadline_missed"] == 1 and figures["missed"] == {"http_late": 1}
    assert figures["responded_in_time"] == 0


@pytest.mark.parametrize(
    ("scripted", "reason"),
    [
        (Answer(status=500, body={"error": "boom"}), "http_status"),
        (Answer(status=204), "http_status"),
        (Answer(body=b"{not json"), "http_malformed"),
        (Answer(body={"type": 4}, content_type="text/html"), "http_malformed"),
        (Answer(body=[1, 2]), "http_malformed"),
        (Answer(body={"type": 4, "data": "hello"}), "http_malformed"),
        (Answer(body={"type": 4, "data": {}}), "http_invalid"),  # an empty message
        (Answer(body={"type": 8, "data": {"choices": []}}), "http_invalid"),  # not for a command
    ],
)
def test_a_failed_answer_fails_the_interaction(world, endpoint, scripted, reason):
    endpoint.answer = lambda payload: scripted
    asked = command(world)
    done = settled(world, asked)
    assert done["response"] is None
    assert done["failed"]["reason"] == reason
    assert done["delivery"]["error"]
    callback = world.anon.post(f"/interactions/{asked['id']}/{asked['token']}/callback", json={"type": 5})
    assert answer(callback, 404, S.ERROR)["code"] == 10062
    assert world.control.stats()["interactions"]["missed"] == {reason: 1}


def test_an_endpoint_that_is_gone_fails_the_interaction(world, endpoint):
    endpoint.stop()
    asked = command(world)
    done = settled(world, asked)
    assert done["failed"]["reason"] == "http_connection"
    assert done["delivery"]["outcome"] == "connection" and done["delivery"]["answered"] is None
    assert "Connect" in done["delivery"]["error"]


# --- figures shared by both modes ----------------------------------------------------------------


def test_stats_count_both_modes_alike(world, endpoint):
    endpoint.answer = lambda payload: Answer(body={"type": 5})
    answered = [command(world) for _ in range(3)]
    for asked in answered:
        settled(world, asked)
    world.control.set_interactions_endpoint(None)
    world.control.configure(interaction_deadline_s=0.2)
    on_time, late, ignored = command(world), command(world), command(world)
    callback = f"/interactions/{on_time['id']}/{on_time['token']}/callback"
    assert world.anon.post(callback, json={"type": 5}).status_code == 204
    time.sleep(0.3)
    refused = world.anon.post(f"/interactions/{late['id']}/{late['token']}/callback", json={"type": 5})
    assert answer(refused, 404, S.ERROR)["code"] == 10062
    assert world.control.interaction(late["id"])["failed"]["reason"] == "late_callback"
    assert world.control.interaction(ignored["id"])["failed"] is None

    figures = world.control.stats(ack_samples=True)["interactions"]
    assert figures["delivered"] == 6
    assert (figures["delivered_http"], figures["delivered_gateway"]) == (3, 3)
    assert figures["responded_in_time"] == 4
    assert figures["deadline_missed"] == 1 and figures["missed"] == {"late_callback": 1}
    assert figures["unanswered"] == 1  # ``ignored``: never answered at all
    assert figures["ack_ms"]["count"] == 4 == len(figures["ack_ms_samples"])
    acks = sorted(figures["ack_ms_samples"])
    assert figures["ack_ms"]["max"] == round(acks[-1], 1)
    assert figures["ack_ms"]["p50"] <= figures["ack_ms"]["p99"] <= figures["ack_ms"]["max"]
    for asked in answered:
        record = world.control.interaction(asked["id"])
        ack_ms = (record["response"]["at"]["monotonic"] - record["created"]["monotonic"]) * 1000
        assert any(abs(ack_ms - sample) < 0.01 for sample in figures["ack_ms_samples"])

    world.control.reset()
    cleared = world.control.stats()["interactions"]
    assert cleared["delivered"] == 0 and cleared["ack_ms"] == {
        "count": 0,
        "p50": None,
        "p90": None,
        "p99": None,
        "max": None,
    }


def test_a_reset_keeps_the_key_pair_and_the_endpoint(world, endpoint):
    before = world.control.application()
    world.control.reset()
    assert world.control.application()["verify_key"] == before["verify_key"]
    assert world.control.application()["interactions_endpoint_url"] == endpoint.url
