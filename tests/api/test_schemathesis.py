"""Schemathesis fuzzes Muster's own OpenAPI schema against a live gunicorn: no 500, and every
answer (status, headers, content type, body) conforms to the schema.

The server runs the real WSGI app on a free loopback port, on this test's database, seeded
with the cast, events, registrations, polls (one anonymous) and command log rows, and
called with a read-write token of the guild. The run is bounded (``MAX_EXAMPLES`` per
operation, a fixed seed) and its figures are printed and written to
``$SCHEMATHESIS_REPORT`` when that is set.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from community.models import CustomCommand, ScheduledMessage
from core.interactions.dispatcher import REDACTED_OPTIONS
from core.models import CommandLog
from devtools.ports import free_port
from events.models import Registration
from polls import services as polls
from tests.api.conftest import caller_for
from tests.cast import CHANNEL_ID
from tests.events.factories import EventFactory, RegistrationFactory
from tests.polls.factories import PollFactory

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
MAX_EXAMPLES = 20
SEED = 17
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)


def seed(cast) -> str:
    """Rows for every operation to find; returns schemathesis' configuration, which draws
    path parameters mostly (not only) from their ids, so most cases reach real rows."""
    now = timezone.now()
    upcoming = EventFactory(guild=cast.guild, starts_at=now + timedelta(days=5), capacity=1, channel_id=None)
    RegistrationFactory(event=upcoming, member=cast.member.member)
    RegistrationFactory(event=upcoming, member=cast.organiser.member, status=Registration.Status.WAITLISTED)
    EventFactory(guild=cast.guild, starts_at=now - timedelta(days=2))
    EventFactory(guild=cast.outsider.guild, starts_at=now + timedelta(days=5))
    for anonymous in (False, True):
        poll = PollFactory(guild=cast.guild, anonymous=anonymous, created_at=now)
        polls.vote(poll.id, poll.options.get(position=1).id, cast.member.member_id, now=now)
    CommandLog.objects.create(
        interaction_id=1_000, guild=cast.guild, member=cast.member.member, kind="command", command="event list"
    )
    CommandLog.objects.create(
        interaction_id=-1_000, guild=cast.guild, kind="component", command="poll:vote", options=REDACTED_OPTIONS
    )
    command = CustomCommand.objects.create(guild=cast.guild, name="rules", description="Rules", content="Be kind")
    schedule = ScheduledMessage.objects.create(
        guild=cast.guild,
        channel_id=CHANNEL_ID,
        content="Good morning",
        timezone="Europe/Paris",
        starts_at=now + timedelta(days=1),
        repeat="daily",
        next_occurrence_at=now + timedelta(days=1),
    )
    dictionaries = {
        "guilds": [cast.guild.id],
        "events": list(cast.guild.events.values_list("id", flat=True)),
        "polls": list(cast.guild.polls.values_list("id", flat=True)),
        "members": [cast.member.member_id, cast.organiser.member_id, cast.outsider.member_id],
        "commands": [command.id],
        "schedules": [schedule.id],
    }
    lines = []
    for name, values in dictionaries.items():
        lines += [f"[dictionaries.{name}]", f"values = {values}", ""]
    lines.append("[parameters]")
    ids = (
        ("guild_id", "guilds"),
        ("event_id", "events"),
        ("poll_id", "polls"),
        ("command_id", "commands"),
        ("schedule_id", "schedules"),
    )
    for parameter, name in ids:
        lines.append(f'"path.{parameter}" = {{ dictionary = "{name}", probability = 0.9 }}')
    lines.append('"path.member_id" = { dictionary = "members", probability = 0.9 }')
    return "\n".join(lines) + "\n"


def test_every_operation_conforms_to_the_schema_and_never_answers_500(cast, process_env, start_process):
    config = seed(cast)
    caller = caller_for(cast.guild, name="schemathesis")
    port = free_port()
    env = {**process_env, "API_RATE_LIMIT": "1000000", "WEB_CONCURRENCY": "1"}
    argv = [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
    web = start_process([*argv, "--threads", "4"], env, "web")
    web.wait_for_output(r"Booting worker", timeout=30)
    report = Path(tempfile.mkdtemp(prefix="muster-schemathesis-"))
    (report / "schemathesis.toml").write_text(config)
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "--config-file",
        str(report / "schemathesis.toml"),
        "run",
        f"http://127.0.0.1:{port}/api/v1/openapi.json",
        "--checks",
        ",".join(CHECKS),
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        str(SEED),
        "--workers",
        "1",
        "--wait-for-schema",
        "30",
        "--header",
        f"Authorization: Bearer {caller.secret}",
        "--report",
        "json",
        "--report-json-path",
        str(report / "run.json"),
        "--output-sanitize",
        "true",
        "--generation-database",
        "none",
    ]
    env = {**os.environ, "NO_COLOR": "1"}
    run = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env, cwd=report)
    figures = figures_of(report / "run.json")
    print(run.stdout)
    print(json.dumps(figures, indent=1))
    if os.environ.get("SCHEMATHESIS_REPORT"):
        Path(os.environ["SCHEMATHESIS_REPORT"]).write_text(json.dumps(figures, indent=1))
    shutil.rmtree(report, ignore_errors=True)
    assert run.returncode == 0, run.stderr[-2000:] + web.output()[-3000:]
    assert "Traceback" not in web.output()
    assert (figures["failures"], figures["errors"]) == (0, 0)
    assert figures["operations"]["tested"] == figures["operations"]["total"]


def figures_of(path: Path) -> dict:
    """Operations, test cases, failures and errors from schemathesis' JSON report."""
    if not path.exists():
        return {"failures": -1, "errors": -1}
    data = json.loads(path.read_text())
    return {
        "operations": data["operations"],
        "phases": {name: phase["status"] for name, phase in data["phases"].items()},
        "test_cases": data["test_cases"],
        "failures": sum(group["count"] for group in data["failures"]),
        "errors": sum(group["count"] for group in data["errors"]),
        "warnings": data["warnings"],
        "running_time_s": round(data["running_time"], 1),
        "max_examples": MAX_EXAMPLES,
        "seed": data["seed"],
    }
