"""``python -m bench profile --count N``: what one interaction costs a worker, by kind.

Runs N interactions of each representative kind through ``dispatcher.handle`` in this
process (no gateway, no worker: the deferral is sent the way the gateway sends it),
against real PostgreSQL and Redis and the Discord sandbox, and prints per interaction:

- ``queries``: SQL statements (Django's ``CaptureQueriesContext``), of which
  ``transaction_control`` are BEGIN / COMMIT / SAVEPOINT / RELEASE;
- ``redis_commands``: commands Redis executed (INFO commandstats before and after; only
  this process talks to this Redis), by name, so a Celery publish shows as its LPUSH;
- ``http_calls``: REST requests the sandbox received, by route;
- ``cpu_ms`` (``time.process_time``) and ``wall_ms`` of ``handle()``, median.

The members are known to the directory beforehand (the gateway synced them), as in
production; each "Going" click and each vote comes from a different member.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import Counter

import httpx

from bench.harness import APPLICATION_ID, Stack, log

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench profile")
    parser.add_argument("--count", type=int, default=200, help="interactions of each kind")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured interactions first, per kind")
    parser.add_argument("--statements", action="store_true", help="also list one interaction's SQL, per kind")
    parser.add_argument(
        "--cprofile",
        metavar="PREFIX",
        help="also write cProfile stats (CPU time) of the measured handle() calls to PREFIX-<kind>.prof",
    )
    args = parser.parse_args(argv)

    members = args.count + args.warmup
    with Stack(workers=0, gateway=False, members=members) as stack:
        from django.conf import settings

        from core.discord_api import client as discord_client

        # Django was set up before the sandbox started: point this process's client at it.
        env = stack.discord_env()
        settings.DISCORD_TOKEN, settings.DISCORD_API_BASE = env["DISCORD_TOKEN"], env["DISCORD_API_BASE"]
        discord_client._clients.clear()
        _register_ping(stack)
        _known_members(stack)
        kinds = {"ping": _ping, "event_going": _event_going(stack), "poll_vote": _poll_vote(stack)}
        figures = {
            kind: profile(
                stack,
                make,
                args.count,
                args.warmup,
                statements=args.statements,
                cprofile=f"{args.cprofile}-{kind}.prof" if args.cprofile else None,
            )
            for kind, make in kinds.items()
        }
    print(json.dumps(figures))
    return 0


def _register_ping(stack: Stack) -> None:
    """Register /muster ping as the gateway's command sync would (the sandbox injects only known commands)."""
    from bench.harness import BOT_TOKEN

    ping = {"type": 1, "name": "ping", "description": "Is Muster there?"}
    command = {"name": "muster", "description": "Muster", "options": [ping]}
    url = f"{stack.sandbox.url}/api/v10/applications/{APPLICATION_ID}/commands"
    httpx.put(url, json=[command], headers={"Authorization": f"Bot {BOT_TOKEN}"}).raise_for_status()


def _known_members(stack: Stack) -> None:
    from core import directory
    from core.models import Guild

    Guild.objects.update_or_create(id=stack.world.guild_id, defaults={"name": "Bench"})
    for number, member_id in enumerate(stack.world.member_ids):
        directory.member_seen(stack.world.guild_id, _user(member_id, number))


def _user(member_id: int, number: int) -> dict:
    return {"id": member_id, "username": f"member{number}", "roles": [], "permissions": 0}


def _ping(stack: Stack, number: int) -> dict:
    where = {"channel_id": stack.world.channel_id, "user_id": stack.world.member_ids[number]}
    ix = stack.control.inject_command("muster", subcommand="ping", **where)
    _defer(stack, ix, {"type": 5, "data": {"flags": 64}})
    return _payload(stack, ix, number, kind="command", command="muster ping")


def _event_going(stack: Stack):
    from datetime import timedelta

    from django.utils import timezone

    from core.models import Guild
    from events import services
    from events.discord.messages import RESPONSES
    from events.models import Registration

    now = timezone.now()
    draft = services.EventDraft(title="Bench event", starts_at=now + timedelta(days=7))
    guild = Guild.objects.get(id=stack.world.guild_id)
    event = services.create_event(guild, draft, now=now, channel_id=stack.world.channel_id)
    post = _post(stack, event.title)
    custom_id = RESPONSES[Registration.Status.GOING].build(event_id=event.id)
    return lambda stack, number: _click(stack, post, custom_id, number)


def _poll_vote(stack: Stack):
    from django.utils import timezone

    from core.models import Guild
    from polls import services
    from polls.discord.messages import VOTE

    guild = Guild.objects.get(id=stack.world.guild_id)
    draft = services.PollDraft("Bench poll", ["Yes", "No", "Maybe"])
    poll = services.create_poll(guild, draft, now=timezone.now(), channel_id=stack.world.channel_id)
    post = _post(stack, poll.question)
    option_id = poll.options.order_by("position").values_list("id", flat=True)[0]
    return lambda stack, number: _click(stack, post, VOTE.build(poll_id=poll.id, option_id=option_id), number)


def _post(stack: Stack, title: str) -> dict:
    """The event's or poll's post; with no worker running, this process delivers the outbox."""
    from bench.harness import find_post, wait_until
    from core import outbox
    from core.models import OutboundMessage

    for message_id in OutboundMessage.objects.filter(status="pending").values_list("id", flat=True):
        outbox.deliver(message_id)
    return wait_until(lambda: find_post(stack, title), timeout=30, what=f"the post of {title!r}")


def _click(stack: Stack, post: dict, custom_id: str, number: int) -> dict:
    member_id = stack.world.member_ids[number]
    ix = stack.control.inject_component(message_id=post["id"], custom_id=custom_id, user_id=member_id)
    _defer(stack, ix, {"type": 6})
    return _payload(stack, ix, number, kind="component", custom_id=custom_id, message_id=int(post["id"]))


def _defer(stack: Stack, ix: dict, body: dict) -> None:
    """What the gateway does before it publishes: answer Discord's callback."""
    callback = f"{stack.sandbox.url}/api/v10/interactions/{ix['id']}/{ix['token']}/callback"
    httpx.post(callback, json=body).raise_for_status()


def _payload(stack: Stack, ix: dict, number: int, **fields) -> dict:
    return {
        "id": int(ix["id"]),
        "token": ix["token"],
        "application_id": APPLICATION_ID,
        "guild_id": stack.world.guild_id,
        "guild_name": "Bench",
        "channel_id": stack.world.channel_id,
        "member": _user(stack.world.member_ids[number], number),
        "created_at": time.time(),
        "acked_at": time.time(),
        **fields,
    }


def profile(
    stack: Stack, make, count: int, warmup: int, *, statements: bool = False, cprofile: str | None = None
) -> dict:
    """Per-interaction figures of ``count`` interactions made by ``make(stack, number)``.

    With ``cprofile`` (a file name) the measured calls also run under cProfile timing CPU, whose stats
    go to that file (``python -m pstats FILE``); the CPU figures then include its overhead.
    """
    import cProfile

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.interactions import dispatcher
    from core.redis import get_redis

    redis = get_redis()
    payloads = [make(stack, number) for number in range(count + warmup)]
    for payload in payloads[:warmup]:
        dispatcher.handle(payload)
    log(f"profiling {count} interactions of {make.__name__ if hasattr(make, '__name__') else 'a kind'}")
    commands_before, http_before = _redis_commands(redis), _http_calls(stack)
    queries, control, cpu, wall, last = [], [], [], [], []
    profiler = cProfile.Profile(time.process_time) if cprofile else None  # CPU, not waiting
    for payload in payloads[warmup:]:
        with CaptureQueriesContext(connection) as captured:
            started_cpu, started = time.process_time(), time.perf_counter()
            if profiler is None:
                dispatcher.handle(payload)
            else:
                profiler.runcall(dispatcher.handle, payload)
            cpu.append((time.process_time() - started_cpu) * 1000)
            wall.append((time.perf_counter() - started) * 1000)
        last = [query["sql"] for query in captured.captured_queries]
        upper = [sql.lstrip().upper() for sql in last]
        queries.append(len(upper))
        control.append(sum(statement.startswith(TRANSACTION_CONTROL) for statement in upper))
    if profiler is not None:
        profiler.dump_stats(cprofile)
    from core.interactions.dispatcher import log_id
    from core.models import CommandLog

    measured = [dispatcher.Interaction.from_payload(payload) for payload in payloads[warmup:]]
    keys = [log_id(ix, redacted=False) for ix in measured]
    outcomes = Counter(CommandLog.objects.filter(pk__in=keys).values_list("outcome", flat=True))
    commands = _redis_commands(redis) - commands_before
    commands.pop("info", None)
    http = _http_calls(stack) - http_before
    figures = {
        "outcomes": dict(outcomes),  # every interaction should be "ok": else the figures are of refusals
        "queries": round(statistics.mean(queries), 2),
        "transaction_control": round(statistics.mean(control), 2),
        "redis_commands": round(sum(commands.values()) / count, 2),
        "redis_by_command": {name: round(n / count, 2) for name, n in sorted(commands.items())},
        "http_calls": round(sum(http.values()) / count, 2),
        "http_by_route": {route: round(n / count, 2) for route, n in sorted(http.items())},
        "cpu_ms_p50": round(statistics.median(cpu), 2),
        "cpu_ms_mean": round(statistics.mean(cpu), 2),
        "wall_ms_p50": round(statistics.median(wall), 2),
    }
    if statements:  # the last interaction's, in order, shortened: what each round trip is
        figures["statements"] = [sql if len(sql) <= 160 else f"{sql[:157]}..." for sql in last]
    return figures


def _redis_commands(redis) -> Counter:
    stats = redis.info("commandstats")
    return Counter({name.removeprefix("cmdstat_"): int(entry["calls"]) for name, entry in stats.items()})


def _http_calls(stack: Stack) -> Counter:
    requests = stack.control.stats()["rest"]["requests"]
    return Counter({route: n for route, n in requests.items() if "/callback" not in route})
