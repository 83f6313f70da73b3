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


def start_flower(start_process, env: dict[str, str]):
    port = free_port()
    flower = start_process([sys.executable, "manage.py", "run_flower", f"--port={port}"], env, "flower")
    deadline = time.monotonic() + 60
    while True:
        try:
            anonymous = httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
            return flower, port, anonymous
        except httpx.TransportError:
            assert time.monotonic() < deadline, flower.output()[-2000:]
            time.sleep(0.2)


def test_it_answers_401_without_credentials_and_200_with_them(process_env, start_process):
    env = {**process_env, "FLOWER_BASIC_AUTH": "ops:s3cret-pass"}
    flower, port, anonymous = start_flower(start_process, env)
    assert anonymous.status_code == 401
    assert httpx.get(f"http://127.0.0.1:{port}/", auth=("ops", "wrong"), timeout=5).status_code == 401
    assert httpx.get(f"http://127.0.0.1:{port}/", auth=("ops", "s3cret-pass"), timeout=5).status_code == 200
    assert "s3cret-pass" not in flower.output()


REFUSED = {"error": "Muster's Flower is read-only: sending, revoking and controlling tasks or workers is disabled"}


def test_it_reads_credentials_from_a_file_and_refuses_to_send_revoke_or_shut_down(
    process_env, start_process, celery_worker, flush_redis, tmp_path
):
    secret = tmp_path / "flower_basic_auth"
    secret.write_text("ops:file-pass\n")
    env = {**process_env, "FLOWER_BASIC_AUTH_FILE": str(secret)}
    env.pop("FLOWER_BASIC_AUTH", None)
    flower, port, anonymous = start_flower(start_process, env)
    base, auth = f"http://127.0.0.1:{port}", ("ops", "file-pass")
    assert anonymous.status_code == 401

    # The dashboard and the read API work...
    assert httpx.get(f"{base}/", auth=auth, timeout=10).status_code == 200
    assert httpx.get(f"{base}/tasks", auth=auth, timeout=10).status_code == 200
    query = {"draw": 1, "start": 0, "length": 10, "order[0][column]": 0, "columns[0][data]": "name"}
    datatable = httpx.get(f"{base}/tasks/datatable", auth=auth, params=query, timeout=10)
    assert (datatable.status_code, datatable.json()["draw"]) == (200, 1)
    assert httpx.get(f"{base}/api/workers", auth=auth, timeout=10).status_code == 200

    # ...what changes anything does not, with the right password or without.
    forged = {"args": [{"id": 1, "member": {"id": 2, "permissions": 8}}]}
    task = "core.interactions.tasks.handle_interaction"
    worker = "test@" + celery_worker.wait_for_output(r"test@(\S+) ready").group(1)
    writes = [
        f"/api/task/send-task/{task}",
        f"/api/task/apply/{task}",
        f"/api/task/async-apply/{task}",
        "/api/task/revoke/0123",
        "/api/task/abort/0123",
        f"/api/task/rate-limit/{worker}",
        f"/api/task/timeout/{worker}",
        f"/api/worker/shutdown/{worker}",
        f"/api/worker/pool/restart/{worker}",
        f"/api/worker/pool/grow/{worker}",
        f"/api/worker/queue/add-consumer/{worker}",
    ]
    for path in writes:
        for credentials in (auth, None):
            answer = httpx.post(f"{base}{path}", auth=credentials, json=forged, timeout=10)
            assert (path, answer.status_code, answer.json()) == (path, 403, REFUSED)
    assert flush_redis.llen("interactions") == 0  # nothing was sent
    assert celery_worker.process.poll() is None  # and the worker was not shut down
    assert "file-pass" not in flower.output()
