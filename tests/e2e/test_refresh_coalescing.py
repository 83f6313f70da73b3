"""Coalesced refresh through a real worker: few edits for many changes, the last one wins."""

from __future__ import annotations

import itertools
import math
import threading
import time

import httpx
import pytest

from core.refresh import edit_starts, schedule_refresh
from tests.e2e.conftest import BOT_TOKEN, wait_until
from tests.e2e.refresh_probe import INTERVAL_S, KIND, current_content, make_changes, set_state
from tests.processes import celery_worker_argv, python

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]
PROBE_ID = 7


@pytest.fixture
def probe_worker(start_process, muster_env):
    discord_worker = celery_worker_argv(queues="discord", concurrency=4, hostname="refresh")
    argv = [*discord_worker, "--include", "tests.e2e.refresh_probe"]
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

    wait_until(lambda: shown_content(discord, message) == "state 49", timeout=10, what="the final state shown")
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

    what = "the change made during the edit shown"
    wait_until(lambda: shown_content(discord, message) == "after", timeout=10, what=what)
    shown = discord.control.message(message["id"])
    assert [version["content"] for version in shown["history"]] == ["state -", "before"]


def test_changes_from_several_threads_and_processes_are_edited_an_interval_apart_ending_on_the_last(
    discord, world, probe_worker, start_process, muster_env
):
    # Given a message, and some edits slowed down as a rate limiter or a slow answer would
    # (0.7 s: a task that waits from the edit's start rather than its end lands ~0.1 s after it)
    message = post_as_bot(discord, world.channel_id, "state -")
    discord.control.inject_fault("delay", "/channels/*/messages/*", method="PATCH", delay_s=0.7, count=3)

    # When two other processes and three threads of this one change the state together for ~3.5 s
    start_at, changes = time.time() + 3.0, 100
    argv = python("-m", "tests.e2e.refresh_probe", str(PROBE_ID), str(world.channel_id), str(message["id"]))
    changers = [
        start_process([*argv, f"process {n}", str(changes), repr(start_at)], muster_env, f"changer-{n}")
        for n in range(2)
    ]
    target = (PROBE_ID, world.channel_id, message["id"])
    threads = [
        threading.Thread(target=make_changes, args=(*target, f"thread {n}", changes, start_at)) for n in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for changer in changers:
        assert changer.process.wait(timeout=20) == 0, changer.output()[-2000:]
    final = current_content(PROBE_ID)

    # Then the message ends on the last state, and no two edits came less than an interval apart
    wait_until(lambda: shown_content(discord, message) == final, timeout=10, what="the final state shown")
    time.sleep(3 * INTERVAL_S)  # any edit still queued would land by now
    shown = discord.control.message(message["id"])
    assert shown["content"] == final
    assert discord.control.stats()["faults"][0]["hits"] == 3
    # Started by Muster: each edit starts an interval after the previous one *ended*.
    started = edit_starts(KIND, PROBE_ID)
    assert len(started) == len(shown["history"]) >= 4
    assert min(b - a for a, b in itertools.pairwise(started)) >= INTERVAL_S
    # Seen by Discord: a request reaches the sandbox after its edit started and the
    # previous one was answered before that edit ended, so the same bound holds; 2 ms
    # covers reading the sandbox's monotonic clock against the worker's wall clock.
    seen = [version["replaced_at"]["monotonic"] for version in shown["history"]]
    assert min(b - a for a, b in itertools.pairwise(seen)) >= INTERVAL_S - 0.002


def post_as_bot(discord, channel_id: int, content: str) -> dict:
    url = f"{discord.url}/api/v10/channels/{channel_id}/messages"
    response = httpx.post(url, json={"content": content}, headers={"Authorization": f"Bot {BOT_TOKEN}"})
    response.raise_for_status()
    return response.json()


def shown_content(discord, message: dict) -> str:
    """What the channel shows now in ``message``."""
    return discord.control.message(message["id"])["content"]
