"""The README's `make run` contract: web, worker, beat and Flower come up healthy."""

import signal
import sys
import time

import httpx
import pytest

from core.localservers import free_port


@pytest.mark.e2e
def test_run_local_serves_a_healthy_stack_and_stops_on_ctrl_c(tmp_path, redis_server, start_process):
    web_port, flower_port = free_port(), free_port()
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'muster.sqlite3'}",
        "REDIS_URL": redis_server.url,
        "WEB_PORT": str(web_port),
        "FLOWER_PORT": str(flower_port),
        "FLOWER_BASIC_AUTH": "ops:flower-pass",
        "MUSTER_ADMIN_PASSWORD": "admin-pass-for-test",
    }
    run = start_process([sys.executable, "scripts/run_local.py"], env, "make-run")
    run.wait_for_output(r"Muster is starting", timeout=120)

    deadline = time.monotonic() + 90
    health = None
    while time.monotonic() < deadline:
        try:
            health = httpx.get(f"http://127.0.0.1:{web_port}/healthz", timeout=3)
            if health.status_code == 200:
                break
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    assert health is not None and health.status_code == 200, run.output()[-4000:]
    assert health.json() == {"database": "ok", "broker": "ok", "beat": "ok"}

    assert httpx.get(f"http://127.0.0.1:{flower_port}/", timeout=5).status_code == 401
    login = httpx.get(f"http://127.0.0.1:{web_port}/admin/login/", timeout=5)
    assert login.status_code == 200
    assert "admin-pass-for-test" not in run.output()
    assert "flower-pass" not in run.output()

    run.process.send_signal(signal.SIGINT)
    assert run.process.wait(30) is not None
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{web_port}/healthz", timeout=2)
