"""The Sheets export's Results and Standings tabs (core.datasets)."""

from __future__ import annotations

import pytest

from core import datasets
from core.datasets import Selection
from results import services
from results.entries import parse_lines

pytestmark = pytest.mark.django_db


def test_results_and_standings_are_rows_with_stable_ids_and_the_fingerprint_follows_a_repost(cast, started):
    posting = services.Posting(by_id=cast.organiser.member_id, season="League")
    sheet, _ = services.post_results(cast.guild.id, started.id, parse_lines("1. Red 10 — pole\n1. Blue 10"), posting)
    selection = Selection(guild=cast.guild)
    results, table = datasets.get("results"), datasets.get("standings")
    rows = list(results.rows(selection))
    assert [(row.values["Position"], row.values["Name"], row.values["Points"], row.values["Note"]) for row in rows] == [
        (1, "Red", 10, "pole"),
        (1, "Blue", 10, ""),
    ]
    assert rows[0].values["Season"] == "League"
    standing = [(r.muster_id, r.values["Place"], r.values["Tied"], r.values["Name"]) for r in table.rows(selection)]
    season_id = sheet.season_id
    assert standing == [
        (f"standing-{season_id}-name:blue", 1, "yes", "Blue"),
        (f"standing-{season_id}-name:red", 1, "yes", "Red"),
    ]
    before = table.fingerprint(selection)
    services.post_results(cast.guild.id, started.id, parse_lines("1. Red 10\n2. Blue 9"), posting)
    assert table.fingerprint(selection) != before
    assert [r.values["Tied"] for r in table.rows(selection)] == ["", ""]
    assert list(results.rows(Selection(guild=cast.outsider.guild))) == []
