"""Activity: command use per command and day, latency percentiles, the error rate and the errors.

Read from ``core.CommandLog`` over the last ``DAYS`` days, in a fixed number of queries.
An organiser sees an error's command, time and reference (what the member was shown);
only operators (superusers) see the exception text. The chart is inline SVG drawn here:
no script, no CDN.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from core.models import CommandLog
from dashboard.nav import render_guild
from dashboard.scoping import organised_guild_or_404

DAYS = 14
ERRORS_SHOWN = 50
CHART_W, CHART_H, BAR_GAP = 560, 120, 4


@dataclass(frozen=True)
class Bar:
    day: date
    uses: int
    errors: int
    x: float
    width: float
    height: float
    error_height: float

    @property
    def y(self) -> float:
        return CHART_H - self.height

    @property
    def error_y(self) -> float:
        return CHART_H - self.error_height


def percentile(values: list[int], share: float) -> int | None:
    """The nearest-rank percentile of ``values`` (None when there are none)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def bars(days: list[date], uses: dict[date, int], errors: dict[date, int]) -> list[Bar]:
    """One bar per day, scaled to the busiest; errors drawn over the foot of it."""
    top = max([*uses.values(), 1])
    width = CHART_W / len(days) - BAR_GAP
    return [
        Bar(
            day,
            uses.get(day, 0),
            errors.get(day, 0),
            x=i * (width + BAR_GAP),
            width=width,
            height=CHART_H * uses.get(day, 0) / top,
            error_height=CHART_H * errors.get(day, 0) / top,
        )
        for i, day in enumerate(days)
    ]


@login_required
def activity(request, guild_id: int):
    guild = organised_guild_or_404(request, guild_id)
    today = timezone.now().date()
    days = [today - timedelta(days=n) for n in range(DAYS - 1, -1, -1)]
    logs = CommandLog.objects.filter(guild=guild, received_at__date__gte=days[0]).exclude(kind="autocomplete")
    per_day = logs.annotate(day=TruncDate("received_at")).values("command", "day").annotate(n=Count("pk"))
    table: dict[str, dict[date, int]] = {}
    uses: dict[date, int] = {}
    for row in per_day:
        table.setdefault(row["command"], {})[row["day"]] = row["n"]
        uses[row["day"]] = uses.get(row["day"], 0) + row["n"]
    failed = logs.filter(outcome=CommandLog.Outcome.ERROR)
    errors = {
        row["day"]: row["n"]
        for row in failed.annotate(day=TruncDate("received_at")).values("day").annotate(n=Count("pk"))
    }
    latencies = list(logs.values_list("ack_latency_ms", "completion_latency_ms"))
    ack = [a for a, _ in latencies if a is not None]
    done = [c for _, c in latencies if c is not None]
    total, error_count = sum(uses.values()), sum(errors.values())
    context = {
        "guild": guild,
        "days": days,
        "rows": [(command, [counts.get(day, 0) for day in days]) for command, counts in sorted(table.items())],
        "bars": bars(days, uses, errors),
        "chart": {"width": CHART_W, "height": CHART_H},
        "latency": [
            (name, percentile(ack, share), percentile(done, share))
            for name, share in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))
        ],
        "total": total,
        "error_count": error_count,
        "error_rate": f"{100 * error_count / total:.1f}%" if total else "—",
        "errors": failed.order_by("-received_at")[:ERRORS_SHOWN],
        "show_tracebacks": request.user.is_superuser,
    }
    return render_guild(request, guild, "activity", "dashboard/guild/activity.html", context)
