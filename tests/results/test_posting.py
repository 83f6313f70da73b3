"""Posting an event's results: who each line names, the season, the post in the event's channel."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import RuleError
from core.models import OutboundMessage
from results import services
from results.entries import parse_lines
from results.models import ResultEntry, ResultSheet, Season
from teams.models import Team
from tests.events.factories import EventFactory

pytestmark = pytest.mark.django_db


def post(cast, event, typed: str, season: str = ""):
    posting = services.Posting(by_id=cast.organiser.member_id, season=season)
    return services.post_results(cast.guild.id, event.id, parse_lines(typed), posting)


def test_lines_name_the_events_teams_members_and_free_names_and_are_posted_once(cast, started):
    red = Team.objects.create(event=started, guild=cast.guild, name="Team Red")
    typed = f"1. team red 25 — fastest lap\n2. alice 18\n=2 <@{cast.organiser.member_id}> 18\n4. Guests 3"
    sheet, created = post(cast, started, typed, season="Winter 2026")
    entries = list(sheet.entries.values_list("position", "team_id", "member_id", "name", "points", "note"))
    assert created
    assert entries == [
        (1, red.id, None, "Team Red", 25, "fastest lap"),
        (2, None, cast.member.member_id, "Alice", 18, ""),
        (2, None, cast.organiser.member_id, "Olivia", 18, ""),
        (4, None, None, "Guests", 3, ""),
    ]
    assert sheet.season.name == "Winter 2026"
    message = OutboundMessage.objects.get(idempotency_key=sheet.post_key)
    assert (message.channel_id, message.refresh_kind, message.refresh_object_id) == (
        started.channel_id,
        "results",
        sheet.id,
    )
    embed = message.payload["embeds"][0]
    assert embed["title"] == "Results: Relay"
    assert embed["description"] == (
        "🥇**1.** Team Red · 25 pts — fastest lap\n"
        f"🥈**=2.** <@{cast.member.member_id}> · 18 pts\n"
        f"🥈**=2.** <@{cast.organiser.member_id}> · 18 pts\n"
        "**4.** Guests · 3 pts"
    )


def test_posting_again_replaces_the_entries_and_keeps_one_post(cast, started):
    first, _ = post(cast, started, "1. Red 10\n2. Blue 8", season="Winter")
    again, created = post(cast, started, "1. Blue 12")
    assert (again.id, created) == (first.id, False)
    assert list(ResultEntry.objects.values_list("name", "points")) == [("Blue", 12)]
    assert again.season.name == "Winter"  # the season stays unless another is named
    assert OutboundMessage.objects.filter(idempotency_key__startswith="results:").count() == 1


def test_a_series_event_counts_towards_the_series_season(cast):
    from events.models import Series

    series = Series.objects.create(
        guild=cast.guild,
        rule="FREQ=WEEKLY",
        timezone="Europe/Paris",
        first_start=timezone.now(),
        title="Tuesday league",
    )
    event = EventFactory(guild=cast.guild, series=series, starts_at=timezone.now() - timedelta(hours=2))
    sheet, _ = post(cast, event, "1. Red 10")
    assert (sheet.season.name, sheet.season.series_id) == ("Tuesday league", series.id)
    assert Season.objects.count() == 1


def test_a_mention_of_an_outsider_a_cancelled_event_and_another_guilds_event_are_refused(cast, started):
    with pytest.raises(RuleError, match=rf"^Line 1 names <@{cast.outsider.member_id}>, who is not a member"):
        post(cast, started, f"1. <@{cast.outsider.member_id}> 10")
    elsewhere = EventFactory(guild=cast.outsider.guild, starts_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(RuleError, match=r"^There is no such event in this server\.$"):
        post(cast, elsewhere, "1. Red 10")
    cancelled = EventFactory(guild=cast.guild, title="Rained off", status="cancelled")
    with pytest.raises(RuleError, match=r"^Rained off was cancelled: it has no results\.$"):
        post(cast, cancelled, "1. Red 10")
    upcoming = EventFactory(guild=cast.guild, title="Next race", starts_at=timezone.now() + timedelta(hours=1))
    with pytest.raises(RuleError, match=r"^Next race has not started yet: post its results once it has\.$"):
        post(cast, upcoming, "1. Red 10")
    with pytest.raises(RuleError, match=r"^Line 2 names Alice again \(line 1 did\)\.$"):
        post(cast, started, f"1. alice 10\n2. <@{cast.member.member_id}> 8")
    assert ResultSheet.objects.count() == 0


def test_the_event_post_names_the_podium_once_results_are_posted(cast, started):
    from events.discord.messages import event_message

    before = event_message(started, started.roster(), now=timezone.now())["embeds"][0]["footer"]["text"]
    post(cast, started, "1. Red 10\n1. Blue 10\n3. alice 4\n4. Green 1")
    after = event_message(started, started.roster(), now=timezone.now())["embeds"][0]["footer"]["text"]
    assert after == before + "\nResults: =1. Red, =1. Blue, 3. Alice · /results show"
