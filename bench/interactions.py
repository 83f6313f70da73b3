"""``python -m bench interactions --count N --rate R``: slash commands end to end.

N ``/muster ping`` interactions are injected into the Discord sandbox at R per second;
the gateway defers each and publishes it, workers answer by editing the response. Times
are the sandbox's own: INTERACTION_CREATE sent → initial response (ack), → final edit
(e2e). ``ceiling_tasks_per_s`` is the throughput of a no-op task on the same broker and
workers in the same run: what the pipeline could reach if handlers cost nothing;
``throughput_ratio`` is ``completed_per_s`` over it (meaningful with ``--rate max``, which
injects from several threads as fast as the sandbox takes them: saturation).
``injected_per_s`` is the rate the sandbox created them at (below R, the machine could
not inject faster: the other figures are then of that rate).
``cpu_s`` is what each part of the stack used from the first injection to the last answer
(CPU seconds: workers, gateway or web, postgres, redis, the sandbox, the bench's own
injecting), and ``cpu_ms_per_interaction`` their sum per answered interaction.
``worker_nice`` is the priority the workers ran at (WORKER_NICE), as compose runs them.
``answered`` counts the interactions whose answer was shown (the run exits 1 when that is
fewer than N; times are over those), ``deadline_missed`` the ones the sandbox failed
(acknowledged too late, or in HTTP mode answered wrongly).
"""

from __future__ import annotations

import argparse
import json
import time

from bench.harness import MODES, Stack, cpu_used, log, percentile, wait_for_growth, wait_until


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench interactions")
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--rate", type=_rate, default=50.0, help="interactions injected per second, or max")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument(
        "--mode", choices=MODES, default="gateway", help="how interactions arrive (http: web processes)"
    )
    args = parser.parse_args(argv)

    with Stack(workers=args.workers, concurrency=args.concurrency, gateway=True, mode=args.mode) as stack:
        from django.conf import settings

        from core.models import CommandLog

        cpu_before = stack.cpu_seconds()
        ids = inject(stack, args.count, args.rate)
        answered = CommandLog.objects.filter(answered_at__isnull=False)
        got = wait_for_growth(answered.count, args.count, stall_s=20)
        if got < args.count:
            log(f"only {got} of {args.count} answered; nothing more for 20 s")
        cpu = cpu_used(cpu_before, stack.cpu_seconds())  # before the no-op ceiling's run
        acks, e2es, created, edited, injected = [], [], [], [], []
        for interaction_id in ids:
            data = stack.control.interaction(interaction_id)
            injected.append(data["created"]["monotonic"])
            history = (data.get("original") or {}).get("history") or []
            if not history or not data.get("response"):
                continue  # never shown: counted in deadline_missed (or not answered at all)
            start = data["created"]["monotonic"]
            done = history[0]["replaced_at"]["monotonic"]
            acks.append((data["response"]["at"]["monotonic"] - start) * 1000)
            e2es.append((done - start) * 1000)
            created.append(start)
            edited.append(done)
        interactions = stack.control.stats()["interactions"]
        ceiling = noop_ceiling(stack, max(args.count, 1000))
    completed_per_s = len(edited) / (max(edited) - min(created))
    figures = {
        "mode": args.mode,
        "count": args.count,
        "rate": args.rate or "max",
        "injected_per_s": round((len(injected) - 1) / max(max(injected) - min(injected), 1e-9), 2),
        "workers": args.workers,
        "concurrency": args.concurrency,
        "worker_nice": settings.WORKER_NICE,
        "answered": len(edited),
        "deadline_missed": interactions["deadline_missed"],
        "ack_p50_ms": round(percentile(acks, 0.50), 1),
        "ack_p99_ms": round(percentile(acks, 0.99), 1),
        "e2e_p50_ms": round(percentile(e2es, 0.50), 1),
        "e2e_p99_ms": round(percentile(e2es, 0.99), 1),
        "completed_per_s": round(completed_per_s, 2),
        "ceiling_tasks_per_s": round(ceiling, 2),
        "throughput_ratio": round(completed_per_s / ceiling, 3),
        "cpu_s": cpu,
        "cpu_ms_per_interaction": round(1000 * sum(cpu.values()) / max(len(edited), 1), 2),
    }
    print(json.dumps(figures))
    return 0 if len(edited) == args.count else 1


def _rate(text: str) -> float:
    """``--rate``: a number per second, or ``max`` (0: no pacing, several injecting threads)."""
    return 0.0 if text == "max" else float(text)


def inject(stack: Stack, count: int, rate: float, threads: int = 4) -> list[str]:
    """Inject ``count`` /muster ping commands, paced at ``rate`` per second (0: as fast as possible).

    Several threads share the pacing (interaction n is due at n / rate), so the sandbox's
    round trip per injection does not cap the rate; ``injected_per_s`` says what it was.
    """
    log(f"injecting {count} interactions at {rate or 'max'}/s")
    where = {"channel_id": stack.world.channel_id, "user_id": stack.world.member_ids[0]}
    if not rate:
        return inject_at_once(stack, count, where)
    import threading

    from sandbox.discord.control import DiscordControl

    ids: list[str | None] = [None] * count
    start = time.monotonic()

    def paced(first: int) -> None:
        control = DiscordControl(stack.sandbox.url)
        for number in range(first, count, threads):
            delay = start + number / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            ids[number] = control.inject_command("muster", subcommand="ping", **where)["id"]

    injecting = [threading.Thread(target=paced, args=(first,)) for first in range(threads)]
    for thread in injecting:
        thread.start()
    for thread in injecting:
        thread.join()
    return ids


def inject_at_once(stack: Stack, count: int, where: dict, threads: int = 8) -> list[str]:
    """Inject ``count`` commands from ``threads`` threads, unpaced; their ids in order."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from sandbox.discord.control import DiscordControl

    local = threading.local()

    def one(_: int) -> str:
        if not hasattr(local, "control"):
            local.control = DiscordControl(stack.sandbox.url)
        return local.control.inject_command("muster", subcommand="ping", **where)["id"]

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(one, range(count)))


def noop_ceiling(stack: Stack, count: int) -> float:
    """No-op tasks per second through the same broker and workers (queue "interactions")."""
    from core.redis import get_redis
    from devtools.tasks import bench_noop

    key = "bench:noop"
    redis = get_redis()
    redis.delete(key)
    started = time.monotonic()
    for _ in range(count):
        bench_noop.apply_async((key,), queue="interactions")
    wait_until(lambda: int(redis.get(key) or 0) >= count, timeout=120, what="no-op tasks")
    return count / (time.monotonic() - started)
