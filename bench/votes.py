"""``python -m bench votes --members N``: N distinct members vote on one poll, as fast as
the sandbox can inject the clicks.

The poll is created through ``polls.services`` and posted by a worker; each click goes
sandbox → gateway → broker → worker → database, and the poll message is re-rendered by
the coalesced refresh. Figures, from the database and the sandbox's own records:
``counted`` votes stored, ``duplicates`` (votes beyond one per member), ``votes_per_s``
(first click injected → last vote committed), ``message_edits`` of the poll message and
``max_edits_in_any_5s``, ``final_tally_lag_s`` (last click injected → the edit showing
every vote), ``http_429`` answered by the sandbox, ``ack_p99_ms`` (click → the gateway's
deferral accepted) and ``deadline_missed`` (clicks whose deferral came too late or never:
Discord shows the member "This interaction failed"), both from the sandbox's record of
each click; ``worker_nice`` is the priority the workers ran at (WORKER_NICE); ``cpu_s`` what
each part of the stack used from the first click to the final tally (CPU seconds, see
``Stack.cpu_seconds``).
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from bench.harness import MODES, Stack, cpu_used, find_post, log, percentile, wait_until


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench votes")
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--injectors", type=int, default=8, help="threads injecting clicks")
    parser.add_argument("--rate", type=float, default=0.0, help="clicks per second (0: as fast as possible)")
    parser.add_argument("--mode", choices=MODES, default="gateway", help="how clicks arrive (http: web processes)")
    args = parser.parse_args(argv)

    log(f"starting the stack with {args.members} members ({args.mode} mode)")
    with Stack(workers=args.workers, concurrency=args.concurrency, members=args.members, mode=args.mode) as stack:
        from django.conf import settings
        from django.db.models import Count
        from django.utils import timezone

        from core.models import Guild
        from polls import services
        from polls.models import Vote

        guild, _ = Guild.objects.get_or_create(id=stack.world.guild_id, defaults={"name": "Bench"})
        draft = services.PollDraft("Bench poll", ["Yes", "No", "Maybe"])
        poll = services.create_poll(guild, draft, now=timezone.now(), channel_id=stack.world.channel_id)
        post = wait_until(lambda: find_post(stack, "Bench poll"), timeout=30, what="poll post")
        options = list(poll.options.order_by("position").values_list("id", flat=True))
        clicks = [(member_id, options[n % len(options)]) for n, member_id in enumerate(stack.world.member_ids)]

        log(f"injecting {len(clicks)} votes with {args.injectors} threads")
        cpu_before = stack.cpu_seconds()
        first, last, ids = inject(stack, post["id"], poll.id, clicks, args.injectors, args.rate)
        log(f"injected in {last - first:.1f} s")
        counted, counted_at = wait_for_progress(lambda: Vote.objects.filter(poll=poll).count(), len(clicks))
        total = f"· {counted} vote{'s' if counted != 1 else ''}"
        final = wait_until(lambda: _edit_showing(stack, post["id"], total), timeout=60, what="final tally")
        cpu = cpu_used(cpu_before, stack.cpu_seconds())
        per_voter = Vote.objects.filter(poll=poll).values("voter").annotate(n=Count("id"))
        duplicates = sum(row["n"] - 1 for row in per_voter if row["n"] > 1)
        message = stack.control.message(post["id"])
        edits = [entry["replaced_at"]["monotonic"] for entry in message["history"]]
        acks, missed = acknowledgements(stack, ids)
        stats = stack.control.stats()["rest"]
        statuses = stats["statuses"]
        log(f"sandbox REST statuses: {statuses}")

    figures = {
        "mode": args.mode,
        "members": args.members,
        "rate": args.rate or "max",
        "counted": counted,
        "duplicates": duplicates,
        "votes_per_s": round(counted / (counted_at - first), 1),
        "message_edits": len(edits),
        "max_edits_in_any_5s": max_in_window(edits, 5.0),
        "final_tally_lag_s": round(final - last, 2),
        "http_429": int(statuses.get("429", 0)),
        "ack_p99_ms": round(percentile(acks, 0.99), 1),
        "deadline_missed": missed,
        "concurrency": args.concurrency,
        "worker_nice": settings.WORKER_NICE,
        "cpu_s": cpu,
    }
    print(json.dumps(figures))
    return 0 if counted == args.members and duplicates == 0 else 1


def inject(stack: Stack, message_id: str, poll_id: int, clicks: list[tuple[int, int]], threads: int, rate: float = 0.0):
    """Inject every click from ``threads`` threads, paced at ``rate`` per second when given;
    (first, last) injection times, monotonic, and the interactions' ids."""
    from sandbox.discord.control import DiscordControl

    local = threading.local()

    def click(numbered: tuple[int, tuple[int, int]]) -> tuple[float, str]:
        number, (member_id, option_id) = numbered
        if not hasattr(local, "control"):
            local.control = DiscordControl(stack.sandbox.url)
        if rate:
            time.sleep(max(0.0, first + number / rate - time.monotonic()))
        custom_id = f"poll:vote:{poll_id}:{option_id}"
        ix = local.control.inject_component(message_id=message_id, custom_id=custom_id, user_id=member_id)
        return time.monotonic(), ix["id"]

    first = time.monotonic()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        done = list(pool.map(click, enumerate(clicks)))
    return first, max(at for at, _ in done), [interaction_id for _, interaction_id in done]


def acknowledgements(stack: Stack, ids: list[str]) -> tuple[list[float], int]:
    """(ms from each click to its accepted deferral, clicks with none): the sandbox's own record."""
    acks, missed = [], 0
    for interaction_id in ids:
        record = stack.control.interaction(interaction_id)
        if record["response"] is None:
            missed += 1  # refused as too late (Discord's 3 s deadline), or never answered
        else:
            acks.append((record["response"]["at"]["monotonic"] - record["created"]["monotonic"]) * 1000)
    return acks, missed


def wait_for_progress(count, target: int, stall_s: float = 20.0) -> tuple[int, float]:
    """Wait until ``count()`` reaches ``target`` or stops growing; (count, when it last grew)."""
    seen, grew_at = count(), time.monotonic()
    while seen < target and time.monotonic() - grew_at < stall_s:
        time.sleep(0.1)
        now = count()
        if now != seen:
            seen, grew_at = now, time.monotonic()
    if seen < target:
        log(f"only {seen} of {target} counted; nothing more for {stall_s:.0f} s")
    return seen, grew_at


def _edit_showing(stack: Stack, message_id: str, text: str) -> float | None:
    """When the poll message was edited into a version whose footer contains ``text``."""
    message = stack.control.message(message_id)
    if text in message["embeds"][0]["footer"]["text"] and message["history"]:
        return message["history"][-1]["replaced_at"]["monotonic"]
    return None


def max_in_window(times: list[float], window: float) -> int:
    """The most events of ``times`` inside any interval of ``window`` seconds."""
    ordered, best, start = sorted(times), 0, 0
    for end, moment in enumerate(ordered):
        while moment - ordered[start] > window:
            start += 1
        best = max(best, end - start + 1)
    return best
