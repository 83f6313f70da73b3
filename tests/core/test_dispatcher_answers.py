"""The dispatcher's answer against a real sandbox: once per interaction, whatever happens after the commit."""

from __future__ import annotations

import threading
from datetime import timedelta

import httpx
import pytest
from django.db import connection
from django.utils import timezone

from core import directory
from core.discord_api import TransientError
from core.interactions import Interaction, dispatcher
from core.models import CommandLog, Guild

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]

NO_LONGER = "This no longer does anything."
COUNTED = "Your vote is counted. This poll is anonymous: nobody can see what you chose."


def run_in_threads(count: int, target) -> list[BaseException]:
    """Run ``target`` in ``count`` threads at once; what they raised."""
    errors: list[BaseException] = []

    def body():
        try:
            target()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=body) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.postgres  # two threads writing at once: SQLite serialises them with "database is locked"
def test_two_concurrent_deliveries_of_a_click_send_one_follow_up(live_discord, settings):
    # Given a click whose answer is a private follow-up, and Discord slow to take the first one
    payload = live_discord.component_payload("gone:button:1")
    live_discord.control.inject_fault("delay", "/webhooks/*/*", method="POST", delay_s=1.0, count=1)

    # When two workers get the same delivery at once
    raised = run_in_threads(2, lambda: dispatcher.handle(payload))

    # Then the second found the answer claimed and comes back later (the task retries when
    # the claim would expire), finding it answered
    assert [type(e) for e in raised] == [dispatcher.AnswerInFlight]
    assert settings.CELERY_TASK_TIME_LIMIT - 2 <= raised[0].retry_in <= settings.CELERY_TASK_TIME_LIMIT + 1
    dispatcher.handle(payload)
    # and the member sees one answer, and the log says it was answered once
    followups = live_discord.control.interaction(payload["id"])["followups"]
    assert [m["content"] for m in followups] == [NO_LONGER]
    entry = CommandLog.objects.get(pk=payload["id"])
    assert (entry.outcome, entry.attempts, entry.answered_at is not None) == ("unknown", 3, True)
    assert entry.answer_claimed_at is None


def test_a_delivery_whose_worker_died_mid_handler_is_counted_and_the_redelivery_runs_it_once(live_discord):
    # Given a first delivery that counted itself and died before the handler's commit
    payload = live_discord.component_payload("gone:button:3")
    interaction = Interaction.from_payload(payload)
    directory.record_actor(interaction)
    assert dispatcher._count_attempt(interaction, interaction.id) == ("pending", False)

    # When the broker redelivers it, twice
    dispatcher.handle(payload)
    dispatcher.handle(payload)

    # Then every delivery is counted, the handler's answer was sent once
    entry = CommandLog.objects.get(pk=payload["id"])
    assert (entry.outcome, entry.attempts, entry.answer_claimed_at) == ("unknown", 3, None)
    assert [m["content"] for m in live_discord.control.interaction(payload["id"])["followups"]] == [NO_LONGER]


def test_an_answer_claimed_by_a_killed_worker_is_sent_once_the_claim_expires(live_discord, settings):
    # Given a delivery that claimed the answer and died before sending it
    payload = live_discord.component_payload("gone:button:2")
    dispatcher.handle(payload)  # first delivery: answered, so make it look claimed and unsent
    CommandLog.objects.update(answered_at=None, answer_claimed_at=timezone.now())
    with pytest.raises(dispatcher.AnswerInFlight):
        dispatcher.handle(payload)  # too early: the claimant may still be sending

    # When the claim is older than a task may live
    CommandLog.objects.update(answer_claimed_at=timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 1))
    dispatcher.handle(payload)

    # Then this delivery sent it
    assert len(live_discord.control.interaction(payload["id"])["followups"]) == 2
    assert CommandLog.objects.get().answered_at is not None


def test_a_vote_in_an_anonymous_poll_keeps_no_member_no_moment_and_no_interaction_id(live_discord):
    # Given an anonymous poll in alice's guild, opened an hour and a half ago
    from django.utils import timezone

    from polls import services
    from polls.models import Vote

    opened = timezone.now() - timedelta(minutes=90)
    guild = Guild.objects.create(id=live_discord.guild_id, name="Muster HQ")
    draft = services.PollDraft("Secret?", ["Yes", "No"], anonymous=True)
    poll = services.create_poll(guild, draft, now=opened, channel_id=live_discord.channel_id)
    option = poll.options.get(position=2)

    # When alice votes
    payload = live_discord.component_payload(f"poll:vote:{poll.id}:{option.id}")
    dispatcher.handle(payload)

    # Then she is answered, and the log row says a vote happened in this hour, not who cast it or when
    assert [m["content"] for m in live_discord.control.interaction(payload["id"])["followups"]] == [COUNTED]
    entry = CommandLog.objects.get(command="poll:vote")
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    assert (entry.member_id, entry.options, entry.outcome) == (None, {"redacted": True}, "ok")
    assert entry.received_at in (hour, hour - timedelta(hours=1))  # the hour may have turned meanwhile
    assert entry.answered_at in (hour, hour - timedelta(hours=1))
    assert entry.answer_claimed_at is None
    assert entry.pk < 0  # a Discord id would hold the interaction's moment to the millisecond
    assert not CommandLog.objects.filter(pk=payload["id"]).exists()
    # and the vote carries the poll's opening, not the moment it was cast
    assert list(Vote.objects.values_list("cast_at", flat=True)) == [poll.created_at]
    assert poll.created_at == opened


def test_a_redelivered_anonymous_vote_finds_its_log_row_and_is_counted_once(live_discord):
    from django.utils import timezone

    from polls import services

    guild = Guild.objects.create(id=live_discord.guild_id, name="Muster HQ")
    draft = services.PollDraft("Secret?", ["Yes", "No"], anonymous=True)
    poll = services.create_poll(guild, draft, now=timezone.now(), channel_id=live_discord.channel_id)
    payload = live_discord.component_payload(f"poll:vote:{poll.id}:{poll.options.get(position=1).id}")

    dispatcher.handle(payload)
    dispatcher.handle(payload)

    assert [(e.attempts, e.outcome) for e in CommandLog.objects.all()] == [(2, "ok")]
    assert [t.votes for t in poll.tally()] == [1, 0]
    assert len(live_discord.control.interaction(payload["id"])["followups"]) == 1


@pytest.fixture
def broker_dies_after_commit(redis_server):
    """A click whose handler writes to the outbox and schedules a refresh, with the broker
    stopped by the first on-commit hook and started again by the last one."""
    from django.db import transaction

    from core import outbox, refresh
    from core.interactions import Reply, routing
    from core.interactions.custom_ids import CustomId

    template = CustomId("testhooks:note:{n:int}")

    @routing.component(template)
    def handler(interaction, n):
        transaction.on_commit(redis_server.stop, robust=True)
        outbox.enqueue(key=f"test-hooks:{n}", channel_id=interaction.channel_id, payload={"content": "noted"})
        refresh.schedule_refresh("test-hooks", n)
        transaction.on_commit(redis_server.start, robust=True)
        return Reply("Done, noted.")

    yield template
    routing._routes.pop(("component", template.prefix))
    if redis_server.process is None:
        redis_server.start()


def test_a_broker_error_after_the_commit_costs_neither_the_answer_nor_the_effects(
    live_discord, broker_dies_after_commit, flush_redis
):
    from core import outbox
    from core.models import OutboundMessage, PendingRefresh

    # When a click's handler commits and the broker is gone as its hooks run
    payload = live_discord.component_payload(broker_dies_after_commit.build(n=7))
    dispatcher.handle(payload)

    # Then the member has the answer, the hook after the failing ones ran (Redis is back)
    followups = live_discord.control.interaction(payload["id"])["followups"]
    assert [m["content"] for m in followups] == ["Done, noted."]
    assert CommandLog.objects.get(pk=payload["id"]).answered_at is not None
    # and what could not be queued is waiting for its tick: the outbox row and the refresh
    message = OutboundMessage.objects.get(idempotency_key="test-hooks:7")
    assert (message.status, outbox.due()) == ("pending", [message.id])
    assert list(PendingRefresh.objects.values_list("kind", "object_id")) == [("test-hooks", 7)]


def test_an_answer_that_overtakes_its_acknowledgement_is_retried_until_discord_has_it(live_discord):
    # Given a click whose deferral Discord has not taken in yet (HTTP mode: web's response in flight)
    payload = live_discord.component_payload("gone:button:4", defer=False)

    # When a worker answers it first, the task is to be retried, and the answer may be sent then
    with pytest.raises(TransientError):
        dispatcher.handle(payload)
    entry = CommandLog.objects.get(pk=payload["id"])
    assert (entry.answered_at, entry.answer_claimed_at) == (None, None)

    # Then once the deferral is there, the retry sends the answer, once
    callback = f"{live_discord.url}/api/v10/interactions/{payload['id']}/{payload['token']}/callback"
    httpx.post(callback, json={"type": 6}).raise_for_status()
    dispatcher.handle(payload)
    dispatcher.handle(payload)
    assert [m["content"] for m in live_discord.control.interaction(payload["id"])["followups"]] == [NO_LONGER]
    assert CommandLog.objects.get(pk=payload["id"]).answered_at is not None


def test_an_interaction_whose_acknowledgement_never_came_is_given_up_without_a_retry(live_discord):
    # Given a click past Discord's deadline that was never acknowledged
    payload = live_discord.component_payload("gone:button:5", defer=False)
    payload["created_at"] -= dispatcher.ACK_RACE_S + 1

    # When a worker answers it, nothing can be shown: it is logged and not retried
    dispatcher.handle(payload)
    assert live_discord.control.interaction(payload["id"])["followups"] == []
