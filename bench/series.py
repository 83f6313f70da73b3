"""``python -m bench series --events 500 --members 2000``: materialise and keep ``events``
weekly series for ``members`` members.

Each member is registered for one series (spread over them, capacity 3, so some wait);
the beat tick (``events.series.materialise``) then runs twice at the same moment, in this
process against a throwaway PostgreSQL. Figures: ``occurrences`` (made by the first tick:
8 weeks of each series), ``queries_per_tick`` (the first tick's; bounded, not per series),
``tick_s``, ``second_tick_occurrences`` (must be 0), ``duplicates`` (occurrences sharing a
series and a start: must be 0) and ``registrations``. ``nudges_sent`` is 0: the nudges of
issue 18 are not built yet. No worker runs: the posts wait in the outbox.
"""

from __future__ import annotations

import argparse
import json
import time

from bench.harness import Stack, log


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench series")
    parser.add_argument("--events", type=int, default=500, help="weekly series")
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--capacity", type=int, default=3)
    args = parser.parse_args(argv)

    log("starting PostgreSQL and Redis (no worker, no gateway)")
    with Stack(workers=0, gateway=False, members=1) as stack:
        from datetime import timedelta

        from django.db import connection
        from django.db.models import Count
        from django.test.utils import CaptureQueriesContext
        from django.utils import timezone

        from core.models import Guild, Member
        from events import series as series_services
        from events.models import Event, Registration, Series, SeriesMember

        guild, _ = Guild.objects.get_or_create(id=stack.world.guild_id, defaults={"name": "Bench"})
        now = timezone.now().replace(microsecond=0)
        first = now + timedelta(days=1)
        made = Series.objects.bulk_create(
            Series(
                guild=guild,
                rule="FREQ=WEEKLY",
                timezone="Europe/Berlin",
                first_start=first + timedelta(minutes=n % 600),
                title=f"Series {n}",
                capacity=args.capacity,
                duration=timedelta(hours=2),
                reminder_offsets=[3600],
                channel_id=stack.world.channel_id,
            )
            for n in range(args.events)
        )
        base = 900_000_000_000_000_000
        Member.objects.bulk_create(Member(id=base + n, username=f"member{n}") for n in range(args.members))
        SeriesMember.objects.bulk_create(
            SeriesMember(series=made[n % len(made)], member_id=base + n, sequence=n + 1) for n in range(args.members)
        )

        log(f"first tick over {len(made)} series")
        with CaptureQueriesContext(connection) as queries:
            started = time.monotonic()
            done = series_services.materialise(now=now)
            tick_s = time.monotonic() - started
        log(f"second tick ({done.occurrences} occurrences made by the first)")
        again = series_services.materialise(now=now)
        duplicates = (
            Event.objects.filter(series__isnull=False)
            .values("series_id", "occurrence_start")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .count()
        )
        registrations = Registration.objects.filter(event__series__isnull=False).count()

    figures = {
        "series": args.events,
        "members": args.members,
        "occurrences": done.occurrences,
        "queries_per_tick": len(queries),
        "tick_s": round(tick_s, 2),
        "second_tick_occurrences": again.occurrences,
        "duplicates": duplicates,
        "registrations": registrations,
        "nudges_sent": 0,
    }
    print(json.dumps(figures))
    return 0 if duplicates == 0 and again.occurrences == 0 else 1
