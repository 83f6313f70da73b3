"""The event-day timeline end to end: sandbox Discord → gateway → worker → Discord.

An organiser adds items with /timeline add, the tick (run twice, as a retried task would)
alerts the member named once by DM and posts once in the event's thread next to the
Now / Next message, and /timeline shift moves what is to come and tells whom it concerns."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import Guild, GuildMember, Member
from events.models import Event, EventSpace, SpaceKind
from tests.e2e.conftest import wait_until
from tests.e2e.test_events_flow import people  # noqa: F401 - a fixture
from timeline import services
from timeline.models import Item
from timeline.tasks import tick

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def timeline(discord, world, user_id, subcommand, **options) -> str:
    """Run ``/timeline <subcommand>`` and return the private answer."""
    ix = discord.control.inject_command(
        "timeline", subcommand=subcommand, options=options, channel_id=world.channel_id, user_id=user_id
    )
    return discord.control.wait_for_original_edit(ix["id"], timeout=15)["original"]["content"]


def alerts(messages) -> list[str]:
    return [m["content"] for m in messages if "starts now" in m["content"]]


def test_an_organiser_builds_a_timeline_its_alerts_arrive_once_and_a_shift_is_told(
    discord,
    world,
    people,  # noqa: F811
    muster_worker,
    gateway,
):
    olivia, alice, bob = people["olivia"], people["alice"], people["bob"]
    wait_until(lambda: Guild.objects.filter(id=world.guild_id).exists(), what="the guild synced")
    for user_id, name in ((alice, "alice"), (bob, "bob")):  # as the directory knows them once they have spoken
        Member.objects.get_or_create(id=user_id, defaults={"username": name})
        GuildMember.objects.get_or_create(guild_id=world.guild_id, member_id=user_id)
    thread = int(discord.control.create_channel(world.guild_id, "relay-thread")["id"])
    # The race began a minute ago: its thread is open.
    race = Event.objects.create(guild_id=world.guild_id, title="Relay", starts_at=timezone.now() - timedelta(minutes=1))
    EventSpace.objects.create(event=race, guild_id=world.guild_id, kind=SpaceKind.THREAD, channel_id=thread)

    added = timeline(
        discord, world, olivia, "add", event=race.id, title="Stint 1", at="+1m", members=f"<@{alice}>", post="event"
    )
    assert added.startswith(f"Added to **Relay**: #{Item.objects.get().id} <t:")
    assert added.endswith(f"**Stint 1**: <@{alice}> (DM; posted in the event's thread)")
    timeline(discord, world, olivia, "add", event=race.id, title="Stint 2", at="+2h", members=f"<@{bob}>")
    assert "Only organisers" in timeline(discord, world, alice, "shift", event=race.id, minutes=15)
    listed = timeline(discord, world, alice, "list", event=race.id)
    assert listed.splitlines()[0] == "Timeline of **Relay**:" and len(listed.splitlines()) == 3

    # The tick, twice (a retried task): one DM to alice, one post in the thread, the Now / Next message.
    tick.delay()
    tick.delay()
    [dm] = wait_until(lambda: alerts(discord.control.dms(alice)), what="alice's alert")
    due = int(Item.objects.get(title="Stint 1").due_at.timestamp())
    assert dm == f"**Stint 1** starts now (<t:{due}:t>) at **Relay** in **Muster HQ**."
    wait_until(lambda: alerts(discord.control.messages(thread)), what="the alert in the thread")
    board = wait_until(
        lambda: next((m for m in discord.control.messages(thread) if m["embeds"]), None), what="the Now / Next message"
    )
    assert board["embeds"][0]["title"] == "Now / Next: Relay"
    wait_until(
        lambda: discord.control.message(board["id"])["embeds"][0]["fields"][0]["value"].endswith(
            "**Stint 1** — <@" + str(alice) + ">"
        ),
        what="Stint 1 shown as Now",
    )

    # A safety car: everything after now moves 15 minutes later; bob (Stint 2) is told, alice is not.
    assert timeline(discord, world, olivia, "shift", event=race.id, minutes=15) == (
        "Moved 1 item 15 minutes later; everyone they concern is told."
    )
    [told] = wait_until(lambda: discord.control.dms(bob), what="bob told of the shift")
    assert told["content"].startswith(
        "The timeline of **Relay** in **Muster HQ** moved 15 minutes later. Yours:\n• **Stint 2** now at <t:"
    )
    wait_until(
        lambda: any(
            m["content"].startswith("⏱ The timeline moved 15 minutes later") for m in discord.control.messages(thread)
        ),
        what="the shift in the thread",
    )
    assert services.tick(now=timezone.now()).alerts == 0  # Stint 1 was alerted for its time already
    assert len(alerts(discord.control.dms(alice))) == 1
    assert len(alerts(discord.control.messages(thread))) == 1
