"""``python -m bench matching --requests 2000 --rides 400``: how long matching takes, and
how many queries, when many requests wait and many rides are offered.

In-process against a throwaway PostgreSQL (no worker: the DMs are written to the outbox
and wait there). ``requests`` members ask for a seat
from one of 8 areas, with time windows of their own; then ``rides`` cars of 1-4 seats
are offered, one by one, each call matching the leg as drivers do in Discord. Finally one
matching runs once more over the whole leg (every ride, every request left), counted alone.
Figures: ``matched`` and ``unmatched`` requests, ``elapsed_ms`` for the whole run,
``queries`` for all of it, ``queries_per_ride`` (bounded: a fixed number plus the DMs of
the seats each ride gives), and ``last_match_queries`` (that whole-leg run: a fixed
number, never one per pair).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from contextlib import contextmanager

from bench.harness import Stack

AREAS = ("North", "South", "East", "West", "City centre", "Airport", "Harbour", "Station")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench matching")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rides", type=int, default=400)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args(argv)
    with Stack(workers=0, gateway=False):
        print(json.dumps(run(args)))
    return 0


def run(args) -> dict:
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from carpool.models import RideRequest
    from carpool.services import Need, Offer, event_model, match, need_ride, offer_ride
    from core.models import Guild, Member
    from events import services
    from events.models import Registration

    rng = random.Random(args.seed)
    now = timezone.now()
    guild = Guild.objects.create(id=1, name="Bench")
    start = now + timedelta(days=2)
    event = services.create_event(
        guild, services.EventDraft(title="Matching", starts_at=start, needs_rides=True), now=now
    )
    total = args.requests + args.rides
    Member.objects.bulk_create(Member(id=n + 1, username=f"m{n}") for n in range(total))
    Registration.objects.bulk_create(
        Registration(event=event, member_id=n + 1, status="going", sequence=n + 1) for n in range(total)
    )
    riders, drivers = range(1, args.requests + 1), range(args.requests + 1, args.requests + args.rides + 1)
    for member_id in riders:
        earliest = start - timedelta(hours=rng.randint(3, 8))
        need = Need(area=rng.choice(AREAS), earliest=earliest, latest=earliest + timedelta(hours=rng.randint(1, 4)))
        need_ride(event.id, member_id, need, guild_id=guild.id, sequence=member_id, now=now)
    started = time.monotonic()
    per_ride = []
    for member_id in drivers:
        offer = Offer(
            seats=rng.randint(1, 4),
            area=rng.choice(AREAS),
            departs_at=start - timedelta(hours=rng.randint(2, 8), minutes=rng.choice((0, 15, 30, 45))),
        )
        with counting() as queries:
            offer_ride(event.id, member_id, offer, guild_id=guild.id, now=now)
        per_ride.append(queries[0])
    elapsed_ms = (time.monotonic() - started) * 1000
    with transaction.atomic(), counting() as last:
        # Everything left waiting, matched against every ride of the leg at once.
        match(event_model().objects.select_for_update().get(id=event.id), "to")
    requests = RideRequest.objects.filter(event=event)
    return {
        "requests": args.requests,
        "rides": args.rides,
        "matched": requests.filter(status=RideRequest.Status.SEATED).count(),
        "unmatched": requests.filter(status=RideRequest.Status.OPEN).count(),
        "elapsed_ms": round(elapsed_ms),
        "queries": sum(per_ride),
        "queries_per_ride": {"min": min(per_ride), "max": max(per_ride)},
        "last_match_queries": last[0],
    }


@contextmanager
def counting():
    """Count the queries run inside (without Django's debug log, which keeps only 9000)."""
    from django.db import connection

    count = [0]

    def wrapper(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield count
