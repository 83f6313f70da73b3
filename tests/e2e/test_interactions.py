"""An interaction end to end: sandbox Discord → gateway → broker → worker → Discord."""

from __future__ import annotations

import time

import pytest

from core.models import CommandLog
from discord_gateway.forwarding import TOO_LATE_S, UNAVAILABLE
from tests.e2e.conftest import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_it_defers_a_slash_command_in_time_then_edits_in_the_answer(discord, world, muster_worker, gateway):
    ix = discord.ping(world)

    answered = discord.control.wait_for_response(ix["id"], timeout=3)
    edited = discord.control.wait_for_original_edit(ix["id"], timeout=15)

    assert answered["response"]["type"] == 5  # deferred channel message
    assert edited["original"]["content"].startswith("Pong! Gateway answered Discord in ")
    entry = CommandLog.objects.get(pk=int(ix["id"]))
    logged = (entry.command, entry.outcome, entry.guild_id, entry.member_id)
    assert logged == ("muster ping", "ok", world.guild_id, world.member_id)


def test_it_routes_a_button_by_custom_id_after_the_gateway_restarts(discord, world, muster_worker, start_gateway):
    first = start_gateway(name="gateway-1")
    ix = discord.ping(world)
    message = discord.control.wait_for_original_edit(ix["id"], timeout=15)["original"]
    assert message["components"][0]["components"][0]["custom_id"] == "muster:ping"
    first.stop()

    start_gateway(name="gateway-2")
    click = discord.control.inject_component(message_id=message["id"], custom_id="muster:ping", user_id=world.member_id)

    answered = discord.control.wait_for_response(click["id"], timeout=3)
    assert answered["response"]["type"] == 6  # deferred update of the button's message
    edited = wait_until(lambda: (m := discord.control.message(message["id"]))["history"][1:] and m, what="edit")
    assert len(edited["history"]) == 2  # the deferral's placeholder, the first pong; now the second
    assert edited["content"].startswith("Pong!")
    assert CommandLog.objects.get(pk=int(click["id"])).command == "muster:ping"


def test_it_tells_the_member_privately_within_3_s_when_the_broker_is_down(discord, world, gateway, redis_server):
    redis_server.stop()
    try:
        started = time.monotonic()
        ix = discord.ping(world)
        edited = discord.control.wait_for_original_edit(ix["id"], timeout=3)
        elapsed = time.monotonic() - started
    finally:
        redis_server.start()

    assert elapsed < 3.0
    assert edited["original"]["ephemeral"] is True
    assert edited["original"]["content"] == UNAVAILABLE


def test_an_interaction_that_reaches_the_gateway_after_discords_deadline_is_dropped_unanswered(
    discord, world, muster_worker, gateway
):
    # Given a gateway that has been answering (what it measures lateness against) and is then
    # cut off for longer than Discord's 3 s while a member runs a command
    answered = discord.ping(world)
    discord.control.wait_for_original_edit(answered["id"], timeout=15)
    discord.control.drop_gateway(code=4000, hold_s=TOO_LATE_S + 1)
    stale = discord.ping(world)

    # When the gateway resumes and Discord replays it
    gateway.wait_for_output(rf"interaction {stale['id']} reached Muster [\d.]+ s after it was made: too late", 30)

    # Then nothing was sent for it or published: no deferral, no task, no log row
    fresh = discord.ping(world)
    discord.control.wait_for_original_edit(fresh["id"], timeout=15)  # a later one is answered as ever
    state = discord.control.interaction(stale["id"])
    assert (state["response"], state["original"], state["followups"]) == (None, None, [])
    assert not CommandLog.objects.filter(pk=int(stale["id"])).exists()
    assert discord.control.stats()["interactions"]["deadline_missed"] == 0  # no callback came late: none came
