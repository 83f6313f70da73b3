"""Away (leave, a public holiday): the desk's DMs are held for the summary of the first day back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import HeldNudge, OutboundMessage
from desk import digest, services
from desk.models import DeskSettings, DigestDay, Task
from desk.services import By

pytestmark = pytest.mark.django_db


def test_a_task_given_to_a_member_away_is_held_not_sent(cast, away):
    now = timezone.now()
    away.send(cast.member, until=now + timedelta(days=3))
    task = services.add_task(
        cast.guild.id,
        By(cast.organiser.member_id, manages=True),
        title="Print the badges",
        assignee_id=cast.member.member_id,
        now=now,
    )
    assert not OutboundMessage.objects.filter(member_id=cast.member.member_id).exists()
    held = HeldNudge.objects.get()
    assert (held.member_id, held.kind, held.key) == (
        cast.member.member_id,
        "task_assigned",
        f"desk:task:{task.id}:assigned:{cast.member.member_id}:{int(task.assigned_at.timestamp())}",
    )
    assert held.text == f"<@{cast.organiser.member_id}> assigned you task #{task.id}: Print the badges."


def test_a_due_reminder_while_away_is_held_once(cast, away):
    now = timezone.now().replace(microsecond=0)
    due = now + timedelta(days=2)
    task = services.add_task(cast.guild.id, By(cast.member.member_id), title="Send the invoice", due_at=due, now=now)
    away.send(cast.member, until=due + timedelta(days=1))
    assert services.send_due_reminders(due - timedelta(hours=23)) == 0
    assert services.send_due_reminders(due - timedelta(hours=22)) == 0
    assert not OutboundMessage.objects.filter(member_id=cast.member.member_id).exists()
    held = HeldNudge.objects.get()
    assert (held.kind, held.key) == (
        "task_due",
        f"desk:task:{task.id}:due:{cast.member.member_id}:{int(due.timestamp())}",
    )
    assert held.text.startswith(f"Task #{task.id}: Send the invoice is due <t:{int(due.timestamp())}:R>")
    assert Task.objects.get().remind_at is None


def test_no_overdue_digest_while_away_and_it_comes_once_back(cast, away, make_task):
    DeskSettings.objects.create(guild=cast.guild, digest_hour=0)
    make_task("Return the projector", due_at=timezone.now() - timedelta(hours=1))
    away.send(cast.member)
    assert digest.send_own_digests(timezone.now()) == 0
    assert not DigestDay.objects.exists()
    away.back(cast.member)
    assert digest.send_own_digests(timezone.now()) == 1
