"""The directory applies the gateway's events in the order the gateway saw them, whatever
order the workers run their tasks in."""

from __future__ import annotations

import pytest

from core import directory
from core.models import Guild, GuildMember, Member

pytestmark = pytest.mark.django_db
GUILD, BOB = 900_000_000_000_000_001, 800_000_000_000_000_001


def bob(nick: str, roles: tuple[int, ...] = ()) -> dict:
    return {"id": BOB, "username": "bob", "display_name": "Bob", "nick": nick, "roles": list(roles)}


def membership() -> tuple:
    row = GuildMember.objects.get(guild_id=GUILD, member_id=BOB)
    return row.nickname, row.role_ids, row.left_at is not None


def test_it_ignores_a_member_update_older_than_the_one_applied():
    directory.member_seen(GUILD, bob("Rob", (7,)), seen_ns=20)

    directory.member_seen(GUILD, bob("Bobby"), seen_ns=10)

    assert membership() == ("Rob", [7], False)


def test_it_keeps_a_member_gone_when_their_join_is_applied_after_their_leave():
    directory.member_left(GUILD, BOB, seen_ns=20, username="bob")

    directory.member_seen(GUILD, bob("Bobby"), seen_ns=10)

    # Still gone, with the names he had when he left (the newest known)
    assert membership() == ("Bobby", [], True)
    assert Member.objects.values_list("username", flat=True).get(id=BOB) == "bob"


def test_an_update_applied_after_the_leave_it_preceded_keeps_the_newest_names_and_the_leave():
    directory.member_seen(GUILD, bob("Bob 18"), seen_ns=10)
    directory.member_left(GUILD, BOB, seen_ns=30, username="bob")

    directory.member_seen(GUILD, bob("Bob 19", (5,)), seen_ns=20)  # sent before the leave, run after it
    directory.member_seen(GUILD, bob("Bob 17"), seen_ns=5)  # older than every name applied: ignored

    assert membership() == ("Bob 19", [5], True)


def test_it_lets_a_member_rejoin_after_leaving():
    directory.member_seen(GUILD, bob("Bobby"), seen_ns=10)
    directory.member_left(GUILD, BOB, seen_ns=20)

    directory.member_seen(GUILD, bob("Bobby again"), seen_ns=30)

    assert membership() == ("Bobby again", [], False)


def test_it_applies_an_interactions_snapshot_whatever_the_stamps():
    directory.member_seen(GUILD, bob("Rob"), seen_ns=20)

    directory.member_seen(GUILD, bob("Robert"))  # as record_actor does, without a stamp

    assert membership() == ("Robert", [], False)
    assert GuildMember.objects.get(guild_id=GUILD, member_id=BOB).synced_ns == 20


def test_it_keeps_a_guild_left_when_its_join_is_applied_after_the_leave():
    directory.guild_left(GUILD, seen_ns=20, name="Carpool Club")

    directory.guild_joined(GUILD, "Carpool Club", seen_ns=10)

    assert Guild.objects.values_list("name", "active").get(id=GUILD) == ("Carpool Club", False)


def test_it_marks_a_guild_joined_again_after_a_newer_join():
    directory.guild_joined(GUILD, "Carpool Club", seen_ns=10)
    directory.guild_left(GUILD, seen_ns=20)

    directory.guild_joined(GUILD, "Carpool Club 2", seen_ns=30)

    assert Guild.objects.values_list("name", "active").get(id=GUILD) == ("Carpool Club 2", True)


def test_a_deleted_role_is_forgotten_on_every_membership_and_as_the_organiser_role():
    role, kept = 55_500_000_000_000_012, 555_000_000_000_000_123  # the deleted role's digits sit inside kept's
    Guild.objects.create(id=GUILD, name="HQ", organiser_role_id=role)
    directory.member_seen(GUILD, bob("Bob", (kept, role)))
    alice = {"id": BOB + 1, "username": "alice", "nick": "", "roles": [kept]}
    directory.member_seen(GUILD, alice)

    directory.role_deleted(GUILD, role)

    assert membership() == ("Bob", [kept], False)
    assert GuildMember.objects.get(guild_id=GUILD, member_id=BOB + 1).role_ids == [kept]
    assert Guild.objects.get(id=GUILD).organiser_role_id is None
