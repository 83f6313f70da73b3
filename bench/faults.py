"""``python -m bench faults [--seconds N] [--rate R]``: nothing lost, nothing doubled, under faults.

The whole stack runs (the Discord sandbox, the gateway, two workers, beat, PostgreSQL and a
Redis that keeps an append-only file, as compose's does) under a steady load of R actions
per second, in turn: a member clicks Going on an event, another clicks Can't go, a member
votes in a poll, and a DM is written to the outbox. Each fault gets a phase of N seconds of
that load, with its own event and poll, and is injected a quarter into its phase; after
each phase the bench waits (at most ``GAP_S``) for its clicks to be carried out and answered,
and starts again any worker that exited (as compose's restart policy does):

- ``none``: no fault (the control);
- ``worker_sigkill``: answers and DMs to Discord are held for a second, so one worker's pool
  is certainly mid-task, and every pool process is SIGKILLed (Celery requeues what they held:
  acks late, reject on worker lost);
- ``gateway_resume``: the sandbox cuts the gateway's websocket and holds new sockets for a
  second; discord.py RESUMEs and the sandbox replays what was dispatched meanwhile;
- ``discord_5xx``: Discord answers 5xx to channel messages, webhooks and DM channels;
- ``ratelimit_global``, ``ratelimit_route``, ``ratelimit_shared``: injected 429s of each scope;
- ``deadline_missed``: for a while Discord refuses every initial response as too late
  (10062 Unknown interaction): those clicks were never acknowledged;
- ``dm_closed``: a member closes their DMs; every other DM of the phase is theirs;
- ``redis_restart``, ``postgres_restart``: the server stops (SIGTERM; PostgreSQL's fast
  shutdown, which cuts open connections), stays down ``DOWN_S`` and starts again.

An *effect* is a registration with the clicked status, a vote for the clicked option, a DM
delivered. It is *expected* when the member was told it was taken: a click Discord
accepted the deferral of and that Muster did not then answer "cannot take requests", a DM
the outbox committed (to a member whose DMs are open). A click answered "could not
confirm" is ``uncertain``: neither expected nor counted as lost. Per fault: ``lost``
(expected, never seen), ``doubled`` (a DM delivered twice, two votes of one member in a
single-choice poll, two registrations), ``recovered_s`` (from the injection to the last
action of the phase that was refused, lost or took longer than ``PROMPT_S``; 0 if none,
null if the phase ended before it recovered). ``answers_doubled`` counts clicks answered
with more than one follow-up message. Sandbox limits for messages and DM channels are
raised so that the bench measures the faults, not the buckets.

Clicks enter only through the sandbox (``click``): the gateway builds and publishes every
interaction payload, as in production.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bench.harness import Stack, find_post, log, wait_until

# The restarts come last: a killed worker's rate-limit probe holds its bucket for 15 s
# (core.discord_api.ratelimit.PROBE_TTL_MS), and the phases between let that pass first.
FAULTS = (
    "none",
    "worker_sigkill",
    "gateway_resume",
    "discord_5xx",
    "ratelimit_global",
    "ratelimit_route",
    "ratelimit_shared",
    "deadline_missed",
    "dm_closed",
    "redis_restart",
    "postgres_restart",
)
KINDS = ("going", "declined", "vote", "dm")
CLICKS = ("going", "declined", "vote")
DOWN_S = 1.5  # how long Redis and PostgreSQL stay down
FAULT_S = 1.5  # how long 5xx bursts, held sockets and missed deadlines last
PROMPT_S = 2.0  # an action whose effect took longer than this was still feeling the fault
SUMMED = ("expected", "seen", "lost", "doubled", "answers_missing")  # reported outside "detail"
GAP_S = 10.0  # at most this long (or twice a phase) between phases for its clicks to take effect
BEGAN = time.monotonic()
ROUTES = {"messages:create": (100, 1.0), "messages:edit": (100, 1.0), "dm_channels": (100, 1.0)}


@dataclass
class Item:
    """One action of the load: a click (``interaction_id``) or a DM (``key``)."""

    phase: str
    kind: str
    number: int
    member_id: int
    at: float  # monotonic, when it was injected or enqueued
    target: int = 0  # the option clicked, for a vote
    interaction_id: str | None = None
    key: str = ""
    error: str = ""


@dataclass
class Phase:
    name: str
    event_id: int
    event_message_id: str
    poll_id: int
    poll_message_id: str
    option_ids: list[int]
    injected: dict = field(default_factory=dict)
    fault_at: float | None = None
    items: list[Item] = field(default_factory=list)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench faults")
    parser.add_argument("--seconds", type=float, default=12.0, help="seconds of load per fault")
    parser.add_argument("--rate", type=float, default=10.0, help="actions per second (clicks, votes, DMs)")
    parser.add_argument("--faults", default=",".join(FAULTS), help="comma-separated subset (run in the default order)")
    parser.add_argument("--settle", type=float, default=90.0, help="most seconds to wait for late effects")
    args = parser.parse_args(argv)
    chosen = {name.strip() for name in args.faults.split(",") if name.strip()}
    unknown = sorted(chosen - set(FAULTS))
    faults = [name for name in FAULTS if name in chosen]  # FAULTS' order, each once
    if unknown or not faults:
        parser.error(f"unknown fault {unknown[0] if unknown else '(none given)'}; choose from {','.join(FAULTS)}")
    if args.seconds <= 0 or args.rate <= 0 or args.seconds * args.rate > 2000 or args.rate > 100:
        parser.error("--seconds and --rate must be positive, --rate at most 100, at most 2000 actions per fault")

    longest = max(phase_seconds(name, args.seconds) for name in faults)
    per_kind = math.ceil(longest * args.rate / len(KINDS))
    members = 2 * per_kind + 1  # Going and Can't go by different members; the last one closes its DMs
    global BEGAN
    BEGAN = time.monotonic()
    log(f"starting the stack with {members} members; {len(faults)} faults, {args.seconds:g} s each at {args.rate:g}/s")
    stack = Stack(workers=2, concurrency=4, members=members, beat=True, route_limits=ROUTES)
    with stack:
        phases = prepare(stack, faults)
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=8) as pool:
            for phase in phases:
                run_phase(stack, phase, pool, args.seconds, args.rate)
        log(f"load done in {time.monotonic() - started:.0f} s; waiting for late effects")
        settle(stack, phases, args.settle)
        log(f"settled at {time.monotonic() - BEGAN:.1f} s")
        report = {phase.name: measure(stack, phase) for phase in phases}
    figures = {"faults": report, "total": total(report), "seconds": args.seconds, "rate": args.rate}
    print(json.dumps(figures))
    return 0 if figures["total"]["lost"] == 0 and figures["total"]["doubled"] == 0 else 1


# --- the world ---------------------------------------------------------------------------------


def prepare(stack: Stack, names: list[str]) -> list[Phase]:
    """An event and a poll for each phase, posted in the bench channel."""
    from datetime import timedelta

    from django.utils import timezone

    from core.models import Guild
    from events import services as events
    from polls import services as polls

    guild, _ = Guild.objects.get_or_create(id=stack.world.guild_id, defaults={"name": "Bench"})
    now = timezone.now()
    made = []
    for name in names:
        title = f"Faults {name}"
        draft = events.EventDraft(title=title, starts_at=now + timedelta(days=1))
        event = events.create_event(guild, draft, now=now, channel_id=stack.world.channel_id)
        question = polls.PollDraft(f"{title}?", ["Yes", "No", "Maybe"])
        poll = polls.create_poll(guild, question, now=now, channel_id=stack.world.channel_id)
        made.append((name, title, event, poll))
    phases = []
    for name, title, event, poll in made:
        event_post = wait_until(lambda t=title: find_post(stack, t), timeout=30, what=f"the {name} event post")
        poll_post = wait_until(lambda t=title: find_post(stack, f"{t}?"), timeout=30, what=f"the {name} poll post")
        options = list(poll.options.order_by("position").values_list("id", flat=True))
        phases.append(Phase(name, event.id, event_post["id"], poll.id, poll_post["id"], options))
    return phases


# --- the load ----------------------------------------------------------------------------------

_local = threading.local()


def click(stack: Stack, message_id: str, custom_id: str, member_id: int) -> str:
    """A member clicks a button in Discord: the only way the bench's clicks enter Muster."""
    from sandbox.discord.control import DiscordControl

    if not hasattr(_local, "control"):
        _local.control = DiscordControl(stack.sandbox.url)
    return _local.control.inject_component(message_id=message_id, custom_id=custom_id, user_id=member_id)["id"]


def dm_text(item: Item) -> str:
    return f"bench faults: {item.phase} DM {item.number}"


def act(stack: Stack, phase: Phase, item: Item) -> None:
    """Carry out one action of the load; a failure to inject is recorded, never raised."""
    from events.discord.messages import RESPONSES
    from polls.discord.messages import VOTE

    try:
        if item.kind == "dm":
            enqueue_dm(item)
        elif item.kind == "vote":
            custom_id = VOTE.build(poll_id=phase.poll_id, option_id=item.target)
            item.interaction_id = click(stack, phase.poll_message_id, custom_id, item.member_id)
        else:
            custom_id = RESPONSES[item.kind].build(event_id=phase.event_id)
            item.interaction_id = click(stack, phase.event_message_id, custom_id, item.member_id)
    except Exception as exc:  # a broker or database that is down: the action was refused
        item.error = f"{type(exc).__name__}: {exc}"[:200]


def enqueue_dm(item: Item) -> None:
    """Write a DM to the outbox, as a service does. Whether it counts is read back from the
    database: a commit whose on-commit publish failed (Redis down) still holds the row,
    which beat's outbox sweep delivers."""
    from django.db import close_old_connections, transaction

    from core import outbox

    close_old_connections()  # drop a connection PostgreSQL's restart broke
    with transaction.atomic():
        outbox.enqueue(key=item.key, member_id=item.member_id, payload={"content": dm_text(item)})


def plan(stack: Stack, phase: Phase, number: int, at: float) -> Item:
    """Which action comes ``number``-th in a phase: kinds in turn, each member once per kind."""
    kind, index = KINDS[number % len(KINDS)], number // len(KINDS)
    people = stack.world.member_ids[:-1]
    closed = stack.world.member_ids[-1]
    item = Item(phase.name, kind, number, people[index], at)
    if kind == "declined":
        item.member_id = people[len(people) // 2 + index]
    elif kind == "vote":
        item.target = phase.option_ids[index % len(phase.option_ids)]
    elif kind == "dm":
        item.member_id = closed if phase.name == "dm_closed" and index % 2 else people[index % len(people)]
        item.key = f"bench-faults:{phase.name}:{number}"
    return item


def phase_seconds(name: str, seconds: float) -> float:
    """How long a phase's load lasts: a restart's phase has load on both sides of the outage."""
    return max(seconds, 4 * (DOWN_S + 1.0) / 3) if name.endswith("_restart") else seconds


def run_phase(stack: Stack, phase: Phase, pool: ThreadPoolExecutor, seconds: float, rate: float) -> None:
    log(f"phase {phase.name} at {time.monotonic() - BEGAN:.1f} s")
    seconds = phase_seconds(phase.name, seconds)
    start = time.monotonic()
    injector = threading.Thread(target=_inject_at, args=(stack, phase, start + seconds / 4), daemon=True)
    injector.start()
    pending = []
    for number in range(int(seconds * rate)):
        at = start + number / rate
        time.sleep(max(0.0, at - time.monotonic()))
        item = plan(stack, phase, number, time.monotonic())
        phase.items.append(item)
        pending.append(pool.submit(act, stack, phase, item))
    injector.join(timeout=60)
    for future in pending:
        future.result()
    quiesce(stack, phase, min(GAP_S, 2 * seconds))
    restarted = supervise(stack)
    if restarted:
        phase.injected["workers_restarted"] = restarted


def quiesce(stack: Stack, phase: Phase, timeout: float) -> None:
    """Let the phase's accepted clicks take effect and be answered (at most ``timeout`` s), so
    that faults come one after another rather than on top of each other."""
    from django.db import close_old_connections

    deadline = time.monotonic() + timeout
    time.sleep(0.5)
    while time.monotonic() < deadline:
        close_old_connections()
        clicks = [item for item in phase.items if item.interaction_id]
        records = [stack.control.interaction(item.interaction_id) for item in clicks]
        answered = all(record["followups"] for record in records if record["response"] is not None)
        accepted = [item for item, record in zip(clicks, records, strict=True) if record["response"]]
        if answered and all(map(Effects(phase), accepted)):
            return
        time.sleep(0.5)


def supervise(stack: Stack) -> list[str]:
    """Start again any worker that exited, as compose's ``restart: unless-stopped`` does."""
    restarted = {}
    for hostname, worker in list(stack.worker_processes.items()):
        if worker.process.poll() is not None:
            log(f"worker {hostname} exited ({worker.process.returncode}); starting it again")
            worker.stop()
            stack.worker_processes[hostname] = restarted[hostname] = stack.start_worker(hostname)
    for replacement in restarted.values():
        replacement.wait_for_output(r"ready\.", timeout=60)
    return list(restarted)


def _inject_at(stack: Stack, phase: Phase, at: float) -> None:
    time.sleep(max(0.0, at - time.monotonic()))
    phase.fault_at = time.monotonic()
    try:
        phase.injected = inject(stack, phase.name)
    except Exception as exc:
        phase.injected = {"kind": phase.name, "error": f"{type(exc).__name__}: {exc}"}
    log(f"injected {phase.injected}")


def inject(stack: Stack, name: str) -> dict:
    """Inject one fault; what was done, for the report."""
    control = stack.control
    if name == "none":
        return {"kind": name}
    if name == "worker_sigkill":
        # Answers and DMs hang for a moment, so the pool is certainly mid-task (after the
        # handler's commit, before the answer is recorded; an outbox row claimed as "sending").
        control.inject_fault("delay", "/webhooks/*", delay_s=1.0, duration_s=FAULT_S)
        control.inject_fault("delay", "/channels/*/messages", method="POST", delay_s=1.0, duration_s=FAULT_S)
        time.sleep(0.8)
        worker = stack.worker_processes["bench0"]
        children = child_pids(worker.process.pid)
        for pid in children:
            os.kill(pid, signal.SIGKILL)
        return {"kind": name, "worker": "bench0", "pool_processes_killed": len(children), "answers_delayed_s": 1.0}
    if name == "redis_restart":
        stack.restart_redis(DOWN_S)
        return {"kind": name, "down_s": DOWN_S}
    if name == "postgres_restart":
        stack.restart_postgres(DOWN_S)
        return {"kind": name, "down_s": DOWN_S}
    if name == "gateway_resume":
        before = control.stats()["gateway"]
        dropped = control.drop_gateway(code=None, hold_s=FAULT_S)
        deadline = time.monotonic() + FAULT_S + 10
        resumes = 0
        while not resumes and time.monotonic() < deadline:
            time.sleep(0.2)
            resumes = _counter(control.stats()["gateway"], "resumes") - _counter(before, "resumes")
        return {"kind": name, "sockets_dropped": dropped, "hold_s": FAULT_S, "resumes": resumes}
    if name == "discord_5xx":
        for path, status in (("/channels/*/messages*", 503), ("/webhooks/*", 500), ("/users/@me/channels", 502)):
            control.inject_fault("error", path, status=status, duration_s=FAULT_S)
        return {"kind": name, "statuses": [503, 500, 502], "duration_s": FAULT_S}
    if name.startswith("ratelimit_"):
        scope = name.removeprefix("ratelimit_")
        scope = "user" if scope == "route" else scope
        path = "/*" if scope == "global" else "/channels/*"
        control.inject_fault("ratelimit", path, count=10, retry_after=1.0, scope=scope, is_global=scope == "global")
        if scope != "global":
            control.inject_fault("ratelimit", "/webhooks/*", count=10, retry_after=1.0, scope=scope)
        return {"kind": name, "scope": scope, "count": 10 if scope == "global" else 20, "retry_after_s": 1.0}
    if name == "deadline_missed":
        control.configure(interaction_deadline_s=0.0)
        time.sleep(FAULT_S)
        control.configure(interaction_deadline_s=3.0)
        return {"kind": name, "duration_s": FAULT_S}
    if name == "dm_closed":
        member_id = stack.world.member_ids[-1]
        control.set_dms_open(member_id, False)
        return {"kind": name, "member_id": member_id}
    raise ValueError(name)


def _counter(gateway_stats: dict, name: str) -> int:
    counters = gateway_stats.get("counters", gateway_stats)
    return int(counters.get(name, 0))


def child_pids(parent: int) -> list[int]:
    """The processes whose parent is ``parent`` (a Celery worker's pool)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
            pids.append(int(entry.name))
    return pids


# --- reading back ------------------------------------------------------------------------------


def settle(stack: Stack, phases: list[Phase], timeout: float) -> None:
    """Wait until every click Discord accepted has its effect and no DM is pending or sending;
    or until no task is queued or held and the missing count did not change in a second; or
    nothing changed for 20 s (or half of ``timeout``); at most ``timeout`` seconds."""
    from django.db import close_old_connections

    from core.models import OutboundMessage

    time.sleep(3)  # the gateway's last deferrals and "cannot take requests" answers
    accepted = {}
    for phase in phases:
        for item in phase.items:
            if item.interaction_id:
                record = stack.control.interaction(item.interaction_id)
                if record["response"] is not None:
                    accepted[item.interaction_id] = (phase, item)
    from datetime import timedelta

    from django.db.models import Q
    from django.utils import timezone

    # DMs still on their way: pending (a retry, or beat's sweep of a lost on-commit task), or
    # being sent right now. A row left in "sending" by a failed task waits for the outbox's
    # 5-minute stale reset, beyond the bench: it is not waited for (and shows as lost).
    bench_dms = OutboundMessage.objects.filter(idempotency_key__startswith="bench-faults:")

    def open_dms():
        recent = timezone.now() - timedelta(seconds=10)
        return bench_dms.filter(Q(status="pending") | Q(status="sending", updated_at__gte=recent))

    def missing() -> int:
        close_old_connections()  # the connection PostgreSQL's restart broke is replaced
        by_phase = {phase.name: Effects(phase) for phase in phases}
        clicks = sum(1 for phase, item in accepted.values() if not by_phase[phase.name](item))
        return clicks + open_dms().count()

    deadline, last, changed_at = time.monotonic() + timeout, None, time.monotonic()
    while time.monotonic() < deadline:
        supervise(stack)
        now = missing()
        if now == 0 or (now == last and not open_dms().exists() and broker_idle()):
            break  # done, or nothing left that could still bring an effect
        if now != last:
            last, changed_at = now, time.monotonic()
        elif time.monotonic() - changed_at > min(20.0, timeout / 2):
            break
        time.sleep(1.0)
    if last:
        log(f"{last} effects still missing after waiting")


def broker_idle() -> bool:
    """No task waits in any queue and none is held by a worker (Redis's ``unacked`` hash).

    Tasks a dead worker held stay in ``unacked`` until the visibility timeout, so this also
    waits for them."""
    from config.queues import MUSTER_QUEUES
    from core.redis import get_redis

    redis = get_redis()
    try:
        return not redis.hlen("unacked") and not any(redis.llen(queue) for queue in MUSTER_QUEUES)
    except Exception:
        return False


class Effects:
    """What the database holds for a phase: registrations by member, votes by voter."""

    def __init__(self, phase: Phase) -> None:
        from events.models import Registration
        from polls.models import Poll, Vote
        from polls.services import voter_key

        rows = Registration.objects.filter(event_id=phase.event_id).values_list("member_id", "status")
        self.statuses = dict(rows)
        self.poll = Poll.objects.get(id=phase.poll_id)
        self.votes: dict[str, list[int]] = {}
        for voter, option_id in Vote.objects.filter(poll=self.poll).values_list("voter", "option_id"):
            self.votes.setdefault(voter, []).append(option_id)
        self._voter_key = voter_key

    def __call__(self, item: Item) -> bool:
        """Whether a click's effect is there: the status it chose, or a vote for its option."""
        if item.kind == "vote":
            return item.target in self.votes.get(self._voter_key(self.poll, item.member_id), [])
        return self.statuses.get(item.member_id) == item.kind


def measure(stack: Stack, phase: Phase) -> dict:
    """The phase's figures (see the module's docstring)."""
    from django.db import close_old_connections
    from django.db.models import Count

    from core.interactions.dispatcher import ERROR_MESSAGE
    from core.models import Member, OutboundMessage
    from discord_gateway.forwarding import UNAVAILABLE, UNCONFIRMED
    from events.models import Registration

    failed = ERROR_MESSAGE.split("{")[0]

    close_old_connections()
    seen_in_db = Effects(phase)
    rows = dict(
        OutboundMessage.objects.filter(idempotency_key__startswith=f"bench-faults:{phase.name}:").values_list(
            "idempotency_key", "status"
        )
    )
    closed = set(Member.objects.filter(dms_closed_at__isnull=False).values_list("id", flat=True))
    dms: dict[int, list[dict]] = {}
    outcome = Counter()
    late = []  # (injected at, fine?) for the recovery time
    answers_doubled = 0
    for item in phase.items:
        expected, seen, count, effect_at = False, False, 0, None
        if item.kind == "dm":
            if item.member_id not in dms:
                dms[item.member_id] = stack.control.dms(item.member_id)
            delivered = [m for m in dms[item.member_id] if m["content"] == dm_text(item)]
            count = len(delivered)
            seen = count > 0
            effect_at = delivered[0]["created"]["monotonic"] if delivered else None
            if item.key not in rows:
                outcome["dm_not_committed"] += 1
            elif item.member_id in closed and rows[item.key] == "undeliverable":
                outcome["dm_refused_closed"] += 1
            else:
                expected = True
            if rows.get(item.key) in ("pending", "sending"):
                outcome["dm_unsettled"] += 1
        elif item.interaction_id:
            record = stack.control.interaction(item.interaction_id)
            texts = [f["content"] for f in record["followups"]]
            seen = seen_in_db(item)
            count = int(seen)
            if record["response"] is None:
                outcome["click_refused_by_discord"] += 1
            elif UNAVAILABLE in texts:
                outcome["click_told_unavailable"] += 1
            elif UNCONFIRMED in texts:
                outcome["click_uncertain"] += 1
            elif any(text.startswith(failed) for text in texts):
                outcome["click_answered_error"] += 1  # "Something went wrong ...": told it failed
            else:
                expected = True
                outcome["clicks_acknowledged"] += 1
                answers = [f for f in record["followups"] if f["content"] not in (UNAVAILABLE, UNCONFIRMED)]
                answers_doubled += len(answers) > 1
                outcome["answers_missing"] += not answers
                if not answers:
                    log(f"unanswered in {phase.name}: {describe_lost(item)}")
                effect_at = answers[0]["created"]["monotonic"] if answers and seen else None
        else:
            outcome["click_not_injected"] += 1
        outcome["expected"] += expected
        outcome["seen"] += seen
        outcome["lost"] += expected and not seen
        if expected and not seen:
            outcome[f"lost_{item.kind}"] += 1
            log(f"lost in {phase.name}: {describe_lost(item)}")
        outcome["unacknowledged_seen"] += seen and not expected
        outcome["doubled"] += max(0, count - 1)
        if phase.fault_at is not None and item.at >= phase.fault_at and not (item.kind == "dm" and not expected):
            fine = expected and seen and effect_at is not None and effect_at - item.at <= PROMPT_S
            late.append((item.at, fine))
    # Two votes of one member in a single-choice poll, two registrations of one member.
    outcome["doubled"] += sum(len(options) - 1 for options in seen_in_db.votes.values())
    per_member = Registration.objects.filter(event_id=phase.event_id).values("member_id").annotate(n=Count("id"))
    outcome["doubled"] += sum(row["n"] - 1 for row in per_member)
    redelivered = _redelivered(phase)
    return {
        "injected": phase.injected,
        "clicks_acknowledged": outcome["clicks_acknowledged"],
        "effects_expected": outcome["expected"],
        "effects_seen": outcome["seen"],
        "lost": outcome["lost"],
        "doubled": outcome["doubled"],
        "recovered_s": recovered_s(late, phase.fault_at),
        "answers_doubled": answers_doubled,
        "answers_missing": outcome["answers_missing"],
        "redelivered_interactions": redelivered,
        "detail": {k: v for k, v in sorted(outcome.items()) if k not in SUMMED},
    }


def describe_lost(item: Item) -> str:
    """What Muster recorded of an action whose effect never came: for the report's causes."""
    from core.models import CommandLog, OutboundMessage

    if item.kind == "dm":
        row = OutboundMessage.objects.filter(idempotency_key=item.key).values("status", "attempts", "last_error")
        return f"DM {item.key}: outbox {row.first()}"
    entry = CommandLog.objects.filter(pk=int(item.interaction_id)).values("outcome", "attempts", "answered_at")
    return f"{item.kind} click {item.interaction_id} at {item.at:.2f}: command log {entry.first()}"


def _redelivered(phase: Phase) -> int:
    """Interactions of the phase a worker received more than once (a killed worker's, retries)."""
    from core.models import CommandLog

    ids = [int(item.interaction_id) for item in phase.items if item.interaction_id]
    return CommandLog.objects.filter(pk__in=ids, attempts__gt=1).count()


def recovered_s(actions: list[tuple[float, bool]], fault_at: float | None) -> float | None:
    """Seconds from the injection to the last action after it that was not fine; None when
    the phase's very last action still was not."""
    if fault_at is None or not actions:
        return 0.0 if fault_at is not None else None
    actions.sort()
    bad = [at for at, fine in actions if not fine]
    if not bad:
        return 0.0
    if not actions[-1][1]:
        return None
    return round(bad[-1] - fault_at, 1)


def total(report: dict) -> dict:
    keys = ("clicks_acknowledged", "effects_expected", "effects_seen", "lost", "doubled")
    keys += ("answers_doubled", "answers_missing")
    summed = {key: sum(figures[key] for figures in report.values()) for key in keys}
    times = [figures["recovered_s"] for figures in report.values()]
    summed["recovered_s"] = None if None in times else max(times, default=0.0)
    return summed
