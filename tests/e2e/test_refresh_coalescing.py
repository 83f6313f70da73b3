"""Coalesced refresh through a real worker: few edits for many changes, the last one wins."""

from __future__ import annotations

import math
import time

import httpx
import pytest

from core.refresh import schedule_refresh
from tests.e2e.conftest import BOT_TOKEN, wait_until
from tests.e2e.refresh_probe import INTERVAL_S, KIND, set_state
from tests.processes import celery_worker_argv

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]
PROBE_ID = 7


@pytest.fixture
def probe_worker(start_process, muster_env):
    argv = [*celery_worker_argv(queues="discord", hostname="refresh"), "--include", "tests.e2e.refresh_probe"]
    worker = start_process(argv, muster_env, "refresh-worker")
    worker.wait_for_output(r"ready\.", timeout=60)
    return worker


def test_a_burst_of_changes_is_edited_at_most_once_per_interval_and_ends_on_the_last(discord, world, probe_worker):
    discord.control.set_limits(routes={"messages:edit": (100, 1.0)})
    message = post_as_bot(discord, world.channel_id, "state -")

    started = time.monotonic()
    for number in range(50):
        set_state(PROBE_ID, world.channel_id, message["id"], f"state {number}")
        schedule_refresh(KIND, PROBE_ID)
        time.sleep(0.03)
    burst_s = time.monotonic() - started

    wait_until(lambda: discord.control.message(message["id"])["content"] == "state 49", timeout=10,
               what="the final state shown")  # fmt: skip
    time.sleep(3 * INTERVAL_S)  # any edit still queued would land by now
    shown = discord.control.message(message["id"])
    edits = discord.control.stats()["rest"]["requests"]["PATCH /channels/{channel_id}/messages/{message_id}"]
    assert shown["content"] == "state 49"
    assert len(shown["history"]) == edits
    assert 2 <= edits <= math.ceil(burst_s / INTERVAL_S) + 1


def test_a_change_made_while_an_edit_is_in_flight_gets_an_edit_of_its_own(discord, world, probe_worker):
    message = post_as_bot(discord, world.channel_id, "state -")
    discord.control.inject_fault("delay", "/channels/*/messages/*", method="PATCH", delay_s=0.8, count=1)
    set_state(PROBE_ID, world.channel_id, message["id"], "before")
    schedule_refresh(KIND, PROBE_ID)
    wait_until(lambda: discord.control.stats()["faults"][0]["hits"] == 1, what="the first edit in flight")

    set_state(PROBE_ID, world.channel_id, message["id"], "after")
    schedule_refresh(KIND, PROBE_ID)

    wait_until(lambda: discord.control.message(message["id"])["content"] == "after", timeout=10,
               what="the change made during the edit shown")  # fmt: skip
    shown = discord.control.message(message["id"])
    assert [version["content"] for version in shown["history"]] == ["state -", "before"]


def post_as_bot(discord, channel_id: int, content: str) -> dict:
    response = httpx.post(f"{discord.url}/api/v10/channels/{channel_id}/messages", json={"content": content},
                          headers={"Authorization": f"Bot {BOT_TOKEN}"})  # fmt: skip
    response.raise_for_status()
    return response.json()
