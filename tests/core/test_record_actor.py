"""Recording who used an interaction: one read when nothing changed, writes when something did."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import directory
from core.interactions import Actor, Interaction
from core.models import Guild, GuildMember, Member
from tests.factories import GuildMemberFactory

pytestmark = pytest.mark.django_db


# A slash command; only who ran it and where matter to the directory.
COMMAND = {"id": 1, "token": "t", "application_id": 2, "kind": "command"}


def interaction_by(membership: GuildMember, *, created_at: float = 0.0, **changes) -> Interaction:
    actor = {
        "id": membership.member_id,
        "username": membership.member.username,
        "display_name": membership.member.display_name,
        "nick": membership.nickname,
        "role_ids": tuple(membership.role_ids),
        **changes,
    }
    return Interaction(
        **COMMAND,
        actor=Actor(**actor),
        guild_id=membership.guild_id,
        guild_name=membership.guild.name,
        created_at=created_at,
    )


def test_it_only_reads_when_the_member_is_recorded_as_they_are():
    membership = GuildMemberFactory(nickname="Ali", role_ids=[5, 7])

    with CaptureQueriesContext(connection) as queries:
        directory.record_actor(interaction_by(membership))

    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["SELECT"]


def test_it_writes_a_changed_nickname_roles_and_display_name():
    membership = GuildMemberFactory(nickname="Ali", role_ids=[5])

    directory.record_actor(interaction_by(membership, nick="Alice", role_ids=(9, 5), display_name="Alice B"))

    membership.refresh_from_db()
    assert (membership.nickname, membership.role_ids) == ("Alice", [5, 9])
    assert Member.objects.get(id=membership.member_id).display_name == "Alice B"


def test_it_brings_back_a_member_who_had_left():
    membership = GuildMemberFactory(left_at=timezone.now())

    directory.record_actor(interaction_by(membership, created_at=time.time()))  # used after the leave

    membership.refresh_from_db()
    assert membership.left_at is None


def test_it_renames_the_guild_and_records_a_newcomer():
    membership = GuildMemberFactory()

    directory.record_actor(interaction_by(membership, id=42, username="newcomer", nick="", role_ids=()))
    interaction = interaction_by(membership)
    directory.record_actor(Interaction(**{**interaction.__dict__, "guild_name": "Renamed"}))

    assert Guild.objects.get(id=membership.guild_id).name == "Renamed"
    assert GuildMember.objects.filter(guild_id=membership.guild_id, member__username="newcomer").count() == 1


def test_a_late_interaction_does_not_undo_a_members_leave():
    # Given alice clicked, then left the guild, and the leave was applied first
    membership = GuildMemberFactory(nickname="Ali", role_ids=[5])
    clicked_at = time.time()
    directory.member_left(membership.guild_id, membership.member_id, seen_ns=time.time_ns() + 1000)
    left_at = GuildMember.objects.get(pk=membership.pk).left_at

    # When the worker handles her click
    directory.record_actor(interaction_by(membership, display_name="Alice A.", created_at=clicked_at))

    # Then she is still gone (her join event reopens a membership, not an old click), names kept fresh
    membership.refresh_from_db()
    assert (membership.left_at, membership.member.display_name) == (left_at, "Alice A.")


def test_a_member_who_rejoins_is_reopened_by_the_join_event():
    membership = GuildMemberFactory(nickname="Ali")
    directory.member_left(membership.guild_id, membership.member_id, seen_ns=time.time_ns())
    user = {"id": membership.member_id, "username": membership.member.username, "nick": "Ali", "roles": []}
    directory.member_seen(membership.guild_id, user, seen_ns=time.time_ns())
    assert GuildMember.objects.get(pk=membership.pk).left_at is None


def test_a_second_interaction_of_an_unchanged_member_costs_no_query():
    membership = GuildMemberFactory(nickname="Ali", role_ids=[5, 7])
    directory.record_actor(interaction_by(membership))

    with CaptureQueriesContext(connection) as queries:
        directory.record_actor(interaction_by(membership))

    assert queries.captured_queries == []


def test_what_it_remembers_is_forgotten_when_this_process_records_a_leave():
    # Given alice's click was recorded, then her leave was applied by this process
    membership = GuildMemberFactory(nickname="Ali")
    directory.record_actor(interaction_by(membership))
    directory.member_left(membership.guild_id, membership.member_id, seen_ns=time.time_ns())

    # When she clicks again after the leave (back in the guild, her join event missed)
    directory.record_actor(interaction_by(membership, created_at=time.time() + 1))

    # Then the membership is read again and reopened
    membership.refresh_from_db()
    assert membership.left_at is None


def test_a_changed_nickname_is_written_even_right_after_a_remembered_click():
    membership = GuildMemberFactory(nickname="Ali")
    directory.record_actor(interaction_by(membership))

    directory.record_actor(interaction_by(membership, nick="Alice"))

    membership.refresh_from_db()
    assert membership.nickname == "Alice"


def test_it_reads_again_once_what_it_remembers_is_older_than_its_lifetime():
    # Given a click recorded, then a change another process made (a rename by the gateway)
    membership = GuildMemberFactory(nickname="Ali")
    directory.record_actor(interaction_by(membership))
    GuildMember.objects.filter(pk=membership.pk).update(nickname="Renamed elsewhere")
    key = (membership.guild_id, membership.member_id)
    seen, _ = directory._recorded[key]
    directory._recorded[key] = (seen, time.monotonic() - directory.RECORDED_FOR_S - 1)  # as if 31 s ago

    # When the member, as Discord shows them, clicks again past the memory's lifetime
    directory.record_actor(interaction_by(membership))

    # Then the difference was read and written back
    membership.refresh_from_db()
    assert membership.nickname == "Ali"
