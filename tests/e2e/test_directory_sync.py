"""Guild and member changes in Discord reach core's directory through the gateway and a worker."""

from __future__ import annotations

import re
import time

import pytest

from core.models import Guild, GuildMember, Member
from tests.e2e.conftest import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]
SYNC_DONE = re.compile(r"Task core\.tasks\.sync_\w+\[[^\]]+\] succeeded")


def membership(guild_id: int, user_id: int) -> tuple | None:
    row = GuildMember.objects.filter(guild_id=guild_id, member_id=user_id).first()
    return None if row is None else (row.nickname, row.role_ids, row.left_at is not None)


def test_guild_member_and_role_changes_reach_the_directory(discord, world, muster_worker, gateway):
    ctl = discord.control
    seen = Guild.objects.filter(id=world.guild_id, name="Muster HQ", active=True)
    wait_until(seen.exists, what="the guild seen at start-up")

    # The bot joins a second guild; someone joins it.
    guild_id = int(ctl.create_guild("Carpool Club")["id"])
    wait_until(lambda: Guild.objects.filter(id=guild_id, name="Carpool Club", active=True).exists(), what="join")
    bob_id = int(ctl.add_member(guild_id, username="bob", nick="Bobby")["user"]["id"])
    wait_until(lambda: membership(guild_id, bob_id) == ("Bobby", [], False), what="member join")
    assert Member.objects.filter(id=bob_id).values_list("username", flat=True).get() == "bob"

    # He gets a role and a new nickname, then the role is deleted.
    drivers = int(ctl.create_role(guild_id, "Drivers")["id"])
    ctl.update_member(guild_id, bob_id, roles=[str(drivers)])
    wait_until(lambda: membership(guild_id, bob_id) == ("Bobby", [drivers], False), what="role given")
    ctl.update_member(guild_id, bob_id, nick="Rob")
    wait_until(lambda: membership(guild_id, bob_id) == ("Rob", [drivers], False), what="nickname changed")
    ctl.delete_role(guild_id, drivers)
    wait_until(lambda: membership(guild_id, bob_id) == ("Rob", [], False), what="role deleted")

    # He leaves; then the bot is removed from the guild.
    ctl.remove_member(guild_id, bob_id)
    wait_until(lambda: membership(guild_id, bob_id) == ("Rob", [], True), what="member left")
    ctl.remove_bot(guild_id)
    wait_until(lambda: Guild.objects.filter(id=guild_id, active=False).exists(), what="guild left")

    assert sorted(Guild.objects.values_list("id", "active")) == sorted([(world.guild_id, True), (guild_id, False)])
    assert GuildMember.objects.filter(guild_id=guild_id).count() == 1


def test_rapid_changes_end_in_the_last_state_whatever_order_workers_take_them(discord, world, start_worker, gateway):
    worker = start_worker(concurrency=4)
    ctl = discord.control
    bob_id = int(ctl.add_member(world.guild_id, username="bob")["user"]["id"])
    for number in range(20):
        ctl.update_member(world.guild_id, bob_id, nick=f"Bob {number}")
    ctl.remove_member(world.guild_id, bob_id)

    # The guild seen at start-up, Bob's join, 20 updates and his leave: 23 tasks.
    # (At least: the gateway may also see the guild again, e.g. as available, which adds one.)
    wait_until(lambda: len(SYNC_DONE.findall(worker.output())) >= 23, what="every directory task run")
    wait_until(lambda: membership(world.guild_id, bob_id) == ("Bob 19", [], True), what="the last state")
    time.sleep(1)  # and no task still running takes it back to an older one
    assert membership(world.guild_id, bob_id) == ("Bob 19", [], True)
