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
