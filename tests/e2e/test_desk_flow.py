"""Leave quiets a standup, end to end: sandbox Discord → gateway → worker → Discord.

Alice asks for a day of leave with /leave request; olivia, who approves the server's leave,
gets a DM with Approve and clicks it; alice is told. On that day the standup asks bob, and
not alice: her check-in says she is on leave, and no prompt reaches her.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils import timezone

from core.models import Guild
from leave import services as leave
from leave.models import LeaveRequest, LeaveSettings
from standups import services as standups
from standups.models import Checkin
from tests.e2e.conftest import wait_until
from tests.e2e.test_events_flow import people  # noqa: F401 - a fixture

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def a_weekday_ahead(days: int = 2):
    """The first Monday to Friday at least ``days`` from today (UTC, the guild's zone here)."""
    day = timezone.now().astimezone(UTC).date() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def test_approved_leave_skips_the_standup_prompt(discord, world, people, muster_worker, gateway):  # noqa: F811
    olivia, alice, bob = people["olivia"], people["alice"], people["bob"]
    day = a_weekday_ahead()

    # Olivia says who approves leave: her organisers' role (the dashboard's Leave settings).
    wait_until(lambda: Guild.objects.filter(id=world.guild_id).exists(), what="the guild synced")
    ix = discord.control.inject_command("leave", subcommand="who", channel_id=world.channel_id, user_id=olivia)
    discord.control.wait_for_original_edit(ix["id"], timeout=15)  # her roles are recorded
    role_id = int(discord.control.member(world.guild_id, olivia)["roles"][0])
    leave.setup(world.guild_id)
    LeaveSettings.objects.filter(guild_id=world.guild_id).update(approver_role_id=role_id)

    # Alice asks for the day off.
    ix = discord.control.inject_command(
        "leave",
        subcommand="request",
        options={"type": "Vacation", "from": day.isoformat(), "to": day.isoformat()},
        channel_id=world.channel_id,
        user_id=alice,
    )
    answer = discord.control.wait_for_original_edit(ix["id"], timeout=15)["original"]["content"]
    request = LeaveRequest.objects.get(guild_id=world.guild_id, member_id=alice)
    assert request.status == "pending", answer

    # Olivia approves it from her DM.
    dm = discord.control.wait_for_dm(olivia, contains="waits for a decision", timeout=15)[0]
    approve = next(c for row in dm["components"] for c in row["components"] if c.get("label") == "Approve")
    click = discord.control.inject_component(message_id=dm["id"], custom_id=approve["custom_id"], user_id=olivia)
    wait_until(lambda: discord.control.interaction(click["id"])["response"] is not None, what="the click answered")
    told = discord.control.wait_for_dm(alice, contains="Your leave was approved", timeout=15)
    assert len(told) == 1
    request.refresh_from_db()
    assert request.status == "approved"

    # Bob looks at his balance (Muster now knows him). On that day the standup asks at 09:00
    # (UTC, the guild's zone; its tick run here at that moment, as beat would): bob is asked,
    # alice is not.
    ix = discord.control.inject_command("leave", subcommand="balance", channel_id=world.channel_id, user_id=bob)
    assert "Vacation" in str(discord.control.wait_for_original_edit(ix["id"], timeout=15)["original"]["embeds"])
    standup = standups.create_standup(
        Guild.objects.get(id=world.guild_id),
        standups.StandupDraft(channel_id=world.channel_id, name="Daily", member_ids=[alice, bob]),
        created_by=olivia,
        now=datetime.combine(day - timedelta(days=1), time(12, 0), tzinfo=UTC),
    )
    asked_at = datetime.combine(day, time(9, 0, 30), tzinfo=UTC)
    standups.tick(now=asked_at)
    standups.tick(now=asked_at + timedelta(minutes=1))  # a second tick asks nobody again

    prompt = discord.control.wait_for_dm(bob, contains="Daily", timeout=15)
    assert len(prompt) == 1
    checkins = dict(Checkin.objects.filter(standup=standup).values_list("member_id", "status"))
    assert checkins == {alice: Checkin.Status.AWAY, bob: Checkin.Status.ASKED}
    assert not [m for m in discord.control.dms(alice) if "Daily" in m["content"]]
