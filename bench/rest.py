"""``python -m bench rest --messages N --workers W --global-limit L``: outbox throughput.

N channel messages are written to the outbox in one transaction; W worker processes
deliver them through the Discord sandbox, whose global limit is L requests per second
(and Muster's, DISCORD_GLOBAL_RATE_LIMIT, the same). Prints achieved rate, the limit,
utilisation and the number of 429 answers.
"""

from __future__ import annotations

import argparse
import json

from bench.harness import Stack, log, wait_until


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench rest")
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=4, help="threads of work per worker process")
    parser.add_argument("--global-limit", type=float, default=50.0)
    args = parser.parse_args(argv)

    # Per-route buckets generous enough that the global limit is what is measured.
    routes = {"messages:create": (100_000, 1.0)}
    stack = Stack(args.workers, args.concurrency, gateway=False, global_limit=args.global_limit, route_limits=routes)
    with stack:
        from django.db import transaction

        from core import outbox
        from core.models import OutboundMessage

        log(f"sending {args.messages} messages with {args.workers} workers at {args.global_limit}/s")
        with transaction.atomic():
            for number in range(args.messages):
                payload = {"content": f"message {number}"}
                outbox.enqueue(key=f"bench:{number}", channel_id=stack.world.channel_id, payload=payload)
        delivered = OutboundMessage.objects.filter(status="delivered")
        timeout = args.messages / args.global_limit * 3 + 60
        wait_until(lambda: delivered.count() == args.messages, timeout=timeout, what="delivery")
        created = sorted(m["created"]["monotonic"] for m in stack.control.messages(stack.world.channel_id))
        stats = stack.control.stats()["rest"]
    span = created[-1] - created[0]
    achieved = (len(created) - 1) / span if span > 0 else float("nan")
    figures = {
        "messages": args.messages,
        "workers": args.workers,
        "achieved_per_s": round(achieved, 2),
        "limit_per_s": args.global_limit,
        "utilisation": round(achieved / args.global_limit, 3),
        "http_429": stats["ratelimited_total"],
    }
    print(json.dumps(figures))
    return 0
