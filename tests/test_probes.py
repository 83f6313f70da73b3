"""Kubernetes' exec probes: ``manage.py heartbeat`` for beat and workers, and workers' heartbeats."""

import re
import socket
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.models import Heartbeat
from tests.processes import ROOT

pytestmark = pytest.mark.django_db


def heartbeat(*args: str) -> tuple[int, str]:
    from io import StringIO

    out = StringIO()
    try:
        call_command("heartbeat", *args, stdout=out)
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


def test_the_beat_probe_passes_on_a_fresh_heartbeat_and_fails_on_a_stale_or_missing_one():
    assert heartbeat("--check", "beat") == (1, "beat: error: no heartbeat yet\n")
    Heartbeat.objects.create(name="beat", seen_at=timezone.now() - timedelta(seconds=200))
    assert heartbeat("--check", "beat", "--max-age", "180") == (1, "beat: error: last heartbeat 200 s ago\n")
    assert heartbeat("--check", "beat", "--max-age", "300") == (0, "beat: heartbeat fresh (under 300 s)\n")


def test_the_worker_probe_looks_at_this_hosts_workers_unless_told_any():
    host = socket.gethostname()
    # Only this test's rows: in one full run a fresh heartbeat of this host was already there (its
    # writer not traced: a worker of another test outliving its flush is the likely one).
    Heartbeat.objects.filter(name__startswith="worker:").delete()
    Heartbeat.objects.create(name="worker:default@elsewhere", seen_at=timezone.now())
    assert heartbeat("--check", "worker") == (1, f"the workers of {host}: error: no heartbeat yet\n")
    assert heartbeat("--check", "worker", "--any") == (0, "any worker: heartbeat fresh (under 180 s)\n")
    Heartbeat.objects.create(name=f"worker:interactions@{host}", seen_at=timezone.now() - timedelta(minutes=5))
    assert heartbeat("--check", "worker")[0] == 1
    Heartbeat.objects.create(name=f"worker:default@{host}", seen_at=timezone.now())
    assert heartbeat("--check", "worker")[0] == 0


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_writes_its_heartbeat_and_the_probe_sees_it(celery_worker, process_env):
    name = f"worker:test@{socket.gethostname()}"
    deadline = time.monotonic() + 30
    while not Heartbeat.objects.filter(name=name).exists():
        assert time.monotonic() < deadline, celery_worker.output()[-2000:]
        time.sleep(0.2)
    probe = [sys.executable, "manage.py", "heartbeat", "--check", "worker", "--max-age", "60"]
    result = subprocess.run(probe, cwd=ROOT, env=process_env, capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout) == (
        0,
        f"the workers of {socket.gethostname()}: heartbeat fresh (under 60 s)\n",
    )
    # Stopped, the worker writes no more: the heartbeat ages and the probe fails.
    celery_worker.stop()
    Heartbeat.objects.filter(name=name).update(seen_at=timezone.now() - timedelta(minutes=2))
    result = subprocess.run(probe, cwd=ROOT, env=process_env, capture_output=True, text=True, timeout=60)
    # At least the two minutes it was aged by; more by the probe's own start on a busy machine.
    aged = re.search(r"error: last heartbeat (\d+) s ago", result.stdout)
    assert result.returncode == 1 and aged and 120 <= int(aged[1]) < 180, result.stdout
