"""Standings of a season: points summed per competitor, each tie-break, and shared places."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from results import services
from results.entries import parse_lines
from results.models import Season
from results.standings import standings
from tests.events.factories import EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def season_of(cast):
    """Post each typed sheet as one more event of the season (oldest first); the season."""

    def make(*sheets: str, tie_breaks: list[str]) -> Season:
        for days_ago, typed in zip(range(len(sheets), 0, -1), sheets, strict=True):
            event = EventFactory(guild=cast.guild, starts_at=timezone.now() - timedelta(days=days_ago))
            posting = services.Posting(by_id=cast.organiser.member_id, season="League")
            services.post_results(cast.guild.id, event.id, parse_lines(typed), posting)
        season = Season.objects.get(name="League")
        return services.set_tie_breaks(season, tie_breaks)

    return make


def table(season) -> list[tuple[str, str, int]]:
    return [(row.shown_place, row.name, row.points) for row in standings(season)]


def test_points_are_summed_and_teams_are_matched_by_name_across_events(season_of):
    season = season_of("1. Red 10\n2. Blue 6", "1. blue 10\n2. Green 8\n3. Red 1", tie_breaks=[])
    assert table(season) == [("1", "blue", 16), ("2", "Red", 11), ("3", "Green", 8)]


def test_without_tie_breaks_a_level_pair_shares_the_place(season_of):
    season = season_of("1. Red 10\n2. Blue 5", "1. Blue 5\n2. Red 0\n3. Green 1", tie_breaks=[])
    assert table(season) == [("=1", "Blue", 10), ("=1", "Red", 10), ("3", "Green", 1)]


def test_most_wins_breaks_a_tie(season_of):
    # Red: one win (10); Blue: no win (6 + 4).
    season = season_of("1. Red 10\n2. Blue 6", "1. Green 9\n2. Blue 4", tie_breaks=["wins"])
    assert table(season) == [("1", "Red", 10), ("2", "Blue", 10), ("3", "Green", 9)]


def test_best_single_result_breaks_a_tie_that_wins_leave(season_of):
    # Red and Blue: one win each, 12 points; Red's best is 10, Blue's 7 (by name, Blue would lead).
    season = season_of("1. Blue 7\n2. Red 2", "1. Red 10\n2. Blue 5", tie_breaks=["wins", "best"])
    assert table(season) == [("1", "Red", 12), ("2", "Blue", 12)]


def test_head_to_head_counts_only_the_events_the_tied_shared(season_of):
    # Red and Blue level on 10; in the one event both were in, Red finished ahead.
    season = season_of("1. Blue 8\n2. Green 3", "1. Red 8\n2. Blue 2\n3. Green 1", "1. Red 2", tie_breaks=["h2h"])
    assert table(season) == [("1", "Red", 10), ("2", "Blue", 10), ("3", "Green", 4)]


def test_the_order_of_tie_breaks_is_the_organisers(season_of):
    sheets = ("1. Red 5\n2. Blue 4", "1. Red 5\n2. Blue 4", "1. Blue 2", "1. Green 9")
    # Red 10 with two wins, Blue 10 with one; Blue's best (4) is below Red's (5) too.
    assert table(season_of(*sheets, tie_breaks=["best", "wins"]))[:2] == [("1", "Red", 10), ("2", "Blue", 10)]


def test_unknown_or_repeated_tie_breaks_are_refused(cast):
    from core.errors import RuleError

    season = services.name_season(cast.guild.id, "League")
    with pytest.raises(RuleError, match=r"^I know no tie-break 'coin': choose from wins, best, h2h\.$"):
        services.set_tie_breaks(season, ["wins", "coin"])
    with pytest.raises(RuleError, match=r"^Name each tie-break once\.$"):
        services.set_tie_breaks(season, ["wins", "wins"])
    assert services.name_season(cast.guild.id, " league ").id == season.id
