"""Delivery to Discord through real workers: redelivery, shared rate limits, the outbox."""

from __future__ import annotations

import time

import pytest
from django.db import transaction

from core import outbox
from core.models import CommandLog, Member, OutboundMessage
from tests.e2e.conftest import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# A visibility timeout of 2 s lets a fresh worker take back what a killed one held, and a
# task time limit of 5 s lets it take over the answer the killed one had claimed.
QUICK_REDELIVERY = {
    "CELERY_VISIBILITY_TIMEOUT": "2",
    "MAX_RETRY_DELAY": "1",
    "CELERY_TASK_TIME_LIMIT": "5",
    "CELERY_TASK_SOFT_TIME_LIMIT": "4",
}


def test_a_worker_killed_mid_task_is_redelivered_and_its_effect_happens_once(discord, world, gateway, start_worker):
    doomed = start_worker(name="doomed", env=QUICK_REDELIVERY)
    discord.control.inject_fault("delay", "/webhooks/*/messages/@original", method="PATCH", delay_s=30, count=1)
    ix = discord.ping(world)
    wait_until(lambda: CommandLog.objects.filter(pk=int(ix["id"]), outcome="ok").exists(), what="handler run")

    doomed.kill()  # SIGKILL while the answer to Discord is in flight
    time.sleep(2.5)  # past the visibility timeout: the next worker restores the message as it starts
    start_worker(name="survivor", env=QUICK_REDELIVERY)

    answered = CommandLog.objects.filter(pk=int(ix["id"]), answered_at__isnull=False)
    # The answer claim of the killed worker lasts CELERY_TASK_TIME_LIMIT (5 s) from its claim,
    # and the survivor retries after it: allow for a slow start on a busy machine.
    entry = wait_until(answered.first, timeout=45, what="redelivered answer")
    # The survivor's first delivery may still find the killed worker's claim on the answer
    # and come back once it expires: two or three deliveries, one handler run, one edit.
    assert (entry.outcome, entry.attempts in (2, 3)) == ("ok", True)
    assert CommandLog.objects.count() == 1
    original = discord.control.interaction(ix["id"])["original"]
    assert original["content"].startswith("Pong!")
    assert len(original["history"]) == 1  # one edit: the killed one never reached Discord


def test_two_workers_keep_a_compressed_global_limit_and_honour_an_injected_429(
    discord, world, start_process, muster_env, start_worker
):
    discord.control.set_limits(global_per_s=100, routes={"messages:create": (1000, 1.0)})
    limited = {"DISCORD_GLOBAL_RATE_LIMIT": "100"}
    start_worker(name="sender-1", concurrency=4, env=limited)
    start_worker(name="sender-2", concurrency=4, env=limited)
    global_429 = {"retry_after": 0.5, "scope": "global", "is_global": True, "count": 1}
    discord.control.inject_fault("ratelimit", "/channels/*/messages", method="POST", **global_429)

    with transaction.atomic():
        for number in range(500):
            outbox.enqueue(key=f"bulk:{number}", channel_id=world.channel_id, payload={"content": f"#{number}"})

    delivered = OutboundMessage.objects.filter(status="delivered")
    wait_until(lambda: delivered.count() == 500, timeout=60, what="500 deliveries")
    rest = discord.control.stats()["rest"]
    assert rest["ratelimited_total"] == 1  # the injected one; Muster earned none
    assert rest["requests"]["POST /channels/{channel_id}/messages"] == 501
    assert len(discord.control.messages(world.channel_id)) == 500


def test_a_dm_to_a_member_with_closed_dms_is_marked_undeliverable_after_one_try(discord, world, muster_worker):
    bob = discord.control.add_member(world.guild_id, username="bob", dms_open=False)
    member = Member.objects.create(id=int(bob["user"]["id"]), username="bob")

    with transaction.atomic():
        message = outbox.enqueue(key="reminder:bob:1", member_id=member.id, payload={"content": "Standup at 10"})

    undeliverable = OutboundMessage.objects.filter(id=message.id, status="undeliverable")
    wait_until(undeliverable.exists, what="undeliverable")
    message.refresh_from_db()
    member.refresh_from_db()
    assert message.attempts == 1
    assert "code 50007" in message.last_error
    assert member.dms_closed_at is not None
    assert discord.control.dms(member.id) == []
