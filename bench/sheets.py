"""``python -m bench sheets --rows 100000``: the Sheets export's requests and time at scale.

A guild with ``--rows`` registrations (events x members) is exported to a spreadsheet in
the Sheets stand-in (``python -m sandbox``, a process of its own) three times: the first
run, a run with nothing changed, and a run after one registration changed. The export
runs in this process (as a worker runs it); the stand-in's counters say how many write
requests reached "Google". Prints the figures the issue names, plus the reads.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from datetime import timedelta

from bench.harness import Stack, log
from tests.processes import python

EVENTS = 100


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench sheets")
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args(argv)
    if args.rows < EVENTS:
        parser.error(f"--rows must be at least {EVENTS}")

    with Stack(workers=0, gateway=False) as stack:
        sheets_url, key_path = _start_sheets_sandbox(stack)
        os.environ["GOOGLE_APPLICATION_CREDENTIALS"] = key_path
        from django.conf import settings

        settings.SHEETS_API_ENDPOINT = sheets_url
        from sandbox.sheets.control import SheetsControl

        control = SheetsControl(sheets_url)
        control.set_quota(write_per_minute=None, read_per_minute=None)
        target, registration_id = _world(args.rows, control)
        figures = {"rows": args.rows}
        for name in ("first_run", "unchanged_run", "one_change"):
            if name == "one_change":
                _change_one(registration_id)
            before = _writes(control)
            started = time.perf_counter()
            run = _run(target.id)
            elapsed = time.perf_counter() - started
            if run.status == "failed":
                log(f"{name} failed: {run.error}")
                return 1
            figures[f"write_requests_{name}"] = _writes(control) - before
            figures[f"read_requests_{name}"] = run.read_requests
            if name != "one_change":
                figures[f"{name}_s"] = round(elapsed, 2)
            else:
                figures["cells_written_one_change"] = run.cells_written
                figures["rows_updated_one_change"] = run.rows_updated
            log(f"{name}: {run.status} in {elapsed:.1f} s")
        rows = control.values(target.spreadsheet_id, "Registrations")
        figures["rows_in_sheet"] = len(rows) - 1
        figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(figures))
    ok = figures["rows_in_sheet"] == args.rows and figures["write_requests_unchanged_run"] == 0
    return 0 if ok else 1


def _start_sheets_sandbox(stack: Stack) -> tuple[str, str]:
    argv = python("-m", "sandbox", "--discord-port", "0", "--jira-port", "0", "--sheets-port", "0")
    process = stack.start_process(argv, "sheets-sandbox")
    url = process.wait_for_output(r"sheets\s+(http://127\.0\.0\.1:\d+)", 30)[1]
    key = process.wait_for_output(r"key file: (\S+)", 30)[1]
    return url, key


def _world(rows: int, control):
    from django.utils import timezone

    from core.models import Guild, GuildMember, Member
    from events.models import Event, Registration
    from sheets_export.models import ExportTarget

    now = timezone.now()
    guild = Guild.objects.create(id=1_400_000_000_000_000_001, name="Bench", timezone="Europe/Paris")
    members_n = rows // EVENTS
    members = Member.objects.bulk_create(
        Member(id=1_400_000_000_000_100_000 + n, username=f"member{n}") for n in range(members_n)
    )
    GuildMember.objects.bulk_create(GuildMember(guild=guild, member=member) for member in members)
    events = Event.objects.bulk_create(
        Event(guild=guild, title=f"Event {n}", starts_at=now + timedelta(days=1 + n)) for n in range(EVENTS)
    )
    log(f"{len(events)} events x {members_n} members")
    batch = []
    for event in events:
        for n, member in enumerate(members):
            batch.append(Registration(event=event, member=member, status="going", sequence=n, responded_at=now))
        if len(batch) >= 20_000:
            Registration.objects.bulk_create(batch)
            batch = []
    Registration.objects.bulk_create(batch)
    book = control.create_spreadsheet("Bench board")
    target = ExportTarget.objects.create(
        guild=guild, spreadsheet_id=book["spreadsheetId"], datasets=["registrations"], created_at=now
    )
    return target, Registration.objects.order_by("id").values_list("id", flat=True)[rows // 2]


def _change_one(registration_id: int) -> None:
    from django.utils import timezone

    from events.models import Registration

    Registration.objects.filter(id=registration_id).update(status="declined", responded_at=timezone.now())


def _run(target_id: int):
    from sheets_export import services

    return services.run_export(target_id, trigger="bench")


def _writes(control) -> int:
    return control.counters().get("spreadsheets.batchUpdate", 0)
