"""A burst of button clicks through the real gateway and a worker: none lost, none misreported."""

from __future__ import annotations

import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from core.models import CommandLog
from discord_gateway.forwarding import UNAVAILABLE, UNCONFIRMED
from sandbox.discord.control import DiscordControl
from tests.e2e.conftest import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CLICKS = 300
INJECTORS = 8


def click_burst(discord, world, started: threading.Event | None = None) -> list[int]:
    """A "Ping again" button clicked CLICKS times, as fast as INJECTORS clients can inject.

    ``started`` is set when the first click is about to be injected (the post with the
    button exists by then, however long a loaded machine took to make it).
    """
    ix = discord.ping(world)
    message_id = discord.control.wait_for_original_edit(ix["id"], timeout=15)["original"]["id"]
    if started is not None:
        started.set()

    def click_many(count: int) -> list[int]:
        with DiscordControl(discord.url) as control:
            click = {"message_id": message_id, "custom_id": "muster:ping", "user_id": world.member_id}
            return [int(control.inject_component(**click)["id"]) for _ in range(count)]

    shares = [CLICKS // INJECTORS + (n < CLICKS % INJECTORS) for n in range(INJECTORS)]
    with ThreadPoolExecutor(max_workers=INJECTORS) as pool:
        return [click for share in pool.map(click_many, shares) for click in share]


def settled_outcomes(discord, clicks: list[int], broker) -> dict[str, set[int]]:
    """Once every click is processed or answered with an error, and the queue is empty."""

    def outcomes() -> dict[str, set[int]]:
        told = {c: {f["content"] for f in discord.control.interaction(c)["followups"]} for c in clicks}
        return {
            "processed": set(CommandLog.objects.filter(pk__in=clicks).values_list("pk", flat=True)),
            "unavailable": {c for c in clicks if UNAVAILABLE in told[c]},
            "unconfirmed": {c for c in clicks if UNCONFIRMED in told[c]},
            "late": {c for c in clicks if discord.control.interaction(c)["response"] is None},
        }

    def accounted() -> bool:
        now = outcomes()
        return now["processed"] | now["unavailable"] | now["unconfirmed"] == set(clicks)

    wait_until(accounted, timeout=20, what="every click processed or answered with an error")
    wait_until(lambda: broker.llen("interactions") == 0, what="the interactions queue drained")
    time.sleep(0.5)  # a task taken off the queue just now
    return outcomes()


def test_every_click_of_a_burst_is_processed_once(discord, world, muster_worker, gateway, flush_redis):
    clicks = click_burst(discord, world)

    outcome = settled_outcomes(discord, clicks, flush_redis)

    counts = {name: len(ids) for name, ids in outcome.items()}
    assert counts == {"processed": CLICKS, "unavailable": 0, "unconfirmed": 0, "late": 0}
    assert CommandLog.objects.filter(pk__in=clicks, outcome="ok").count() == CLICKS


def test_a_broker_that_hangs_mid_burst_loses_no_click_and_misreports_none(
    discord, world, muster_worker, gateway, flush_redis, redis_server
):
    burst_started = threading.Event()

    def hang_the_broker() -> None:
        burst_started.wait(timeout=30)
        time.sleep(0.2)
        os.kill(redis_server.process.pid, signal.SIGSTOP)
        time.sleep(2.0)
        os.kill(redis_server.process.pid, signal.SIGCONT)

    hang = threading.Thread(target=hang_the_broker)
    hang.start()
    try:
        clicks = click_burst(discord, world, burst_started)
    finally:
        burst_started.set()
        hang.join()

    outcome = settled_outcomes(discord, clicks, flush_redis)

    # Every click is processed, or the member was told: none lost, none answered late.
    assert outcome["processed"] | outcome["unavailable"] | outcome["unconfirmed"] == set(clicks)
    assert outcome["late"] == set()
    # "Cannot take requests" only for clicks that never reached a worker.
    assert outcome["processed"] & outcome["unavailable"] == set()
    # The hang did make the gateway withdraw some clicks (else this test proves nothing).
    assert outcome["unavailable"]
