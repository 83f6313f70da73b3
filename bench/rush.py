"""``python -m bench rush --members N --capacity C``: N members click Going at once on an
event with C places.

Each click goes sandbox → gateway → broker → worker, where ``events.services.respond``
takes the event row's lock. Figures from the database: ``going``, ``waitlisted``,
``capacity_exceeded`` (going beyond the capacity, must be false), and
``waitlist_in_click_order`` (the waitlist's order is the order in which the sandbox
created the clicks). ``going_from_first_clicks``: how many places went to the first
``capacity`` clickers (places go in processing order, the waitlist in click order).
``lost`` counts clicks that never reached a worker.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from bench.harness import Stack, find_post, log, wait_until
from bench.votes import wait_for_progress


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench rush")
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--capacity", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--injectors", type=int, default=8, help="threads injecting clicks")
    args = parser.parse_args(argv)

    log(f"starting the stack with {args.members} members")
    with Stack(workers=args.workers, concurrency=args.concurrency, members=args.members) as stack:
        from datetime import timedelta

        from django.utils import timezone

        from core.models import Guild
        from events import services
        from events.models import Registration

        guild, _ = Guild.objects.get_or_create(id=stack.world.guild_id, defaults={"name": "Bench"})
        now = timezone.now()
        draft = services.EventDraft(title="Rush", starts_at=now + timedelta(days=1), capacity=args.capacity)
        event = services.create_event(guild, draft, now=now, channel_id=stack.world.channel_id)
        post = wait_until(lambda: find_post(stack, "Rush"), timeout=30, what="event post")

        log(f"{args.members} members click Going with {args.injectors} threads")
        started = time.monotonic()
        clicks = inject(stack, post["id"], f"event:going:{event.id}", stack.world.member_ids, args.injectors)
        log(f"injected in {time.monotonic() - started:.1f} s")
        registrations = Registration.objects.filter(event=event)
        handled, _ = wait_for_progress(registrations.count, args.members)
        going_ids = set(registrations.filter(status=Registration.Status.GOING).values_list("member_id", flat=True))
        going = len(going_ids)
        waiting = list(
            registrations.filter(status=Registration.Status.WAITLISTED)
            .order_by("sequence", "id")
            .values_list("member_id", flat=True)
        )
        created = {member_id: _created_at(stack, interaction_id) for member_id, interaction_id in clicks.items()}
        first_clicks = set(sorted(created, key=created.get)[: args.capacity])

    figures = {
        "members": args.members,
        "capacity": args.capacity,
        "going": going,
        "waitlisted": len(waiting),
        "capacity_exceeded": going > args.capacity,
        "waitlist_in_click_order": [created[m] for m in waiting] == sorted(created[m] for m in waiting),
        "going_from_first_clicks": len(going_ids & first_clicks),
        "lost": args.members - handled,
        "elapsed_s": round(time.monotonic() - started, 1),
    }
    print(json.dumps(figures))
    return 0 if going <= args.capacity else 1


def inject(stack: Stack, message_id: str, custom_id: str, member_ids: list[int], threads: int) -> dict[int, str]:
    """Every member clicks ``custom_id`` once, from ``threads`` threads; member id → interaction id."""
    from sandbox.discord.control import DiscordControl

    local = threading.local()

    def click(member_id: int) -> tuple[int, str]:
        if not hasattr(local, "control"):
            local.control = DiscordControl(stack.sandbox.url)
        interaction = local.control.inject_component(message_id=message_id, custom_id=custom_id, user_id=member_id)
        return member_id, interaction["id"]

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return dict(pool.map(click, member_ids))


def _created_at(stack: Stack, interaction_id: str) -> float:
    """When the sandbox created the click (Discord's own order of the clicks)."""
    return stack.control.interaction(interaction_id)["created"]["monotonic"]
