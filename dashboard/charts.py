"""Charts drawn on the server as inline SVG: the numbers become shapes, no script, no CDN.

Functions here only compute geometry (percentages, points); the templates under
``dashboard/templates/dashboard/charts/`` draw it, so the markup stays escaped by Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

WIDTH, HEIGHT = 600, 160  # the timeline's view box; the SVG scales to the page


@dataclass(frozen=True)
class Bar:
    """A horizontal bar: ``parts`` are (css class, x, width) in percent of the track, left to right."""

    parts: tuple[tuple[str, float, float], ...]
    label: str


def _stacked(*widths: tuple[str, float]) -> tuple[tuple[str, float, float], ...]:
    parts, x = [], 0.0
    for css, width in widths:
        parts.append((css, round(x, 2), round(width, 2)))
        x += width
    return tuple(parts)


def capacity_bar(going: int, waitlisted: int, capacity: int | None) -> Bar:
    """Going against the capacity (or against everyone, without a limit), the waitlist after it."""
    scale = max((capacity or 0) + waitlisted, going + waitlisted, 1)
    parts = _stacked(("going", 100 * going / scale), ("waitlist", 100 * waitlisted / scale))
    limit = f"/{capacity}" if capacity else ""
    waiting = f", {waitlisted} waiting" if waitlisted else ""
    return Bar(parts=parts, label=f"{going}{limit} going{waiting}")


def share_bar(count: int, total: int) -> Bar:
    """One option's share of the votes."""
    percent = 100 * count / total if total else 0
    return Bar(parts=_stacked(("votes", percent)), label=f"{count} ({percent:.0f}%)")


@dataclass(frozen=True)
class Timeline:
    """Registrations over time as a step line: ``points`` for a polyline in the view box."""

    points: str
    total: int
    first: datetime | None
    last: datetime | None
    width: int = WIDTH
    height: int = HEIGHT


def timeline(moments: list[datetime]) -> Timeline:
    """The running count of registrations at each moment (sorted), scaled to the view box."""
    moments = sorted(moments)
    if not moments:
        return Timeline(points="", total=0, first=None, last=None)
    start, end = moments[0], moments[-1]
    span = (end - start).total_seconds() or 1
    total = len(moments)
    points, previous_y = [f"0,{HEIGHT}"], HEIGHT
    for count, moment in enumerate(moments, 1):
        x = round(WIDTH * (moment - start).total_seconds() / span, 1)
        y = round(HEIGHT - HEIGHT * count / total, 1)
        points.append(f"{x},{previous_y}")  # the step: flat until the registration, then up
        points.append(f"{x},{y}")
        previous_y = y
    return Timeline(points=" ".join(points), total=total, first=start, last=end)
