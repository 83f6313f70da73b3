"""POLL_VOTER_KEY is held by workers only: a worker without it refuses to start, web starts without it."""

from __future__ import annotations

import subprocess

import pytest

from tests.processes import ROOT, celery_worker_argv, python

pytestmark = pytest.mark.timeout(90)
MISSING = "muster: configuration error: POLL_VOTER_KEY is not set: workers need it to record anonymous votes"


@pytest.fixture
def env_without_voter_key(process_env):
    env = {k: v for k, v in process_env.items() if k not in ("POLL_VOTER_KEY", "POLL_VOTER_KEY_FILE")}
    return {**env, "DEBUG": "false"}


def test_a_worker_without_poll_voter_key_refuses_to_start_with_one_line(env_without_voter_key, start_process):
    worker = start_process(celery_worker_argv(), env_without_voter_key, "keyless-worker")
    assert worker.process.wait(60) != 0
    assert MISSING in worker.output()
    assert "Traceback" not in worker.output()


def test_the_web_process_starts_without_poll_voter_key(env_without_voter_key):
    checked = subprocess.run(
        python("manage.py", "check", "--deploy", "--fail-level", "ERROR"),
        env=env_without_voter_key,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stderr
