"""Two beat ticks, two uses at once, against PostgreSQL: each occurrence posts once, a cooldown holds."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from community import schedules, services
from community.models import CommandUse, Occurrence
from community.schedules import Recurrence, ScheduleDraft
from community.services import CommandDraft, Use
from core.errors import RuleError
from core.interactions import Actor
from core.models import OutboundMessage

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

NOW = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)


def simultaneously(calls):
    """Run every call in its own thread and database connection, released together."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait()
            return call()
        except RuleError as refusal:
            return refusal.message
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def test_two_ticks_at_once_post_each_due_occurrence_exactly_once(cast):
    made = []
    for n in range(5):
        draft = ScheduleDraft(
            channel_id=700 + n, starts_at=NOW + timedelta(hours=1), content=f"#{n}", recurrence=Recurrence("daily")
        )
        made.append(schedules.create_schedule(cast.guild, draft, now=NOW))
    at = NOW + timedelta(hours=1, seconds=5)
    results = simultaneously([lambda: schedules.post_due(now=at) for _ in range(4)])
    assert sum(results) == 5
    assert OutboundMessage.objects.count() == 5
    assert Occurrence.objects.filter(outcome="sent").count() == 5
    assert sorted(OutboundMessage.objects.values_list("channel_id", flat=True)) == [700, 701, 702, 703, 704]


def test_simultaneous_uses_by_one_member_pass_the_cooldown_once(cast):
    draft = CommandDraft(name="dice", description="Roll", content="4", cooldown_seconds=30)
    command = services.create_command(cast.guild, draft, now=NOW)
    use = Use(actor=Actor(id=cast.member.member_id, username="alice"), guild_name="Muster HQ", channel_id=1)
    results = simultaneously([lambda: services.use_command(command, use, now=NOW)["content"] for _ in range(6)])
    assert sorted(results) == ["4"] + ["You used dice a moment ago; try again in 30 s."] * 5
    assert CommandUse.objects.count() == 1
