"""Retention: old command logs and delivered outbox rows are pruned; departed guilds' data goes after the grace."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core import directory, retention
from core.models import CommandLog, Guild, GuildMember, HeldNudge, Member, OutboundMessage
from events.models import Event, Registration
from tests.core.member_rows import member_everywhere
from tests.events.factories import NOW

pytestmark = pytest.mark.django_db


def log_at(interaction_id, at, **fields):
    return CommandLog.objects.create(
        interaction_id=interaction_id, kind="command", command="muster ping", received_at=at, **fields
    )


def dm_at(key, at, status, member):
    return OutboundMessage.objects.create(
        idempotency_key=key, member=member, payload={"content": "Hi"}, status=status, created_at=at
    )


def test_it_prunes_command_logs_and_delivered_messages_past_the_retention(cast, settings):
    settings.RETENTION_DAYS = 90
    old, recent = NOW - timedelta(days=91), NOW - timedelta(days=89)
    for n in range(5):
        log_at(n, old)
    log_at(10, recent)
    member = cast.member.member
    dm_at("old-delivered", old, "delivered", member)
    dm_at("old-failed", old, "failed", member)
    dm_at("old-pending", old, "pending", member)
    dm_at("new-delivered", recent, "delivered", member)
    for key, summarised_at in (("old-summarised", old), ("new-summarised", recent), ("waiting", None)):
        held = {"guild": cast.guild, "member": member, "kind": "event_nudge", "text": "Picnic asked"}
        HeldNudge.objects.create(key=key, held_at=old, summarised_at=summarised_at, **held)

    deleted = retention.prune(now=NOW, batch=2)

    assert deleted == {"command_logs": 5, "outbox": 1, "held_nudges": 1}
    assert sorted(HeldNudge.objects.values_list("key", flat=True)) == ["new-summarised", "waiting"]
    assert list(CommandLog.objects.values_list("interaction_id", flat=True)) == [10]
    assert sorted(OutboundMessage.objects.values_list("idempotency_key", flat=True)) == [
        "new-delivered",
        "old-failed",
        "old-pending",
    ]


def test_a_tick_deletes_at_most_its_rounds_of_batches_and_the_next_goes_on(cast, settings):
    settings.RETENTION_DAYS = 90
    for n in range(7):
        log_at(n, NOW - timedelta(days=100))

    assert retention.prune(now=NOW, batch=2, rounds=2) == {"command_logs": 4, "outbox": 0, "held_nudges": 0}
    assert CommandLog.objects.count() == 3
    assert retention.prune(now=NOW, batch=2, rounds=2) == {"command_logs": 3, "outbox": 0, "held_nudges": 0}
    assert CommandLog.objects.count() == 0


def test_a_guild_that_removed_muster_keeps_its_data_through_the_grace(cast, settings):
    settings.GUILD_DATA_GRACE_DAYS = 30
    directory.guild_left(cast.guild.id)
    guild = Guild.objects.get(id=cast.guild.id)
    assert guild.active is False and guild.left_at is not None

    assert retention.departed_guilds(now=guild.left_at + timedelta(days=29)) == []
    assert retention.delete_guild_data(cast.guild.id, now=guild.left_at + timedelta(days=29)) is False
    assert Guild.objects.filter(id=cast.guild.id).exists()


def test_after_the_grace_the_guild_and_everything_of_it_is_deleted(cast, settings):
    settings.GUILD_DATA_GRACE_DAYS = 30
    member_everywhere(cast)
    log_at(99, NOW, guild=cast.guild)
    directory.guild_left(cast.guild.id)
    later = Guild.objects.get(id=cast.guild.id).left_at + timedelta(days=30)

    assert retention.departed_guilds(now=later) == [cast.guild.id]
    assert retention.delete_guild_data(cast.guild.id, now=later) is True

    assert not Guild.objects.filter(id=cast.guild.id).exists()
    assert Event.objects.count() == Registration.objects.count() == 0
    assert not CommandLog.objects.filter(interaction_id=99).exists()
    # Alice and Olivia were only in this guild; Oscar, of another guild, stays.
    assert not Member.objects.filter(username__in=["alice", "olivia"]).exists()
    assert Member.objects.filter(username="oscar").exists()
    assert GuildMember.objects.count() == 1
    assert retention.delete_guild_data(cast.guild.id, now=later) is False


def test_muster_added_back_within_the_grace_keeps_the_guild(cast, settings):
    settings.GUILD_DATA_GRACE_DAYS = 30
    directory.guild_left(cast.guild.id)
    left_at = Guild.objects.get(id=cast.guild.id).left_at
    directory.guild_joined(cast.guild.id, "Muster HQ")

    assert Guild.objects.get(id=cast.guild.id).left_at is None
    assert retention.departed_guilds(now=left_at + timedelta(days=31)) == []
    assert retention.delete_guild_data(cast.guild.id, now=left_at + timedelta(days=31)) is False
