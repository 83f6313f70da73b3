"""/metrics: behind METRICS_TOKEN, in Prometheus' text format, moved by real work in this process."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from core import metrics, outbox
from core.interactions import dispatcher
from core.models import Guild, Heartbeat

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]

TOKEN = "metrics-token-for-tests-0123456789"
WEBHOOK = "POST /webhooks/{application_id}/{interaction_token}"


def scrape(token: str | None = TOKEN):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token is not None else {}
    return Client().get("/metrics", secure=True, **headers)


def samples() -> dict[tuple[str, tuple], float]:
    """Every sample of a scrape: {(name, sorted labels): value}."""
    response = scrape()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    found = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            found[sample.name, tuple(sorted(sample.labels.items()))] = sample.value
    return found


def value(found: dict, name: str, **labels) -> float:
    return found.get((name, tuple(sorted((k, str(v)) for k, v in labels.items()))), 0.0)


def test_without_a_metrics_token_the_page_does_not_exist(settings, flush_redis):
    settings.METRICS_TOKEN = None
    assert scrape().status_code == 404


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer"])
def test_a_missing_or_wrong_token_is_401(settings, flush_redis, header):
    settings.METRICS_TOKEN = TOKEN
    extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    response = Client().get("/metrics", secure=True, **extra)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"muster_" not in response.content


def test_a_vote_moves_the_interaction_refresh_and_discord_counters(live_discord, settings):
    # Given an anonymous poll, and Discord answering alice's first follow-up with a 429
    from polls import services

    settings.METRICS_TOKEN = TOKEN
    guild = Guild.objects.create(id=live_discord.guild_id, name="Muster HQ")
    draft = services.PollDraft("Secret?", ["Yes", "No"], anonymous=True)
    poll = services.create_poll(guild, draft, now=timezone.now(), channel_id=live_discord.channel_id)
    option = poll.options.get(position=2)
    payload = live_discord.component_payload(f"poll:vote:{poll.id}:{option.id}")
    payload["created_at"] = payload["acked_at"] - 0.4  # the gateway's acknowledgement took 0.4 s
    live_discord.control.inject_fault("ratelimit", "/webhooks/*/*", method="POST", retry_after=0.2, count=1)
    before = samples()

    # When a worker handles her vote, and a redelivery of it comes
    dispatcher.handle(payload)
    dispatcher.handle(payload)
    after = samples()

    # Then one vote is counted by route and outcome, with its latencies
    def moved(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("muster_interactions_total", route="poll:vote", outcome="ok") == 1
    assert moved("muster_interaction_ack_seconds_count") == 1
    assert moved("muster_interaction_ack_seconds_bucket", le="0.25") == 0
    assert moved("muster_interaction_ack_seconds_bucket", le="0.5") == 1
    assert 0.35 <= moved("muster_interaction_ack_seconds_sum") <= 0.45
    assert moved("muster_interaction_end_to_end_seconds_count") == 1
    assert moved("muster_interaction_end_to_end_seconds_bucket", le="+Inf") == 1
    # and the follow-up's 429 and its retry, by route
    assert moved("muster_discord_rate_limited_total", route=WEBHOOK, scope="user") == 1
    assert moved("muster_discord_requests_total", route=WEBHOOK, status=429) == 1
    answered = {dict(labels)["status"] for (name, labels), n in after.items() if name.startswith("muster_discord_req")}
    assert sum(moved("muster_discord_requests_total", route=WEBHOOK, status=s) for s in answered if s[0] == "2") == 1
    # and the poll's refresh, queued once for the tally; the queue it waits in
    assert moved("muster_refreshes_total", kind="poll", result="queued") == 1
    assert value(after, "muster_queue_depth", queue="discord") >= 1
    assert value(after, "muster_queue_depth", queue="sheets") == 0


def test_a_second_change_while_a_refresh_is_queued_is_coalesced(settings, flush_redis):
    from core.refresh import _queue

    settings.METRICS_TOKEN = TOKEN
    _queue("poll", 41)
    _queue("poll", 41)
    _queue("poll", 41)
    found = samples()
    assert value(found, "muster_refreshes_total", kind="poll", result="queued") == 1
    assert value(found, "muster_refreshes_total", kind="poll", result="coalesced") == 2


def test_the_outbox_backlog_and_the_heartbeats_are_read_at_scrape_time(settings, flush_redis):
    # Given a DM pending for ten minutes, and beat's last heartbeat 42 s ago
    settings.METRICS_TOKEN = TOKEN
    Guild.objects.create(id=1, name="HQ")
    message = outbox.enqueue(key="metrics:1", payload={"content": "hello"}, channel_id=5, guild_id=1)
    message.__class__.objects.filter(id=message.id).update(created_at=timezone.now() - timedelta(minutes=10))
    Heartbeat.objects.create(name="beat", seen_at=timezone.now() - timedelta(seconds=42))

    found = samples()

    assert value(found, "muster_outbox_pending") == 1
    assert 600 <= value(found, "muster_outbox_oldest_pending_age_seconds") < 660
    assert 42 <= value(found, "muster_heartbeat_age_seconds", component="beat") < 60
    assert not [key for key in found if key[0] == "muster_metrics_scrape_errors"]


def test_domain_counters_and_their_labels():
    with pytest.raises(ValueError, match="takes the labels site, outcome"):
        metrics.JIRA_POLLS.inc(site=3)
    with pytest.raises(ValueError, match="only goes up"):
        metrics.REMINDERS_SENT.inc(-1, kind="event")


def test_a_scrape_with_redis_away_still_answers_and_says_what_it_missed(settings, flush_redis):
    from core import redis as core_redis

    settings.METRICS_TOKEN = TOKEN
    settings.REDIS_URL = settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    core_redis._clients.clear()
    try:
        metrics.INTERACTIONS.inc(route="poll:vote", outcome="ok")  # dropped, not raised
        found = samples()
    finally:
        core_redis._clients.clear()
    assert value(found, "muster_metrics_scrape_errors", part="counters") == 1
    assert value(found, "muster_metrics_scrape_errors", part="broker") == 1
    assert value(found, "muster_outbox_pending") == 0


def test_counts_of_a_forked_worker_child_reach_the_scrape_after_its_task(settings, flush_redis):
    import multiprocessing

    from celery.signals import task_postrun

    settings.METRICS_TOKEN = TOKEN
    metrics.REMINDERS_SENT.inc(5, kind="jira")  # pending in the parent when the child forks

    def child():
        metrics.REMINDERS_SENT.inc(3, kind="event")
        task_postrun.send(sender=None)  # what Celery sends when a task of this child ends
        os._exit(0)  # no atexit flush: the task's end wrote it

    import os

    process = multiprocessing.get_context("fork").Process(target=child)
    process.start()
    process.join(10)
    assert process.exitcode == 0
    assert flush_redis.hgetall("metrics:muster_reminders_sent") == {b'["event"]': b"3"}  # not the parent's 5
    found = samples()
    assert value(found, "muster_reminders_sent_total", kind="event") == 3
    assert value(found, "muster_reminders_sent_total", kind="jira") == 5
