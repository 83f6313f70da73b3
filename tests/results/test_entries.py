"""Reading results as organisers type them: one a line, or a CSV file; each bad line is named."""

from __future__ import annotations

import pytest

from core.errors import RuleError
from results.entries import EntryDraft, parse_csv, parse_lines


def test_it_reads_positions_names_points_and_notes_with_ties():
    typed = "1. Team Red 25 — fastest lap\n\n2) Team 7 18\n=2 Blue 18 - penalty served\n4 <@123456789012345678> -3"
    assert parse_lines(typed) == [
        EntryDraft(1, 1, "Team Red", 25, "fastest lap"),
        EntryDraft(3, 2, "Team 7", 18, ""),
        EntryDraft(4, 2, "Blue", 18, "penalty served"),
        EntryDraft(5, 4, "<@123456789012345678>", -3, ""),
    ]


def test_a_line_without_points_is_named_with_how_to_write_it():
    with pytest.raises(
        RuleError,
        match=r'^Line 2 \("Blue fastest"\) does not read as a position, a name, points and an optional note '
        r"after a dash: write it like `1\. Team Red 25 — fastest lap`\.$",
    ):
        parse_lines("1. Red 10\nBlue fastest")


def test_out_of_range_names_and_duplicates_are_refused_by_line():
    with pytest.raises(RuleError, match=r"^Line 1: the position must be a whole number from 1 to 1000\.$"):
        parse_lines("0. Red 10")
    with pytest.raises(RuleError, match=r"^Line 1: the points must be a whole number from -100000 to 100000\.$"):
        parse_lines("1. Red 1000000")
    with pytest.raises(RuleError, match=r'^Line 3 names "red" again \(line 1 did\)\.$'):
        parse_lines("1. Red 10\n2. Blue 8\n3. red 5")
    with pytest.raises(
        RuleError, match=r"^Give at least one entry, one a line, like `1\. Team Red 25 — fastest lap`\.$"
    ):
        parse_lines("  \n ")


def test_a_csv_file_with_a_header_is_read_and_a_bad_row_names_its_line():
    text = "position,name,points,note\n1,Team Red,25,fastest lap\n=2,Blue,18\n"
    assert parse_csv(text) == [EntryDraft(2, 1, "Team Red", 25, "fastest lap"), EntryDraft(3, 2, "Blue", 18, "")]
    with pytest.raises(RuleError, match=r"^Line 3 of the file has 2 columns: give position, name, points, note\.$"):
        parse_csv("1,Red,10\n2,Blue,8\n3,Green\n")
    with pytest.raises(RuleError, match=r"^Line 2: the points must be a whole number from -100000 to 100000\.$"):
        parse_csv("1,Red,10\n2,Blue,lots\n")
