"""The coalesced refresh when Discord or the broker fails: bounded attempts, backoff, a cap, nothing lost."""

from __future__ import annotations

import logging
import time

import pytest

from core import refresh
from core.models import PendingRefresh
from core.refresh import Rendered, renderer
from tests.core.conftest import broker_tasks

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]

KIND = "test-refresh-failures"
TARGET: dict[int, tuple[int, int]] = {}  # object id -> (channel id, message id)
PATCH = "PATCH /channels/{channel_id}/messages/{message_id}"


@renderer(KIND, interval=1.0)
def render(object_id: int) -> Rendered | None:
    channel_id, message_id = TARGET[object_id]
    return Rendered(channel_id, message_id, {"content": f"state of {object_id}"})


@pytest.fixture
def posted(live_discord):
    from core.discord_api import get_client

    message = get_client().send_message(live_discord.channel_id, {"content": "before"})
    TARGET[1] = (live_discord.channel_id, int(message["id"]))
    yield message
    TARGET.clear()


def test_a_failing_edit_is_one_short_attempt_retried_with_backoff_then_given_up(
    live_discord, posted, flush_redis, caplog
):
    # Given Discord failing every edit
    live_discord.control.inject_fault("error", "/channels/*/messages/*", method="PATCH", status=500, duration_s=60)

    # When the refresh runs, and runs again each time it asks to
    countdowns, spent = [], []
    for _ in range(refresh.MAX_FAILURES):
        flush_redis.delete(refresh._key(KIND, 1) + ":next")  # the retry is due
        started = time.monotonic()
        refresh.refresh(KIND, 1)
        spent.append(time.monotonic() - started)
        tasks = broker_tasks(flush_redis)
        countdowns.append(len(tasks))
        flush_redis.delete("discord")

    # Then each attempt was one request, returned quickly, and asked for a retry later and later until it gave up
    assert live_discord.control.stats()["rest"]["requests"][PATCH] == refresh.MAX_FAILURES
    assert max(spent) < 3.0, spent
    assert countdowns == [1, 1, 1, 1, 1, 0]
    assert f"refresh {KIND} 1 given up after {refresh.MAX_FAILURES} failures" in caplog.text
    assert "retry 1 in 2.0 s" in caplog.text and "retry 5 in 32.0 s" in caplog.text


def test_a_rate_limit_longer_than_an_attempt_may_wait_is_retried_later_not_slept_through(
    live_discord, posted, flush_redis
):
    live_discord.control.inject_fault("ratelimit", "/channels/*/messages/*", method="PATCH", retry_after=20, count=1)
    started = time.monotonic()
    refresh.refresh(KIND, 1)  # learns the 20 s limit
    flush_redis.delete(refresh._key(KIND, 1) + ":next")
    refresh.refresh(KIND, 1)  # must not sleep 20 s for it (an attempt waits at most EDIT_MAX_WAIT_S)
    assert time.monotonic() - started < 5.0
    assert live_discord.control.stats()["rest"]["requests"][PATCH] == 1


def test_a_refresh_that_cannot_be_queued_is_remembered_and_queued_by_the_tick(
    live_discord, posted, flush_redis, redis_server, caplog
):
    from django.db import transaction

    # Given the broker down when the change commits
    with caplog.at_level(logging.WARNING), transaction.atomic():
        transaction.on_commit(redis_server.stop)
        refresh.schedule_refresh(KIND, 1)
        transaction.on_commit(redis_server.start)  # a later hook still runs
    assert list(PendingRefresh.objects.values_list("kind", "object_id")) == [(KIND, 1)]
    assert f"refresh {KIND} 1 not queued" in caplog.text

    # When the tick runs with the broker back
    assert refresh.retry_pending() == 1

    # Then the refresh is queued once, and runs
    assert broker_tasks(flush_redis) == [("core.tasks.refresh_message", [KIND, 1])]
    assert not PendingRefresh.objects.exists()
    refresh.refresh(KIND, 1)
    assert live_discord.control.message(posted["id"])["content"] == f"state of {1}"
