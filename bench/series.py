"""``python -m bench series --events 500 --members 2000``: materialise and keep ``events``
weekly series for ``members`` members.

Each member is registered for one series (spread over them, capacity 3, so some wait)
and holds one of ``--teams`` roles; each series expects one team to answer (the members
registered for it are in that team) and nudges it a day before the start. The beat tick
(``events.series.materialise``) then runs twice at the same moment, in this process
against a throwaway PostgreSQL, and the nudge tick (``events.nudges.send_due``) twice at
the first occurrences' nudge time. Figures: ``occurrences`` (made by the first tick: 8
weeks of each series), ``queries_per_tick`` (the first tick's; bounded, not per series),
``tick_s``, ``second_tick_occurrences`` (must be 0), ``registrations``, ``nudges_sent``
(DMs queued by the first nudge tick: each team member not registered for the series),
``nudge_queries`` and ``nudge_tick_s`` (that tick's; bounded, not per event or member),
``nudge_second_tick`` (must be 0), ``nudged_after_answering`` (must be 0) and
``duplicates`` (occurrences sharing a series and a start, plus nudge DMs to the same member
for the same event and time: must be 0). No worker runs: posts and DMs wait in the outbox.
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
    parser.add_argument("--teams", type=int, default=100, help="roles; each series expects one")
    args = parser.parse_args(argv)

    log("starting PostgreSQL and Redis (no worker, no gateway)")
    with Stack(workers=0, gateway=False, members=1) as stack:
        from datetime import timedelta

        from django.db import connection
        from django.db.models import Count
        from django.test.utils import CaptureQueriesContext
        from django.utils import timezone

        from core.models import Guild, GuildMember, Member, OutboundMessage
        from events import nudges
        from events import series as series_services
        from events.models import Event, Registration, Series, SeriesMember

        guild, _ = Guild.objects.get_or_create(id=stack.world.guild_id, defaults={"name": "Bench"})
        now = timezone.now().replace(microsecond=0)
        first = now + timedelta(days=1, hours=1)
        team_base = 600_000_000_000_000_000
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
                expected_role_id=team_base + n % args.teams,
                nudge_offsets=[86400],
                channel_id=stack.world.channel_id,
            )
            for n in range(args.events)
        )
        base = 900_000_000_000_000_000
        Member.objects.bulk_create(Member(id=base + n, username=f"member{n}") for n in range(args.members))
        GuildMember.objects.bulk_create(
            GuildMember(guild=guild, member_id=base + n, role_ids=[team_base + n % args.teams])
            for n in range(args.members)
        )
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

        at = now + timedelta(hours=1, minutes=600)  # every first occurrence's nudge is due
        log(f"nudge tick at {at:%H:%M} UTC")
        with CaptureQueriesContext(connection) as nudge_queries:
            started = time.monotonic()
            nudged = nudges.send_due(now=at, batch=len(made))
            nudge_tick_s = time.monotonic() - started
        nudge_again = nudges.send_due(now=at, batch=len(made))
        keys = OutboundMessage.objects.filter(idempotency_key__startswith="event-nudge:").values_list(
            "idempotency_key", flat=True
        )
        sent = [tuple(int(part) for part in key.split(":")[1:]) for key in keys]  # event, offset, member
        answered = set(Registration.objects.values_list("event_id", "member_id"))
        after_answering = sum((event, member) in answered for event, _, member in sent)
        duplicates += len(sent) - len(set(sent))

    figures = {
        "series": args.events,
        "members": args.members,
        "occurrences": done.occurrences,
        "queries_per_tick": len(queries),
        "tick_s": round(tick_s, 2),
        "second_tick_occurrences": again.occurrences,
        "duplicates": duplicates,
        "registrations": registrations,
        "nudges_sent": nudged,
        "nudge_queries": len(nudge_queries),
        "nudge_tick_s": round(nudge_tick_s, 2),
        "nudge_second_tick": nudge_again,
        "nudged_after_answering": after_answering,
    }
    print(json.dumps(figures))
    ok = duplicates == 0 and again.occurrences == 0 and nudge_again == 0 and after_answering == 0
    return 0 if ok else 1
