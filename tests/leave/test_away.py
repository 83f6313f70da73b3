"""Who is away, for core.nudging (quiet), and the daily Away today post."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import nudging
from core.models import Member, OutboundMessage
from leave import away, services
from leave.models import Holiday, LeaveSettings
from tests.factories import GuildMemberFactory, MemberFactory
from tests.leave.helpers import NOW, ask

pytestmark = pytest.mark.django_db


def approved(cast, start, end=None, *, half="", who=None):
    request = ask(cast, "Vacation", start, end, half=half, who=who)
    return services.approve(request.id, cast.organiser.member_id, now=NOW)


def test_approved_leave_and_holidays_make_members_away_with_a_reason_in_few_queries(team):
    pair = (team.guild.id, team.member.member_id)
    approved(team, date(2026, 12, 7), date(2026, 12, 11))
    ask(team, "Vacation", date(2026, 12, 14))  # pending: not away
    Holiday.objects.create(guild=team.guild, date=date(2026, 12, 24), name="Christmas Eve")
    others = [GuildMemberFactory(guild=team.guild, member=MemberFactory()) for _ in range(5)]
    everyone = frozenset({pair, *((team.guild.id, o.member_id) for o in others)})

    monday = datetime(2026, 12, 7, 10, tzinfo=UTC)
    with CaptureQueriesContext(connection) as queries:
        found = away.away_provider(everyone, monday)
    assert found == {pair: "on leave until Friday 11 December"}
    assert len(queries) == 3
    assert away.away_provider(frozenset({pair}), datetime(2026, 12, 14, 10, tzinfo=UTC)) == {}
    eve = away.away_provider(everyone, datetime(2026, 12, 24, 10, tzinfo=UTC))
    assert eve == dict.fromkeys(everyone, "on a public holiday: Christmas Eve")
    LeaveSettings.objects.filter(guild=team.guild).update(holiday_country="FR")
    assert away.away_provider(frozenset({pair}), datetime(2026, 12, 25, 10, tzinfo=UTC)) == {
        pair: "on a public holiday: Christmas Day"
    }


def test_away_is_read_in_the_members_zone_and_a_half_day_is_its_half(team):
    pair = (team.guild.id, team.member.member_id)
    approved(team, date(2026, 12, 8), half="afternoon")
    # 11:30 in Paris (the guild's zone): still the morning.
    assert away.away_provider(frozenset({pair}), datetime(2026, 12, 8, 10, 30, tzinfo=UTC)) == {}
    assert away.away_provider(frozenset({pair}), datetime(2026, 12, 8, 11, 30, tzinfo=UTC)) == {
        pair: "on leave this afternoon"
    }
    # In Auckland (UTC+13) 8 December afternoon is still 7 December 23:00 UTC... and 8 December 02:00 UTC.
    Member.objects.filter(id=team.member.member_id).update(timezone="Pacific/Auckland")
    assert away.away_provider(frozenset({pair}), datetime(2026, 12, 8, 2, tzinfo=UTC)) == {
        pair: "on leave this afternoon"
    }
    assert away.away_provider(frozenset({pair}), datetime(2026, 12, 8, 12, tzinfo=UTC)) == {}  # the 9th there


def test_leave_quiets_nudges_and_holds_what_was_held_back_through_core_nudging(team):
    pair = (team.guild.id, team.member.member_id)
    approved(team, date(2026, 12, 7))
    monday = datetime(2026, 12, 7, 10, tzinfo=UTC)
    assert not nudging.may_nudge(*pair, at=monday)
    assert nudging.may_nudge(*pair, at=monday + timedelta(days=1))
    assert nudging.away([pair], at=monday) == {pair: "on leave until Monday 7 December"}


def test_the_away_today_post_goes_once_a_local_working_day_at_its_hour(team):
    approved(team, date(2026, 12, 7), date(2026, 12, 8))
    LeaveSettings.objects.filter(guild=team.guild).update(channel_id=4321, away_post_hour=9)
    assert away.post_due(now=datetime(2026, 12, 7, 7, 30, tzinfo=UTC)) == 0  # 8:30 in Paris
    assert away.post_due(now=datetime(2026, 12, 7, 8, 0, tzinfo=UTC)) == 1
    assert away.post_due(now=datetime(2026, 12, 7, 15, 0, tzinfo=UTC)) == 0
    [post] = OutboundMessage.objects.filter(idempotency_key__startswith="leave:away:")
    assert (post.channel_id, post.idempotency_key) == (4321, f"leave:away:{team.guild.id}:2026-12-07")
    embed = post.payload["embeds"][0]
    assert embed["title"] == "Away today, Monday 7 December 2026"
    assert embed["description"] == f"<@{team.member.member_id}>: Vacation until Tuesday 8 December"
    assert away.post_due(now=datetime(2026, 12, 12, 9, 0, tzinfo=UTC)) == 0  # a Saturday
    assert away.post_due(now=datetime(2026, 12, 9, 9, 0, tzinfo=UTC)) == 1
    assert OutboundMessage.objects.get(idempotency_key__endswith="2026-12-09").payload["embeds"][0]["description"] == (
        "Nobody is away today."
    )
