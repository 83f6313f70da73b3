"""``python -m bench jira --members 1000 --issues 20000``: one site's poll cycles at scale.

A Jira stand-in (in this process, on 127.0.0.1) with ``--issues`` issues among
``--members`` people, each linked to a Discord member of the sandbox guild (live delivery,
no quiet hours, due soon 7 days ahead, so reminders go out at once). A real worker runs
the site's poll task, the test plays beat:

1. the first cycle (every member new: silent seeding, plus the due sweep, whose due-soon
   and overdue reminders are DMed);
2. ``--reassign`` issues reassigned to linked members in the stand-in, then a steady
   cycle: ``updated >= -Nm`` per chunk of 100 members, the newly assigned DMed;
3. the same cycle again: nothing new, nothing sent twice.

Prints ``members``, ``issues``, ``requests_per_cycle`` (the steady cycle: chunks + pages;
a naive poll is one request per member), ``seed_requests``, ``cycle_s`` (the steady cycle,
from queueing to its commit), ``seed_cycle_s``, ``reminders_sent`` (reminders in delivered
DMs), ``dms``, ``duplicates`` (DMs Discord received beyond one per outbox key) and
``writes`` (requests the stand-in refused as writes: 0).
"""

from __future__ import annotations

import argparse
import json
import time

from bench.harness import Stack, log, wait_until

TOKEN_ENV = "JIRA_BENCH_TOKEN"  # noqa: S105 - a variable's name
API_USER, API_TOKEN = "muster@example.org", "bench-jira-token"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench jira")
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--issues", type=int, default=20000)
    parser.add_argument("--reassign", type=int, default=50, help="issues reassigned before the steady cycle")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)

    from sandbox.jira import create_app
    from sandbox.jira.control import JiraControl
    from sandbox.runner import ServerThread

    log(f"seeding a Jira stand-in: {args.issues} issues among {args.members} people")
    jira_server = ServerThread(create_app(user=API_USER, token=API_TOKEN, issues=args.issues, users=args.members))
    jira_server.start()
    jira = JiraControl(jira_server.url)
    env = {TOKEN_ENV: API_TOKEN}
    try:
        with Stack(args.workers, 4, gateway=False, members=args.members, env=env) as stack:
            figures = run(stack, jira, jira_server.url, args)
    finally:
        jira_server.stop()
    print(json.dumps(figures))
    return 0 if figures["duplicates"] == 0 and figures["writes"] == 0 else 1


def run(stack: Stack, jira, jira_url: str, args) -> dict:
    from django.db.models import Count

    from core.models import Guild, Member, OutboundMessage
    from jira_sync.models import JiraLink, JiraSite, Reminder
    from jira_sync.tasks import poll_site

    people = [u for u in jira.users() if u["emailAddress"] != API_USER][: args.members]
    guild = Guild.objects.create(id=stack.world.guild_id, name="Bench", timezone="UTC")
    Member.objects.bulk_create([Member(id=m, username=f"member{i}") for i, m in enumerate(stack.world.member_ids)])
    site = JiraSite.objects.create(
        guild=guild, name="Bench Jira", base_url=jira_url, service_email=API_USER, token_env=TOKEN_ENV
    )
    JiraLink.objects.bulk_create(
        JiraLink(
            site=site,
            member_id=member_id,
            account_id=person["accountId"],
            delivery="live",
            quiet_start="00:00",
            quiet_end="00:00",
            due_soon_days=7,
        )
        for member_id, person in zip(stack.world.member_ids, people, strict=False)
    )

    def cycle(what: str) -> tuple[float, int]:
        before = JiraSite.objects.get(id=site.id).last_success_at
        counted = jira.counters()
        started = time.monotonic()
        poll_site.delay(site.id)
        wait_until(
            lambda: JiraSite.objects.get(id=site.id).last_success_at != before, timeout=600, what=f"the {what} cycle"
        )
        elapsed = time.monotonic() - started
        requests = JiraSite.objects.get(id=site.id).requests_last_cycle
        by_endpoint = {k: n - counted.get(k, 0) for k, n in jira.counters().items() if n != counted.get(k, 0)}
        log(f"{what} cycle: {elapsed:.1f} s, {requests} requests: {by_endpoint}")
        return elapsed, requests

    def settle() -> None:
        pending = Reminder.objects.filter(status="pending")
        undelivered = OutboundMessage.objects.exclude(status__in=["delivered", "undeliverable", "failed"])
        wait_until(lambda: not pending.exists() and not undelivered.exists(), timeout=900, what="delivery")

    seed_s, seed_requests = cycle("first (seeding)")
    settle()
    linked = [p["accountId"] for p in people]
    issues = [i for i in jira.issues() if i.get("statusCategory") != "done"][: args.reassign]
    for number, issue in enumerate(issues):
        current = issue.get("assignee")
        target = next(a for a in linked[number % len(linked) :] + linked if a != current)
        # The previous assignee hands it over (never the new one: a self-assignment is skipped).
        by = current or next(a for a in linked if a != target)
        jira.reassign(issue["key"], target, by=by)
    cycle_s, requests = cycle("steady")
    settle()
    cycle("repeated")
    settle()

    delivered = OutboundMessage.objects.filter(status="delivered", member__isnull=False)
    dms = delivered.count()
    sent = Reminder.objects.filter(status="sent").count()
    received = sum(len(stack.control.dms(member_id)) for member_id in stack.world.member_ids)
    keys = OutboundMessage.objects.values("idempotency_key").annotate(n=Count("id")).filter(n__gt=1).count()
    log(f"{dms} DMs delivered, {received} DMs received by the Discord stand-in, {sent} reminders")
    return {
        "members": args.members,
        "issues": args.issues,
        "requests_per_cycle": requests,
        "seed_requests": seed_requests,
        "cycle_s": round(cycle_s, 2),
        "seed_cycle_s": round(seed_s, 2),
        "reminders_sent": sent,
        "dms": dms,
        "duplicates": max(received - dms, 0) + keys,
        "writes": len(jira.refused_writes()),
        "newly_assigned": Reminder.objects.filter(rule="assigned").count(),
        "reassigned": len(issues),
    }
