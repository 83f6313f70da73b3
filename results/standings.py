"""Standings of a season: the points of its events' results summed per member, team or name.

A member is the same competitor in every event; a team or a free name is matched by its
name (any case), since an event's teams are made for that event. Competitors level on points
are told apart by the season's tie-breaks, in the order the organisers chose them:

- ``wins``: more first places;
- ``best``: more points in one event;
- ``h2h``: head-to-head, among those still level: finished ahead of the others of that group
  in more of the events they shared.

Those still level after every tie-break share the place (shown "=3"), listed by name.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import groupby

from results.models import ResultEntry, Season, TieBreak


@dataclass
class Standing:
    """One competitor's line: ``place`` is shared when ``tied``."""

    key: str
    name: str
    member_id: int | None
    points: int = 0
    events: int = 0
    wins: int = 0
    best: int | None = None
    place: int = 0
    tied: bool = False
    positions: dict[int, int] = field(default_factory=dict, repr=False)  # sheet id -> position

    @property
    def shown_place(self) -> str:
        return f"={self.place}" if self.tied else str(self.place)


def competitor_key(member_id: int | None, name: str) -> str:
    return f"member:{member_id}" if member_id else f"name:{' '.join(name.split()).casefold()}"


def _collect(season: Season) -> list[Standing]:
    found: dict[str, Standing] = {}
    entries = ResultEntry.objects.filter(sheet__season=season).order_by("sheet__event__starts_at", "position", "id")
    for entry in entries.values("sheet_id", "position", "member_id", "name", "points"):
        key = competitor_key(entry["member_id"], entry["name"])
        standing = found.setdefault(key, Standing(key, entry["name"], entry["member_id"]))
        standing.name = entry["name"]  # the latest name shown wins
        standing.points += entry["points"]
        standing.events += 1
        standing.wins += entry["position"] == 1
        standing.best = entry["points"] if standing.best is None else max(standing.best, entry["points"])
        standing.positions[entry["sheet_id"]] = entry["position"]
    return list(found.values())


def _head_to_head(group: list[Standing]) -> dict[str, int]:
    """How often each of the group finished ahead of another of it, over the events both were in."""
    ahead: dict[str, int] = defaultdict(int)
    for one in group:
        for other in group:
            if one is not other:
                ahead[one.key] += sum(
                    1
                    for sheet, position in one.positions.items()
                    if sheet in other.positions and position < other.positions[sheet]
                )
    return ahead


def _measure(tie_break: str, group: list[Standing]):
    if tie_break == TieBreak.WINS:
        return lambda standing: standing.wins
    if tie_break == TieBreak.BEST:
        return lambda standing: standing.best or 0
    scores = _head_to_head(group)
    return lambda standing: scores[standing.key]


def _blocks(group: list[Standing], tie_breaks: list[str]) -> list[list[Standing]]:
    """The group in order, as blocks of competitors no remaining tie-break separates."""
    if len(group) < 2 or not tie_breaks:
        return [sorted(group, key=lambda standing: (standing.name.casefold(), standing.key))]
    measure = _measure(tie_breaks[0], group)
    blocks = []
    for _, level in groupby(sorted(group, key=measure, reverse=True), key=measure):
        blocks.extend(_blocks(list(level), tie_breaks[1:]))
    return blocks


def standings(season: Season) -> list[Standing]:
    """The season's standings, best first, places shared where the tie-breaks leave a tie."""
    tie_breaks = [value for value in season.tie_breaks if value in TieBreak.values]
    by_points = sorted(_collect(season), key=lambda standing: standing.points, reverse=True)
    ordered: list[Standing] = []
    for _, level in groupby(by_points, key=lambda standing: standing.points):
        for block in _blocks(list(level), tie_breaks):
            for standing in block:
                standing.place, standing.tied = len(ordered) + 1, len(block) > 1
            ordered.extend(block)
    return ordered
