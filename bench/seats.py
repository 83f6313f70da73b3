"""``python -m bench seats --members 500 --seats 40``: members click Join at once on rides
with ``seats`` seats in all (cars of 4).

Every member is going to the event; 10 drivers (for 40 seats) each offer a car of 4. A
message shows one Join button per car, and each member clicks one of them (spread over
the cars) through sandbox → gateway → broker → worker, where ``carpool.services.join_ride``
takes the event's and the ride's row locks. Figures from the database: ``seated`` (must be
``seats``), ``overbooked`` (a car with more passengers than seats: must be false),
``waitlisted_or_refused`` (clicks answered "this car is full"), ``lost`` (clicks that never
reached a worker: no command-log row).
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from bench.harness import Stack, log, wait_until
from bench.votes import wait_for_progress

SEATS_PER_CAR = 4


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench seats")
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--seats", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--injectors", type=int, default=8, help="threads injecting clicks")
    args = parser.parse_args(argv)
    cars = max(1, args.seats // SEATS_PER_CAR)

    log(f"starting the stack with {args.members + cars} members")
    with Stack(workers=args.workers, concurrency=args.concurrency, members=args.members + cars) as stack:
        from datetime import timedelta

        from django.db.models import Count, F, Sum
        from django.utils import timezone

        from carpool.models import Ride, Seat
        from carpool.services import Offer, offer_ride
        from core import outbox
        from core.interactions.components import button, row
        from core.models import CommandLog, Guild, Member
        from events import services
        from events.models import Registration

        guild, _ = Guild.objects.get_or_create(id=stack.world.guild_id, defaults={"name": "Bench"})
        now = timezone.now()
        draft = services.EventDraft(title="Seats", starts_at=now + timedelta(days=1), needs_rides=True)
        event = services.create_event(guild, draft, now=now, channel_id=stack.world.channel_id)
        drivers, riders = stack.world.member_ids[:cars], stack.world.member_ids[cars:]
        for n, member_id in enumerate(stack.world.member_ids):
            Member.objects.get_or_create(id=member_id, defaults={"username": f"member{n}"})
            services.respond(event.id, member_id, Registration.Status.GOING, sequence=n + 1, now=now)
        offer = Offer(seats=SEATS_PER_CAR, area="North", departs_at=event.starts_at - timedelta(hours=1))
        rides = [offer_ride(event.id, driver, offer, guild_id=guild.id, now=now)[0] for driver in drivers]
        buttons = [button(f"Join ride {ride.id}", f"ride:join:{ride.id}", style="success") for ride in rides]
        rows = [row(*buttons[i : i + 5]) for i in range(0, len(buttons), 5)]
        # Posted by the workers, through the outbox, as every Muster message.
        outbox.enqueue(
            key=f"bench-seats:{event.id}",
            channel_id=stack.world.channel_id,
            payload={"content": "Join a car", "components": rows},
        )
        message = wait_until(lambda: _posted(stack, "Join a car"), timeout=30, what="the Join message")

        log(f"{len(riders)} members click Join on {cars} cars with {args.injectors} threads")
        started = time.monotonic()
        clicks = inject_spread(stack, message["id"], [ride.id for ride in rides], riders, args.injectors)
        ids = [int(interaction_id) for interaction_id in clicks.values()]
        handled, _ = wait_for_progress(lambda: CommandLog.objects.filter(interaction_id__in=ids).count(), len(ids))
        elapsed = time.monotonic() - started
        seated = Seat.objects.filter(ride__in=rides).aggregate(n=Sum("places"))["n"] or 0
        over = (
            Ride.objects.filter(id__in=[ride.id for ride in rides])
            .annotate(taken=Count("passengers"))
            .filter(taken__gt=F("seats"))
            .count()
        )

    figures = {
        "members": len(riders),
        "seats": cars * SEATS_PER_CAR,
        "seated": seated,
        "overbooked": over > 0,
        "waitlisted_or_refused": handled - seated,
        "lost": len(riders) - handled,
        "elapsed_s": round(elapsed, 1),
    }
    print(json.dumps(figures))
    return 0 if over == 0 and seated == cars * SEATS_PER_CAR else 1


def inject_spread(stack: Stack, message_id: str, ride_ids: list[int], member_ids: list[int], threads: int) -> dict:
    """Each member clicks Join on one car (the cars in turn), all from one pool of threads
    at once; member id → interaction id."""
    from sandbox.discord.control import DiscordControl

    local = threading.local()

    def click(pair: tuple[int, int]) -> tuple[int, str]:
        member_id, ride_id = pair
        if not hasattr(local, "control"):
            local.control = DiscordControl(stack.sandbox.url)
        custom_id = f"ride:join:{ride_id}"
        interaction = local.control.inject_component(message_id=message_id, custom_id=custom_id, user_id=member_id)
        return member_id, interaction["id"]

    pairs = [(member_id, ride_ids[n % len(ride_ids)]) for n, member_id in enumerate(member_ids)]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return dict(pool.map(click, pairs))


def _posted(stack: Stack, content: str) -> dict | None:
    return next((m for m in stack.control.messages(stack.world.channel_id) if m["content"] == content), None)
