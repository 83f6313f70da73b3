"""What one interaction costs a worker, in round trips: pinned, so a change that adds one fails here.

Counts, not times (``python -m bench profile`` reports the same figures over many
interactions). Each kind runs through ``dispatcher.handle`` against the real PostgreSQL,
Redis and Discord sandbox, from a member the worker has already recorded (as almost every
interaction is): the statements of the handler's one transaction, the answer, and the
write that records it was sent. If a change here is on purpose, update the figures and
README's "Performance and scaling" profile line together.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta

import httpx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.interactions import dispatcher
from core.models import CommandLog, Guild
from tests.core.conftest import application_id

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres, pytest.mark.timeout(180)]

CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
# The first change of a message queues its refresh (core.refresh): the ``:queued`` mark
# (SET NX), when the next edit may start (GET), and the task's publish (LPUSH, PUBLISH).
# While that refresh is queued, a click costs the SET alone (bench profile: 1.0 a click).
FIRST_REFRESH = {"set": 1, "get": 1, "lpush": 1, "publish": 1}
# A pooled connection opened on the way (which depends on the tests run before in this
# process) is not the interaction's cost: a running worker keeps its connections.
HANDSHAKES = Counter({"hello": 99, "client": 99, "select": 99, "auth": 99})


def test_a_ping_costs_one_transaction_one_answer_and_one_write_after_it(live_discord, flush_redis):
    # Given a member the worker has recorded
    warm_up(live_discord)
    # When they use /muster ping
    payload = ping_payload(live_discord)
    cost = measure(live_discord, flush_redis, payload)
    # Then: BEGIN, the command log upsert (the row and its lock), the dispatcher's savepoint
    # around the handler and its release, the outcome with the claim on the answer, COMMIT,
    # then the answer's PATCH and the write that it was sent; no Redis at all
    assert cost == Cost(statements=7, transaction_control=4, redis={}, http=1), cost.sql
    assert CommandLog.objects.get(pk=payload["id"]).answered_at is not None


def test_a_going_click_reads_the_event_once(live_discord, flush_redis):
    # Given an event and a member the worker has recorded
    from events import services
    from events.discord.messages import RESPONSES
    from events.models import Registration

    guild = warm_up(live_discord)
    now = timezone.now()
    draft = services.EventDraft(title="Picnic", starts_at=now + timedelta(days=7))
    event = services.create_event(guild, draft, now=now, channel_id=live_discord.channel_id)
    # When they click Going
    payload = live_discord.component_payload(RESPONSES[Registration.Status.GOING].build(event_id=event.id))
    cost = measure(live_discord, flush_redis, payload)
    # Then, besides the ping's 7: respond()'s savepoint and release, one locked read of the
    # event (with its guild and space), its signup options, the member's registration and
    # its insert; the refresh of the post is queued (FIRST_REFRESH), and one follow-up
    assert cost == Cost(statements=13, transaction_control=6, redis=FIRST_REFRESH, http=1), cost.sql
    assert sum("events_event" in sql.split(" WHERE ")[0] for sql in cost.sql) == 1, cost.sql
    assert Registration.objects.get(event=event).status == Registration.Status.GOING


def test_a_vote_reads_the_poll_and_its_options_once(live_discord, flush_redis):
    # Given a poll and a member the worker has recorded
    from polls import services
    from polls.discord.messages import VOTE
    from polls.models import Vote

    guild = warm_up(live_discord)
    poll = services.create_poll(guild, services.PollDraft("Lunch?", ["Pizza", "Soup"]), now=timezone.now())
    option = poll.options.get(position=1)
    # When they vote
    payload = live_discord.component_payload(VOTE.build(poll_id=poll.id, option_id=option.id))
    cost = measure(live_discord, flush_redis, payload)
    # Then, besides the ping's 7: whether the poll is anonymous (decided before the log row
    # is written), vote()'s savepoint and release, the poll share-locked, the member's
    # advisory lock, the options, the member's votes and the insert; the refresh queued, one follow-up
    assert cost == Cost(statements=15, transaction_control=6, redis=FIRST_REFRESH, http=1), cost.sql
    assert sum("polls_option" in sql.split(" WHERE ")[0] for sql in cost.sql) == 1, cost.sql
    assert list(Vote.objects.values_list("option_id", flat=True)) == [option.id]
    assert live_discord.control.interaction(payload["id"])["followups"][0]["content"] == "Your vote: **Pizza**."


class Cost:
    def __init__(self, *, statements: int, transaction_control: int, redis: dict, http: int, sql=()):
        self.statements, self.transaction_control, self.redis, self.http = statements, transaction_control, redis, http
        self.sql = list(sql)

    def _figures(self) -> tuple[int, int, dict, int]:
        return self.statements, self.transaction_control, self.redis, self.http

    def __eq__(self, other) -> bool:
        return isinstance(other, Cost) and self._figures() == other._figures()

    def __repr__(self) -> str:
        return "Cost(statements={}, transaction_control={}, redis={}, http={})".format(*self._figures())


def measure(live_discord, redis_client, payload: dict) -> Cost:
    """Run one interaction: the SQL statements, Redis commands and REST calls it cost."""
    redis_before, http_before = redis_calls(redis_client), rest_calls(live_discord)
    with CaptureQueriesContext(connection) as captured:
        dispatcher.handle(payload)
    sql = [query["sql"] for query in captured.captured_queries]
    return Cost(
        statements=len(sql),
        transaction_control=sum(statement.lstrip().upper().startswith(CONTROL) for statement in sql),
        redis=dict(redis_calls(redis_client) - redis_before - HANDSHAKES - Counter(info=1)),  # less the INFO
        http=rest_calls(live_discord) - http_before,
        sql=sql,
    )


def redis_calls(client) -> Counter:
    return Counter(
        {name.removeprefix("cmdstat_"): int(entry["calls"]) for name, entry in client.info("commandstats").items()}
    )


def rest_calls(live_discord) -> int:
    requests = live_discord.control.stats()["rest"]["requests"]
    return sum(n for route, n in requests.items() if "/callback" not in route)


def warm_up(live_discord) -> Guild:
    """One ping first: the worker records the member and loads the handlers, as a running one has."""
    dispatcher.handle(ping_payload(live_discord))
    return Guild.objects.get(id=live_discord.guild_id)


def ping_payload(live_discord) -> dict:
    """Alice's /muster ping, deferred as the gateway defers it."""
    from tests.e2e.conftest import BOT_TOKEN

    command = {"name": "muster", "description": "Muster", "options": [{"type": 1, "name": "ping", "description": "?"}]}
    url = f"{live_discord.url}/api/v10/applications/{application_id()}/commands"
    httpx.put(url, json=[command], headers={"Authorization": f"Bot {BOT_TOKEN}"}).raise_for_status()
    where = {"channel_id": live_discord.channel_id, "user_id": live_discord.member_id}
    ix = live_discord.control.inject_command("muster", subcommand="ping", **where)
    callback = f"{live_discord.url}/api/v10/interactions/{ix['id']}/{ix['token']}/callback"
    httpx.post(callback, json={"type": 5, "data": {"flags": 64}}).raise_for_status()
    return {
        "id": int(ix["id"]),
        "token": ix["token"],
        "application_id": application_id(),
        "kind": "command",
        "command": "muster ping",
        "guild_id": live_discord.guild_id,
        "guild_name": "Muster HQ",
        "channel_id": live_discord.channel_id,
        "member": {"id": live_discord.member_id, "username": "alice", "roles": [], "permissions": 0},
        "created_at": time.time(),
        "acked_at": time.time(),
    }
