"""``python -m bench timeline --events 50 --items 40 --members 1000``: an afternoon of event-day
timelines, in real time, measured where people see it.

``events`` events start together, each with its own thread (a channel of the Discord
sandbox) and ``items`` items spread over ``--window`` seconds from ``--lead`` seconds after
the start of the run. Each item names one member (``members`` in all, round-robin), who
is DMed, and is posted in its event's thread; every ``--prealert-every``-th item also has a
one-minute pre-alert. The lead leaves Muster the time to open the members' DM channels
ahead (``core.dm_channels``; Discord's route for it allows about two a second, as the
sandbox does), which it does up to two hours before a real event's items. Real processes do the work: beat
ticks ``timeline.tasks.tick`` every
``--tick`` seconds (``TIMELINE_TICK_INTERVAL``), ``--workers`` Celery workers claim and deliver
through the outbox and the REST client, against the sandbox's global rate limit
(``--global-limit`` requests per second, Discord's 50 by default).

Figures (JSON on stdout), all read from the sandbox's messages, not from Muster's rows:
``alerts_expected`` (a DM and a post per alert and per pre-alert, computed from the plan),
``alerts_sent`` (distinct alert messages the sandbox received, DMs and thread posts),
``duplicates`` (an alert message received more than once: the same text to the same person
or thread; must be 0), ``max_lateness_s`` and ``p95_lateness_s`` (the sandbox's timestamp of
each message minus the time it was due: the item's time, or its pre-alert's), ``tick_s``
(the goal is ``max_lateness_s`` <= ``tick_s`` + 5), ``http_429`` (the sandbox's count of
429 answers: must be 0), ``rest_statuses`` (its answers by status) and ``wall_s``.
"""

from __future__ import annotations

import argparse
import json
import re
import time

from bench.harness import Stack, log, percentile, wait_for_growth

TITLE = re.compile(r"\*\*(E\d+ item \d+)\*\* starts (now|in \d+ minutes?)")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench timeline")
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--items", type=int, default=40, help="per event")
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--window", type=float, default=300.0, help="seconds over which the items are spread")
    parser.add_argument(
        "--lead",
        type=float,
        default=None,
        help="seconds from the setup to the first item (default: 75, or 0.6 s a member)",
    )
    parser.add_argument("--tick", type=float, default=5.0, help="TIMELINE_TICK_INTERVAL of the run")
    parser.add_argument("--prealert-every", type=int, default=4, help="every Nth item has a 1-minute pre-alert")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--global-limit", type=float, default=50.0)
    args = parser.parse_args(argv)
    if args.lead is None:
        args.lead = max(75.0, 0.6 * args.members)
    if args.prealert_every and args.lead < 70:
        parser.error("--lead must be at least 70 s: the first pre-alerts come a minute before their items")

    log(f"starting PostgreSQL, Redis, the sandbox with {args.members} members, {args.workers} workers and beat")
    env = {"TIMELINE_TICK_INTERVAL": str(args.tick)}
    with Stack(
        workers=args.workers, gateway=False, beat=True, members=args.members, env=env, global_limit=args.global_limit
    ) as stack:
        from datetime import UTC, datetime, timedelta

        from core.models import Guild, GuildMember, Member
        from events.models import Event, EventSpace, SpaceKind
        from timeline.models import Item

        world = stack.world
        guild, _ = Guild.objects.get_or_create(id=world.guild_id, defaults={"name": "Bench"})
        Member.objects.bulk_create(
            [Member(id=m, username=f"member{n}") for n, m in enumerate(world.member_ids)], ignore_conflicts=True
        )
        GuildMember.objects.bulk_create(
            [GuildMember(guild=guild, member_id=m) for m in world.member_ids], ignore_conflicts=True
        )
        threads = [int(stack.control.create_channel(world.guild_id, f"event-{e}")["id"]) for e in range(args.events)]
        began = time.time()
        first = datetime.fromtimestamp(began + args.lead, UTC)
        step = args.window / max(1, args.items - 1)
        plan: dict[str, float] = {}  # the text an alert carries -> when it is due (Unix seconds)
        n = 0
        for e, thread in enumerate(threads):
            event = Event.objects.create(guild=guild, title=f"Event {e}", starts_at=first)
            EventSpace.objects.create(event=event, guild=guild, kind=SpaceKind.THREAD, channel_id=thread)
            rows = []
            # Events are staggered by a fraction of a step so the ticks see a steady stream.
            for i in range(args.items):
                offset = timedelta(seconds=i * step + (e % 10) * step / 10)
                pre = i % args.prealert_every == 1 if args.prealert_every else False
                due = first + offset
                rows.append(
                    Item(
                        event=event,
                        guild=guild,
                        title=f"E{e} item {i}",
                        offset=offset,
                        due_at=due,
                        post_in=Item.Post.EVENT,
                        prealert=timedelta(minutes=1) if pre else None,
                        prealert_at=due - timedelta(minutes=1) if pre else None,
                    )
                )
                plan[f"E{e} item {i}|now"] = due.timestamp()
                if pre:
                    plan[f"E{e} item {i}|pre"] = due.timestamp() - 60
            created = Item.objects.bulk_create(rows)
            Item.people.through.objects.bulk_create(
                [
                    Item.people.through(item_id=item.id, member_id=world.member_ids[(n + k) % len(world.member_ids)])
                    for k, item in enumerate(created)
                ]
            )
            n += len(created)
        expected = 2 * len(plan)  # a DM and a thread post each
        wait_s = first.timestamp() - time.time()
        log(f"{n} items in {args.events} events, {len(plan)} alerts due; the first in {wait_s:.0f} s")

        def received() -> list[tuple[str, str, float]]:
            """(where, text, sandbox timestamp) of every alert message the sandbox holds."""
            found = []
            for thread in threads:
                for message in stack.control.messages(thread):
                    found.append((f"#{thread}", message["content"], message["created"]["wall"]))
            for member_id in set(Item.people.through.objects.values_list("member_id", flat=True)):
                for message in stack.control.dms(member_id):
                    found.append((f"@{member_id}", message["content"], message["created"]["wall"]))
            return [m for m in found if TITLE.search(m[1])]

        last_due = max(plan.values())
        time.sleep(max(0.0, last_due - time.time()))
        from core.models import OutboundMessage

        delivered = OutboundMessage.objects.filter(
            idempotency_key__startswith="timeline:", status=OutboundMessage.Status.DELIVERED
        )
        wait_for_growth(delivered.count, expected, stall_s=20)
        messages = received()
        stats = stack.control.stats()["rest"]

    lateness, seen, duplicates = [], set(), 0
    for where, text, at in messages:
        title, kind = TITLE.search(text).groups()
        due = plan.get(f"{title}|{'now' if kind == 'now' else 'pre'}")
        if (where, text) in seen:
            duplicates += 1
            continue
        seen.add((where, text))
        if due is not None:
            lateness.append(at - due)
    figures = {
        "events": args.events,
        "items": n,
        "members": args.members,
        "alerts_expected": expected,
        "alerts_sent": len(seen),
        "duplicates": duplicates,
        "max_lateness_s": round(max(lateness, default=0.0), 2),
        "p95_lateness_s": round(percentile(lateness, 0.95), 2) if lateness else 0.0,
        "min_lateness_s": round(min(lateness, default=0.0), 2),
        "tick_s": args.tick,
        "http_429": int(stats["statuses"].get("429", 0)),
        "rest_statuses": stats["statuses"],
        "ratelimited_routes": stats.get("ratelimited_routes"),
        "wall_s": round(time.time() - began, 1),
        "measured": "sandbox message timestamps minus each alert's due time",
    }
    print(json.dumps(figures))
    ok = len(seen) == expected and duplicates == 0 and figures["http_429"] == 0
    return 0 if ok else 1
