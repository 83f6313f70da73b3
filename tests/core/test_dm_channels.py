"""DM channels opened once and remembered (core.dm_channels), against the sandbox: a second
DM opens nothing, a remembered channel Discord no longer knows is opened afresh, and
``open_many`` opens ahead only what is not remembered, within the route's limit."""

from __future__ import annotations

import pytest

from core import dm_channels, outbox
from core.models import Member, OutboundMessage

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]
OPEN = "POST /users/@me/channels"


def dm(key: str, member_id: int) -> OutboundMessage:
    message = outbox.enqueue(key=key, member_id=member_id, payload={"content": key})
    assert outbox.deliver(message.id) is None
    message.refresh_from_db()
    return message


def opened(live_discord) -> int:
    return live_discord.control.stats()["rest"]["requests"].get(OPEN, 0)


def test_the_second_dm_to_a_member_opens_no_channel(live_discord, flush_redis):
    alice = live_discord.member_id
    Member.objects.create(id=alice, username="alice")

    first, second = dm("hello:1", alice), dm("hello:2", alice)

    assert (first.status, second.status) == (OutboundMessage.Status.DELIVERED, OutboundMessage.Status.DELIVERED)
    assert first.delivered_channel_id == second.delivered_channel_id
    assert opened(live_discord) == 1
    assert [m["content"] for m in live_discord.control.dms(alice)] == ["hello:1", "hello:2"]


def test_a_remembered_channel_discord_no_longer_knows_is_opened_afresh(live_discord, flush_redis):
    alice = live_discord.member_id
    Member.objects.create(id=alice, username="alice")
    Member.objects.filter(id=alice).update(dm_channel_id=999_000_000_000_000_999)  # a channel that does not exist

    message = dm("hello", alice)

    assert message.status == OutboundMessage.Status.DELIVERED
    assert message.delivered_channel_id != 999_000_000_000_000_999
    assert [m["content"] for m in live_discord.control.dms(alice)] == ["hello"]
    assert dm_channels.known([alice]) == {alice}


def test_open_many_opens_only_what_is_not_remembered(live_discord, flush_redis):
    bob = int(live_discord.control.add_member(live_discord.guild_id, username="bob")["user"]["id"])
    alice = live_discord.member_id
    Member.objects.bulk_create([Member(id=alice, username="alice"), Member(id=bob, username="bob")])
    dm_channels.dm_channel(alice)

    assert dm_channels.open_many([alice, bob]) == 1
    assert dm_channels.known([alice, bob]) == {alice, bob}
    assert opened(live_discord) == 2
    # The second open waited for the window the first one learned (the route allows one per 0.5 s).
    assert live_discord.control.stats()["rest"]["statuses"] == {"200": 2}


def test_openings_ahead_are_paced_one_batch_at_a_time_whoever_asks(flush_redis):
    # Given 60 members with no DM channel remembered, and one whose channel is
    members = [Member(id=1_300_000_000_000_100_000 + n, username=f"m{n}") for n in range(61)]
    Member.objects.bulk_create(members)
    Member.objects.filter(id=members[60].id).update(dm_channel_id=42)

    # When a tick asks for all of them, and another caller then for 10 more of them
    first = dm_channels.batches([m.id for m in members])
    second = dm_channels.batches([m.id for m in members[:10]])

    # Then the remembered one is left out, and each batch starts when the one before it can have finished
    # at the route's pace (two a second): none of them waits on another's rate limit holding a worker
    assert [len(batch) for batch, _ in first] == [25, 25, 10]
    assert sorted(m for batch, _ in first for m in batch) == [m.id for m in members[:60]]
    delays = [delay for _, delay in first + second]
    assert delays[0] == pytest.approx(0, abs=0.5)
    for before, after, size in zip(delays, delays[1:], [25, 25, 10], strict=False):
        assert after - before == pytest.approx(size / dm_channels.OPENS_PER_S, abs=0.5)
