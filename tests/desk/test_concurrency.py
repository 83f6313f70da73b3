"""Ticks at once, against PostgreSQL: each due reminder and each day's digest goes once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from core.models import OutboundMessage
from desk import digest, services
from desk.models import DeskSettings, DigestDay, Task
from desk.services import By
from tests.factories import GuildMemberFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def simultaneously(calls):
    """Run every call in its own thread and database connection, released together."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait()
            return call()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def test_four_ticks_at_once_send_each_due_reminder_once(cast):
    now = timezone.now().replace(microsecond=0)
    due = now + timedelta(days=2)
    members = [GuildMemberFactory(guild=cast.guild) for _ in range(6)]
    for n, member in enumerate(members):
        services.add_task(cast.guild.id, By(member.member_id), title=f"Task {n}", due_at=due, now=now)
    at = due - timedelta(hours=23)
    assert sum(simultaneously([lambda: services.send_due_reminders(at) for _ in range(4)])) == 6
    assert OutboundMessage.objects.filter(idempotency_key__contains=":due:").count() == 6
    assert not Task.objects.filter(remind_at__isnull=False).exists()


def test_digest_ticks_at_once_send_one_digest_per_member_and_day(cast):
    DeskSettings.objects.create(guild=cast.guild, digest_hour=0)
    members = [GuildMemberFactory(guild=cast.guild) for _ in range(4)]
    for member in members:
        Task.objects.create(
            guild=cast.guild, title="Late", assignee_id=member.member_id, due_at=timezone.now() - timedelta(hours=1)
        )
    now = timezone.now()
    assert sum(simultaneously([lambda: digest.send_own_digests(now) for _ in range(3)])) == 4
    assert OutboundMessage.objects.filter(idempotency_key__startswith="desk:digest:").count() == 4
    assert DigestDay.objects.count() == 4
