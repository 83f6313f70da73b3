"""Simultaneous "While you were away" ticks against PostgreSQL: each member gets one summary."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import Count

from core import away_summary, nudging
from core.models import HeldNudge, OutboundMessage
from tests.events.test_concurrency import simultaneously
from tests.factories import GuildFactory, GuildMemberFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
BACK = NOW + timedelta(days=5)

nudging.register_held_kind("test_answer", "an event asked for your answer", "{n} events asked for your answer")


def test_simultaneous_ticks_send_each_member_back_one_summary(away):
    guild = GuildFactory()
    members = [GuildMemberFactory(guild=guild) for _ in range(12)]
    for who in members:
        away.send(who, until=BACK)
        for n in range(3):
            nudging.hold(guild.id, who.member_id, at=NOW, kind="test_answer", key=f"e:{n}", text=f"Event {n}")

    sent = simultaneously([lambda: away_summary.send_due(now=BACK, batch=5) for _ in range(4)])

    assert sum(sent) == 12
    per_member = OutboundMessage.objects.filter(idempotency_key__startswith="away-summary:").values("member_id")
    assert sorted(row["n"] for row in per_member.annotate(n=Count("id"))) == [1] * 12
    assert HeldNudge.objects.filter(summarised_at__isnull=True).count() == 0
