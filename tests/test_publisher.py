"""The gateway's publisher against a real Redis: what it took is published or reported
uncertain, what it did not take can be withdrawn and is then never published."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import time

import pytest

from core.interactions import signing
from core.interactions.tasks import handle_interaction, handle_interactions
from discord_gateway.publish import (
    BATCH_OF_ITEMS,
    Outcome,
    Publisher,
    PublishUncertain,
    deliver,
    deliver_blocking,
    stop_publisher,
)


def queued_messages(client) -> list[list[int]]:
    """The interaction ids of each message in the ``interactions`` queue, oldest first."""
    messages = []
    for raw in reversed(client.lrange("interactions", 0, -1)):
        args, _kwargs, _embed = json.loads(base64.b64decode(json.loads(raw)["body"]))
        messages.append([payload["id"] for payload in args[0]] if isinstance(args[0], list) else [args[0]["id"]])
    return messages


def queued_ids(client) -> list[int]:
    """Interaction ids in the ``interactions`` queue, oldest first."""
    return [number for message in queued_messages(client) for number in message]


def interaction(number: int) -> tuple:
    return (signing.sign({"id": number}),)  # signed as the gateway does, or a worker would refuse it


@pytest.fixture
def publisher(flush_redis):
    publisher = Publisher().start()
    yield publisher
    publisher.close()


def test_it_confirms_each_item_once_redis_holds_it(publisher, flush_redis):
    futures = [publisher.submit(handle_interaction, interaction(n)) for n in range(500)]

    assert [future.result(timeout=10) for future in futures] == [None] * 500
    assert queued_ids(flush_redis) == list(range(500))


def test_interactions_queued_together_go_several_to_a_message_and_one_alone_goes_as_it_is(
    publisher, flush_redis, redis_server
):
    # Given a quiet gateway: an interaction alone goes as its own task
    publisher.submit(handle_interaction, interaction(0), batch=handle_interactions).result(timeout=5)
    # and one whose publisher is held up (Redis frozen) while a burst queues up behind it
    os.kill(redis_server.process.pid, signal.SIGSTOP)
    try:
        taken = publisher.submit(handle_interaction, interaction(1), within=10, batch=handle_interactions)
        time.sleep(0.3)  # the thread took this one and waits for the broker
        burst = [
            publisher.submit(handle_interaction, interaction(n), within=10, batch=handle_interactions)
            for n in range(2, 21)
        ]
        directory = publisher.submit(handle_interaction, interaction(21), within=10)  # no batch: on its own
        after = publisher.submit(handle_interaction, interaction(22), within=10, batch=handle_interactions)
    finally:
        os.kill(redis_server.process.pid, signal.SIGCONT)

    # When the broker is back, then every item is confirmed
    assert [future.result(timeout=10) for future in [taken, *burst, directory, after]] == [None] * 22
    # and the burst went BATCH_OF_ITEMS to a message, in order, the others each on its own
    assert BATCH_OF_ITEMS == 8
    expected = [[0], [1], list(range(2, 10)), list(range(10, 18)), [18, 19, 20], [21], [22]]
    assert queued_messages(flush_redis) == expected
    tasks = [json.loads(raw)["headers"]["task"] for raw in reversed(flush_redis.lrange("interactions", 0, -1))]
    assert tasks == [handle_interaction.name] * 2 + [handle_interactions.name] * 3 + [handle_interaction.name] * 2


def test_a_hung_broker_makes_a_taken_item_uncertain_and_leaves_the_rest_untaken(publisher, flush_redis, redis_server):
    publisher.submit(handle_interaction, interaction(0)).result(timeout=5)
    # Redis answers PING but holds writes: the item is taken, sent, and not answered in time.
    flush_redis.client_pause(1500, all=False)
    taken = publisher.submit(handle_interaction, interaction(1), within=0.5)
    with pytest.raises(PublishUncertain):
        taken.result(timeout=3)
    os.kill(redis_server.process.pid, signal.SIGSTOP)
    try:
        # Redis answers nothing, not even PING: nothing is taken, everything can be withdrawn.
        waiting = [publisher.submit(handle_interaction, interaction(n), within=0.5) for n in (2, 3, 4)]
        time.sleep(0.3)
        assert [future.cancel() for future in waiting] == [True, True, True]
        kept = publisher.submit(handle_interaction, interaction(5), within=10)
        time.sleep(0.3)
        assert not kept.running() and not kept.done()
    finally:
        os.kill(redis_server.process.pid, signal.SIGCONT)

    assert kept.result(timeout=5) is None
    assert publisher.submit(handle_interaction, interaction(6)).result(timeout=5) is None
    # Redis dropped 1 with the connection that timed out; the publisher could not know that
    # (with a frozen Redis such a push does get in later): "uncertain" was all it could say.
    assert queued_ids(flush_redis) == [0, 5, 6]


@pytest.mark.parametrize("way", ["gateway", "web"])
def test_it_reports_unpublished_while_the_broker_is_stopped_and_resumes_once_restarted(way, flush_redis, redis_server):
    def deliver_now(number: int, within: float = 1.5) -> Outcome:
        if way == "web":  # a thread without an event loop: web's, in HTTP mode
            return deliver_blocking(handle_interaction, interaction(number), what="test", within=within)
        return asyncio.run(deliver(handle_interaction, interaction(number), what="test", within=within))

    try:
        assert deliver_now(0) is Outcome.PUBLISHED
        redis_server.stop()
        try:
            started = time.monotonic()
            assert deliver_now(1, within=0.5) is Outcome.UNPUBLISHED
            assert time.monotonic() - started < 1.0
        finally:
            redis_server.start()

        assert deliver_now(2) is Outcome.PUBLISHED
        assert queued_ids(flush_redis) == [2]  # the restarted Redis starts empty; 1 never got in
    finally:
        stop_publisher()
