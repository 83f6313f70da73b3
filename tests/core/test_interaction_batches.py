"""``handle_interactions``: a burst's interactions that reached the broker in one message.

Each runs as ``handle_interaction`` would run it; one that cannot finish now goes on to a
task of its own (which retries it as a single one is retried), and the rest still run.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime

import pytest
from django.utils import timezone

from core.interactions import dispatcher, signing, tasks
from core.interactions.tasks import handle_interactions
from core.models import CommandLog

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]

NO_LONGER = "This no longer does anything."


def queued(redis) -> list[tuple[int, datetime | None]]:
    """(interaction id, eta) of each single task in the ``interactions`` queue, oldest first."""
    found = []
    for raw in reversed(redis.lrange("interactions", 0, -1)):
        message = json.loads(raw)
        assert message["headers"]["task"] == "core.interactions.tasks.handle_interaction"
        args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        eta = message["headers"].get("eta")
        found.append((args[0]["id"], datetime.fromisoformat(eta) if eta else None))
    return found


def followups(live_discord, payload) -> list[str]:
    return [m["content"] for m in live_discord.control.interaction(payload["id"])["followups"]]


def test_a_batch_runs_each_interaction_and_hands_on_the_ones_that_cannot_finish_now(live_discord, flush_redis):
    # Given a batch: a click answered too early (Discord has no deferral yet: retried later),
    # a plain click, a forged one, a click whose answer another delivery is sending, another plain click
    early = live_discord.component_payload("gone:button:1", defer=False)
    first = live_discord.component_payload("gone:button:2")
    forged = live_discord.component_payload("gone:button:3")
    in_flight = live_discord.component_payload("gone:button:4")
    dispatcher.handle(in_flight)
    CommandLog.objects.filter(pk=in_flight["id"]).update(answered_at=None, answer_claimed_at=timezone.now())
    last = live_discord.component_payload("gone:button:5")
    batch = [signing.sign(early), signing.sign(first), forged, signing.sign(in_flight), signing.sign(last)]

    # When a worker runs it
    before = timezone.now()
    handle_interactions.apply((batch,)).get()

    # Then the plain clicks are answered, once each, and the forged one is not run
    assert followups(live_discord, first) == [NO_LONGER]
    assert followups(live_discord, last) == [NO_LONGER]
    assert followups(live_discord, forged) == []
    assert not CommandLog.objects.filter(pk=forged["id"]).exists()
    # and the two that could not finish went on, each to a task of its own: the early one
    # after the first retry's pause, the one in flight once its claim would have expired
    [(early_id, early_eta), (in_flight_id, in_flight_eta)] = queued(flush_redis)
    assert (early_id, in_flight_id) == (early["id"], in_flight["id"])
    assert 0.5 <= (early_eta - before).total_seconds() <= 5
    assert (in_flight_eta - before).total_seconds() >= 60
    assert followups(live_discord, early) == []
    assert CommandLog.objects.get(pk=early["id"]).answered_at is None


def test_a_batch_out_of_time_hands_on_the_rest_without_running_them(live_discord, flush_redis, monkeypatch):
    # Given a batch whose time is up before its first interaction
    monkeypatch.setattr(tasks, "BATCH_BUDGET_S", -1.0)
    clicks = [live_discord.component_payload(f"gone:button:{n}") for n in (6, 7)]

    # When a worker runs it
    handle_interactions.apply(([signing.sign(click) for click in clicks],)).get()

    # Then none ran, and each waits in the queue as a task of its own, due now
    assert not CommandLog.objects.exists()
    assert queued(flush_redis) == [(clicks[0]["id"], None), (clicks[1]["id"], None)]


def test_the_broker_message_of_a_batch_shows_its_interactions_by_id_and_route_only(flush_redis):
    batch = [
        signing.sign({"id": 4244, "kind": "component", "custom_id": "poll:vote:7:8", "token": "secret-a"}),
        signing.sign({"id": 4245, "kind": "component", "custom_id": "poll:select:7", "values": ["mine"]}),
    ]
    handle_interactions.apply_async((batch,))
    message = json.loads(flush_redis.lindex("interactions", 0))
    assert message["headers"]["task"] == "core.interactions.tasks.handle_interactions"
    assert message["headers"]["argsrepr"] == (
        "(<interaction 4244 component poll:vote; interaction 4245 component poll:select>,)"
    )
    assert message["headers"]["kwargsrepr"] == "{}"
