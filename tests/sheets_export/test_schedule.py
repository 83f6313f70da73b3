"""Claiming a run with compare-and-set, and which targets a tick finds due."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sheets_export import services
from sheets_export.models import ExportTarget
from tests.events.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def target(cast, **fields) -> ExportTarget:
    defaults = {"spreadsheet_id": f"sheet-{ExportTarget.objects.count()}-0123456789", "datasets": ["events"]}
    return ExportTarget.objects.create(guild=cast.guild, **{**defaults, **fields})


def test_two_ticks_never_claim_the_same_target_at_once(cast):
    now = timezone.now()
    board = target(cast)
    assert services.claim(board.id, now=now) is True
    assert services.claim(board.id, now=now) is False
    # A worker killed mid-run leaves its claim; it lapses after the lease.
    assert services.claim(board.id, now=now + services.LEASE + timedelta(seconds=1)) is True


def test_a_tick_finds_targets_whose_time_has_come(cast):
    now = timezone.now()
    due_now = target(cast, next_run_at=now - timedelta(seconds=1))
    target(cast, next_run_at=now + timedelta(minutes=3))
    claimed = target(cast, next_run_at=now - timedelta(minutes=1))
    services.claim(claimed.id, now=now)
    assert services.due(now=now) == [due_now.id]


def test_an_after_each_change_target_is_due_only_when_its_data_changed(cast):
    now = timezone.now()
    EventFactory(guild=cast.guild, starts_at=now + timedelta(days=2))
    board = target(cast, cadence="change", next_run_at=now - timedelta(seconds=1))
    board.last_fingerprint = services.fingerprint(board)
    board.save()
    assert services.due(now=now) == []

    RegistrationFactory(event=board.guild.events.get(), member=cast.member.member)

    assert services.due(now=now) == [board.id]


def test_without_chosen_events_a_target_shows_every_event_from_the_day_it_was_connected(cast):
    now = timezone.now()
    old = EventFactory(guild=cast.guild, starts_at=now - timedelta(days=3))
    later = EventFactory(guild=cast.guild, starts_at=now + timedelta(days=3))
    board = target(cast, created_at=now)
    assert list(services.selection(board).events()) == [later]
    board.events.set([old])
    assert list(services.selection(board).events()) == [old]
