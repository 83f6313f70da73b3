"""The Activity page: uses per command and day, latency percentiles, the error rate, errors by reference."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

import pytest
from django.test import Client
from django.utils import timezone

from core.models import CommandLog
from dashboard.views_activity import percentile
from tests.factories import SuperuserFactory

from .conftest import log_in

pytestmark = pytest.mark.django_db
ids = count(1)


def logged(guild, command: str, *, days_ago: int = 0, outcome: str = "ok", ack: int = 100, done: int = 400, **fields):
    received = timezone.now() - timedelta(days=days_ago)
    return CommandLog.objects.create(
        interaction_id=next(ids),
        guild=guild,
        kind="command",
        command=command,
        received_at=received,
        ack_latency_ms=ack,
        completion_latency_ms=done,
        outcome=outcome,
        **fields,
    )


def test_percentiles_are_nearest_rank():
    assert percentile([], 0.5) is None
    assert [percentile(list(range(1, 101)), share) for share in (0.5, 0.95, 0.99)] == [50, 95, 99]
    assert percentile([7], 0.99) == 7


def test_it_counts_per_command_and_day_and_shows_errors_without_tracebacks(world):
    guild = world.cast.guild
    for ack in (100, 200, 300, 400):
        logged(guild, "event create", ack=ack, done=ack * 2)
    logged(guild, "poll create", days_ago=1)
    logged(guild, "poll create", outcome="error", error="Traceback: KeyError('x')", reference="ABC123", ack=None)
    logged(guild, "poll create", days_ago=30)  # outside the window
    logged(world.cast.outsider.guild, "event create")  # another guild
    page = log_in(world, "olivia").get(f"/dashboard/g/{guild.id}/activity/")
    assert page.status_code == 200
    context = page.context
    assert (context["total"], context["error_count"], context["error_rate"]) == (6, 1, "16.7%")
    assert [(command, counts[-2:]) for command, counts in context["rows"]] == [
        ("event create", [0, 4]),
        ("poll create", [1, 1]),
    ]
    # ack 100, 100, 200, 300, 400 (one error has none); answered 200, 400, 400, 400, 600, 800
    assert context["latency"] == [("p50", 200, 400), ("p95", 400, 800), ("p99", 400, 800)]
    assert [bar.uses for bar in context["bars"]][-2:] == [1, 5]
    assert [bar.errors for bar in context["bars"]][-1] == 1
    html = page.content.decode()
    assert "<svg" in html and 'class="uses"' in html
    assert "<code>ABC123</code>" in html and "poll create" in html
    assert "KeyError" not in html


def test_an_operator_sees_the_traceback(world):
    logged(world.cast.guild, "poll create", outcome="error", error="Traceback: KeyError('x')", reference="ABC123")
    operator = Client()
    operator.force_login(SuperuserFactory())
    html = operator.get(f"/dashboard/g/{world.cast.guild.id}/activity/").content.decode()
    assert "Traceback: KeyError(&#x27;x&#x27;)" in html


def test_outsiders_get_404(world):
    for name in ("otto", "oscar", "alice"):
        assert log_in(world, name).get(f"/dashboard/g/{world.cast.guild.id}/activity/").status_code == 404, name
