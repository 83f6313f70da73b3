"""``python -m bench standups --members 2000 --zones 24``: one simulated day of standups for
``members`` members spread over ``zones`` time zones (half-hour and 45-minute offsets, and
Europe's DST change on 25 October 2026 inside the day).

Each member holds one of ``--teams`` roles, and each team has a daily standup asking at
09:00 local, reminding at 10:00, with a digest at 11:00. Every ``--on-leave``-th member is
away: the bench registers an away provider with ``core.nudging.register_away``. Half of those asked answer at once,
so the others get a reminder.

The beat tick (``standups.services.tick``) runs in this process against a throwaway
PostgreSQL at every simulated minute of a 24-hour window (plus ``--phase`` seconds, as a
real beat ticks at an arbitrary second), a minute that did something ``--repeat`` times (a
retried task, a second beat), with the clock passed in: no worker runs unless ``--deliver``, so what is measured
is what the tick writes to the outbox. With ``--deliver`` one real worker delivers what each tick queues, through
the Discord sandbox, while the simulation waits for it (a busy minute lasts until its DMs are out, a real
minute at most). ``prompts_expected`` is computed apart from the
tick, with zoneinfo: each member's local 09:00 dates inside the window, less those away.

Figures: ``members``, ``zones``, ``standups``, ``prompts_expected``, ``prompts_sent``
(prompt DMs in the outbox), ``duplicates`` (prompt keys or check-ins for the same member
and day beyond one: must be 0), ``on_leave_skipped``, ``max_lateness_s`` (the largest gap
between a member's local 09:00 and their prompt: the simulated tick that queued it, plus with ``--deliver`` the
real seconds the DM then took to reach Discord; ``tick_lateness_s`` is the tick's part alone and
``max_delivery_s`` the delivery's),
``reminders_sent``, ``digests`` (team days whose last participant's cutoff passed before
the last tick) and ``digests_posted`` (of those: must be all), ``ticks``, ``max_queries_per_tick`` (bounded, not
per member), ``max_tick_s``, ``sim`` ("simulated minutes"), and ``http_429``: with
``--deliver`` this is the sandbox's count of 429s (its global and per-route limits);
without it no request is made and it is 0 by construction (``delivered`` says which).
"""

from __future__ import annotations

import argparse
import json
import time

from bench.harness import Stack, log, wait_for_growth

ZONES = (
    "Pacific/Kiritimati",
    "Pacific/Auckland",
    "Australia/Sydney",
    "Asia/Tokyo",
    "Asia/Shanghai",
    "Asia/Kathmandu",
    "Asia/Kolkata",
    "Asia/Dubai",
    "Europe/Moscow",
    "Europe/Athens",
    "Europe/Paris",
    "Europe/London",
    "Atlantic/Azores",
    "America/Noronha",
    "America/Sao_Paulo",
    "America/St_Johns",
    "America/Halifax",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "Pacific/Pago_Pago",
)
GUILD_ZONE = "Europe/Paris"  # members of this zone set none of their own: the guild's is used


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench standups")
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--zones", type=int, default=24, choices=range(1, len(ZONES) + 1), metavar="1-24")
    parser.add_argument("--teams", type=int, default=10, help="standups, one role each")
    parser.add_argument("--on-leave", type=int, default=20, help="every Nth member is away (0: nobody)")
    parser.add_argument("--phase", type=float, default=37.0, help="seconds past each minute the tick runs")
    parser.add_argument(
        "--repeat", type=int, default=2, help="tick runs at each simulated minute that did something (a retried task)"
    )
    parser.add_argument("--hours", type=int, default=24, help="the simulated window (24: every zone's 09:00 once)")
    parser.add_argument(
        "--deliver", action="store_true", help="deliver what each tick queues with one real worker, as it goes"
    )
    args = parser.parse_args(argv)

    log(f"starting PostgreSQL and Redis and the Discord sandbox with {args.members} members (no worker)")
    with Stack(workers=0, gateway=False, members=args.members if args.deliver else 1) as stack:
        from datetime import UTC, datetime, timedelta
        from datetime import time as clock
        from zoneinfo import ZoneInfo

        from django.db import connection
        from django.db.models import Count
        from django.test.utils import CaptureQueriesContext

        from core import nudging
        from core.models import Guild, GuildMember, Member, OutboundMessage
        from standups import services
        from standups.models import Checkin, Digest

        zones = ZONES[: args.zones]
        guild, _ = Guild.objects.get_or_create(id=stack.world.guild_id, defaults={"name": "Bench"})
        Guild.objects.filter(id=guild.id).update(timezone=GUILD_ZONE)
        guild.refresh_from_db()
        team_base = 600_000_000_000_000_000
        ids = stack.world.member_ids if args.deliver else [900_000_000_000_000_000 + n for n in range(args.members)]
        zone_of = {member_id: zones[n % len(zones)] for n, member_id in enumerate(ids)}
        answering = set(ids[::2])
        away_ids = {member_id for n, member_id in enumerate(ids) if args.on_leave and n % args.on_leave == 7}
        Member.objects.bulk_create(
            Member(
                id=member_id,
                username=f"member{n}",
                timezone="" if zone_of[member_id] == GUILD_ZONE else zone_of[member_id],
            )
            for n, member_id in enumerate(ids)
        )
        GuildMember.objects.bulk_create(
            GuildMember(guild=guild, member_id=member_id, role_ids=[team_base + n % args.teams])
            for n, member_id in enumerate(ids)
        )
        created = datetime(2026, 10, 1, tzinfo=UTC)
        standups = [
            services.create_standup(
                guild,
                services.StandupDraft(
                    channel_id=stack.world.channel_id,
                    name=f"Team {t}",
                    role_id=team_base + t,
                    weekdays=0b1111111,
                    ask_at=clock(9, 0),
                    remind_at=clock(10, 0),
                    cutoff_at=clock(11, 0),
                ),
                now=created,
            )
            for t in range(args.teams)
        ]

        def on_leave(pairs, at):
            return {pair: "on leave (bench)" for pair in pairs if pair[1] in away_ids}

        nudging.register_away(on_leave)
        # 24 hours from 09:00 on 25 October 2026 in the zone furthest ahead: every zone's 09:00 once
        # (Europe leaves summer time at 01:00 UTC that morning).
        start = datetime(2026, 10, 25, 9, 0, tzinfo=ZoneInfo(ZONES[0])).astimezone(UTC)
        end = start + timedelta(hours=args.hours)
        expected = 0
        for member_id, name in zone_of.items():
            zone = ZoneInfo(name)
            for offset in (-1, 0, 1, 2):
                day = start.astimezone(zone).date() + timedelta(days=offset)
                asks = datetime.combine(day, clock(9, 0), tzinfo=zone).astimezone(UTC)
                if start <= asks < end and member_id not in away_ids:
                    expected += 1

        prompts = OutboundMessage.objects.filter(idempotency_key__startswith="standup-prompt:")
        unsent = OutboundMessage.objects.filter(
            status__in=(OutboundMessage.Status.PENDING, OutboundMessage.Status.SENDING)
        )
        if args.deliver:
            log("starting one worker: what each tick queues is delivered through the sandbox as it goes")
            stack.start_worker("bench-deliver").wait_for_output(r"ready\.", timeout=60)
        log(f"ticking every simulated minute from {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC")
        max_queries, max_tick_s, ticks, reminders = 0, 0.0, 0, 0
        minute = start
        answered_upto = 0
        busy = False
        while minute <= end + timedelta(hours=3):  # the last zone's cutoff (11:00, two hours after 09:00) and digest
            at = minute + timedelta(seconds=args.phase)
            runs = 0
            while runs < (args.repeat if runs and busy else 1):
                with CaptureQueriesContext(connection) as queries:
                    began = time.monotonic()
                    done = services.tick(now=at)
                    max_tick_s = max(max_tick_s, time.monotonic() - began)
                max_queries = max(max_queries, len(queries))
                busy = busy if runs else bool(done.asked or done.away or done.reminded or done.digests)
                reminders += done.reminded
                ticks, runs = ticks + 1, runs + 1
            if args.deliver and busy:
                # A minute that queued DMs lasts until they are out, or a real minute at most
                # (the next tick would come then): what is late is measured, not skipped.
                drained_by = time.monotonic() + 60
                while unsent.exists() and time.monotonic() < drained_by:
                    time.sleep(0.1)
            # Half of those just asked answer at once (every other member in the guild's order:
            # the sandbox's snowflakes are not alternately odd and even).
            fresh = Checkin.objects.filter(id__gt=answered_upto, status=Checkin.Status.ASKED).order_by("id")
            for checkin_id, member_id in fresh.values_list("id", "member_id"):
                answered_upto = max(answered_upto, checkin_id)
                if member_id in answering:
                    services.answer(checkin_id, member_id, ["Benchmarks", "More of them", ""], now=at)
            minute += timedelta(minutes=1)
        nudging.unregister_away(on_leave)

        # What the window asked for: check-ins whose local 09:00 lies in it (ticks go on 3 hours
        # more for the last cutoffs, and ask the zones furthest ahead their next day meanwhile).
        window = Checkin.objects.filter(due_at__gte=start, due_at__lt=end)
        days = {(m, d.isoformat()) for m, d in window.values_list("member_id", "local_date")}
        prompted = [tuple(key.split(":")[2:]) for key in prompts.values_list("idempotency_key", flat=True)]
        prompted = [(int(member), day) for member, day in prompted]
        sent = sum(pair in days for pair in prompted)
        asked = window.filter(asked_at__isnull=False).only("asked_at", "due_at", "member_id", "local_date")
        tick_lateness = {
            (c.member_id, c.local_date.isoformat()): (c.asked_at - c.due_at).total_seconds() for c in asked
        }
        lateness = max(tick_lateness.values(), default=0)
        # Each member is in one team: a second check-in or prompt of theirs for a day is a duplicate.
        per_day = Checkin.objects.values("member_id", "local_date").annotate(n=Count("id")).filter(n__gt=1)
        duplicates = sum(row["n"] - 1 for row in per_day) + len(prompted) - len(set(prompted))
        skipped = window.filter(status=Checkin.Status.AWAY).count()
        due = Digest.objects.filter(due_at__lte=minute)  # (the zones ahead began their next day meanwhile)
        digests, posted = due.count(), due.filter(posted_at__isnull=False).count()

        http_429, delivered, max_delivery_s = 0, False, None
        if args.deliver:
            wait_for_growth(prompts.filter(status=OutboundMessage.Status.DELIVERED).count, len(prompted), stall_s=30)
            delivered = prompts.filter(status=OutboundMessage.Status.DELIVERED).count()
            http_429 = int(stack.control.stats()["rest"]["statuses"].get("429", 0))
            # Late as a member sees it: the tick's lateness (simulated) plus the real seconds the
            # DM then took to reach Discord (queued at the tick, delivered by the worker).
            delays = {}
            for key, queued, out in prompts.filter(status=OutboundMessage.Status.DELIVERED).values_list(
                "idempotency_key", "created_at", "updated_at"
            ):
                member, day = key.split(":")[2:]
                delays[(int(member), day)] = (out - queued).total_seconds()
            max_delivery_s = round(max(delays.values(), default=0), 1)
            lateness = max((tick_lateness[pair] + delays[pair] for pair in tick_lateness if pair in delays), default=0)

    figures = {
        "members": args.members,
        "zones": args.zones,
        "standups": len(standups),
        "prompts_expected": expected,
        "prompts_sent": sent,
        "duplicates": duplicates,
        "on_leave_skipped": skipped,
        "away_via": "core.nudging.register_away",
        "max_lateness_s": round(lateness, 1),
        "tick_lateness_s": round(max(tick_lateness.values(), default=0), 1),
        "max_delivery_s": max_delivery_s,
        "reminders_sent": reminders,
        "digests": digests,
        "digests_posted": posted,
        "ticks": ticks,
        "max_queries_per_tick": max_queries,
        "max_tick_s": round(max_tick_s, 3),
        "sim": (
            "simulated minutes (the tick given each minute's time); DMs delivered in real time by a worker"
            if args.deliver
            else "simulated minutes (the tick given each minute's time), outbox rows measured"
        ),
        "delivered": delivered,
        "http_429": http_429,
    }
    print(json.dumps(figures))
    ok = (
        sent == expected
        and duplicates == 0
        and posted == digests
        and http_429 == 0
        and (not args.deliver or delivered == len(prompted))
    )
    return 0 if ok else 1
