"""The "may I nudge this member now?" rule: who is skipped, in how many queries, and how other apps add rules."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import nudging, outbox
from core.models import Member
from tests.factories import GuildFactory, GuildMemberFactory, MemberFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def test_a_current_member_may_be_nudged_and_one_who_left_or_never_joined_may_not():
    guild = GuildFactory()
    here, gone = GuildMemberFactory(guild=guild), GuildMemberFactory(guild=guild, left_at=NOW - timedelta(days=1))
    elsewhere = GuildMemberFactory()  # a member of another guild only

    assert nudging.may_nudge(guild.id, here.member_id, at=NOW) is True
    assert nudging.may_nudge(guild.id, gone.member_id, at=NOW) is False
    assert nudging.may_nudge(guild.id, elsewhere.member_id, at=NOW) is False
    assert nudging.may_nudge(elsewhere.guild_id, elsewhere.member_id, at=NOW) is True


def test_a_member_whose_dms_were_refused_lately_or_who_turned_dms_off_is_skipped():
    guild = GuildFactory()
    closed = GuildMemberFactory(guild=guild, member=MemberFactory(dms_closed_at=NOW - timedelta(days=29)))
    long_ago = GuildMemberFactory(guild=guild, member=MemberFactory(dms_closed_at=NOW - timedelta(days=31)))
    off = GuildMemberFactory(guild=guild, member=MemberFactory(dm_reminders=False))
    fine = GuildMemberFactory(guild=guild)

    allowed = nudging.nudgeable_members(
        guild.id, [closed.member_id, long_ago.member_id, off.member_id, fine.member_id], at=NOW
    )

    assert allowed == {long_ago.member_id, fine.member_id}


def test_many_members_of_many_guilds_cost_one_query_per_rule(monkeypatch):
    # core's rules alone: the installed apps' away providers count their own (leave's: tests/leave/test_away.py).
    monkeypatch.setattr(nudging, "_away", [])
    guilds = [GuildFactory(), GuildFactory()]
    pairs = [(g.id, GuildMemberFactory(guild=g).member_id) for g in guilds for _ in range(30)]

    with CaptureQueriesContext(connection) as queries:
        allowed = nudging.nudgeable(pairs, at=NOW)

    assert allowed == set(pairs)
    assert len(queries) == len(nudging.BUILT_IN)


def test_a_rule_another_app_registers_applies_to_every_question_until_it_is_taken_away():
    guild = GuildFactory()
    away, here = GuildMemberFactory(guild=guild), GuildMemberFactory(guild=guild)

    def on_leave(pairs, at):  # as an app's approved leave would be: away until tomorrow
        return {pair for pair in pairs if pair[1] == away.member_id and at < NOW + timedelta(days=1)}

    nudging.register(on_leave)
    try:
        assert nudging.nudgeable_members(guild.id, [away.member_id, here.member_id], at=NOW) == {here.member_id}
        assert nudging.may_nudge(guild.id, away.member_id, at=NOW + timedelta(days=2)) is True
    finally:
        nudging.unregister(on_leave)
    assert nudging.may_nudge(guild.id, away.member_id, at=NOW) is True


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(60)
def test_a_dm_that_arrives_clears_the_closed_mark(live_discord):
    # Given alice, whose DMs Discord refused once
    member = Member.objects.create(id=live_discord.member_id, username="alice", dms_closed_at=NOW)
    message = outbox.enqueue(key="test:dm", member_id=member.id, payload={"content": "Hello"})

    # When a DM to her is delivered (she opened her DMs again)
    outbox.deliver(message.id)

    # Then she may be nudged again
    member.refresh_from_db()
    assert member.dms_closed_at is None
    assert [dm["content"] for dm in live_discord.control.dms(member.id)] == ["Hello"]
