"""What results offer to views over several domains (core.datasets): the chosen events'
results, one row per entry, and the guild's standings, one row per competitor and season."""

from __future__ import annotations

from collections.abc import Iterator

from core.datasets import DATETIME, INTEGER, Column, Dataset, Row, Selection, aggregate_fingerprint, register
from results.models import ResultEntry, ResultSheet, Season
from results.standings import standings


def _sheets(selection: Selection):
    return ResultSheet.objects.filter(guild=selection.guild, event__in=selection.events())


def result_rows(selection: Selection) -> Iterator[Row]:
    entries = ResultEntry.objects.filter(sheet__in=_sheets(selection)).select_related("sheet__event", "sheet__season")
    for entry in entries.order_by("sheet__event__starts_at", "sheet_id", "position", "id"):
        event, season = entry.sheet.event, entry.sheet.season
        values = {
            "Event ID": event.id,
            "Event": event.title,
            "Starts": event.starts_at,
            "Season": season.name if season else "",
            "Position": entry.position,
            "Name": entry.name,
            "Kind": "team" if entry.team_id else "member" if entry.member_id else "name",
            "Points": entry.points,
            "Note": entry.note,
        }
        yield Row(f"result-{entry.id}", values)


def result_fingerprint(selection: Selection) -> str:
    return aggregate_fingerprint(_sheets(selection), "updated_at")


def standing_rows(selection: Selection) -> Iterator[Row]:
    for season in Season.objects.filter(guild=selection.guild).order_by("name", "id"):
        for standing in standings(season):
            values = {
                "Season": season.name,
                "Place": standing.place,
                "Tied": "yes" if standing.tied else "",
                "Name": standing.name,
                "Points": standing.points,
                "Events": standing.events,
                "Wins": standing.wins,
                "Best": standing.best,
            }
            yield Row(f"standing-{season.id}-{standing.key}", values)


def standing_fingerprint(selection: Selection) -> str:
    seasons = Season.objects.filter(guild=selection.guild)
    sheets = ResultSheet.objects.filter(guild=selection.guild)
    return aggregate_fingerprint(seasons, "updated_at") + "/" + aggregate_fingerprint(sheets, "updated_at")


register(
    Dataset(
        name="results",
        title="Results",
        columns=(
            Column("Event ID", INTEGER),
            Column("Event"),
            Column("Starts", DATETIME),
            Column("Season"),
            Column("Position", INTEGER),
            Column("Name"),
            Column("Kind"),
            Column("Points", INTEGER),
            Column("Note"),
        ),
        rows=result_rows,
        fingerprint=result_fingerprint,
    )
)
register(
    Dataset(
        name="standings",
        title="Standings",
        columns=(
            Column("Season"),
            Column("Place", INTEGER),
            Column("Tied"),
            Column("Name"),
            Column("Points", INTEGER),
            Column("Events", INTEGER),
            Column("Wins", INTEGER),
            Column("Best", INTEGER),
        ),
        rows=standing_rows,
        fingerprint=standing_fingerprint,
    )
)
