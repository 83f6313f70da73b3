"""Flower shows every task and its arguments, so it only runs behind basic auth."""

import subprocess
import sys
import time

import httpx

from devtools.ports import free_port
from tests.processes import ROOT


def run_flower(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "run_flower"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_it_refuses_to_start_without_credentials_outside_development(process_env):
    env = {**process_env, "DEBUG": "false"}
    env.pop("FLOWER_BASIC_AUTH", None)
    result = run_flower(env)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "CommandError: FLOWER_BASIC_AUTH is required: Flower shows every task and its arguments"
    )


def test_it_refuses_malformed_credentials(process_env):
    result = run_flower({**process_env, "FLOWER_BASIC_AUTH": "just-a-password"})
    assert result.returncode == 1
    assert "FLOWER_BASIC_AUTH must look like user:password" in result.stderr


def test_it_answers_401_without_credentials_and_200_with_them(process_env, start_process):
    port = free_port()
    env = {**process_env, "FLOWER_BASIC_AUTH": "ops:s3cret-pass"}
    flower = start_process([sys.executable, "manage.py", "run_flower", f"--port={port}"], env, "flower")
    deadline = time.monotonic() + 60
    while True:
        try:
            anonymous = httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
            break
        except httpx.TransportError:
            assert time.monotonic() < deadline, flower.output()[-2000:]
            time.sleep(0.2)
    assert anonymous.status_code == 401
    assert httpx.get(f"http://127.0.0.1:{port}/", auth=("ops", "wrong"), timeout=5).status_code == 401
    assert httpx.get(f"http://127.0.0.1:{port}/", auth=("ops", "s3cret-pass"), timeout=5).status_code == 200
    assert "s3cret-pass" not in flower.output()
