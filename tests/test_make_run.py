"""The README's `make run` contract: web, worker, beat and Flower come up healthy."""

import signal
import subprocess
import sys
import time

import httpx
import pytest

from devtools.ports import free_port
from tests.processes import ROOT


def member(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "sandbox.discord.member", "--timeout", "20", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


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
    assert health.json() == {"database": "ok", "broker": "ok", "beat": "ok", "delivery": "ok"}

    # Sandbox mode (no DISCORD_TOKEN): a member can use Muster through the stand-in.
    run.wait_for_output(r"organiser olivia and member alice", timeout=60)
    assert member("/muster", "ping").stdout.startswith("(only you can see this)\nPong!")
    fields = ["--field", "title=Picnic", "--field", "start=2031-06-01 18:00", "--field", "location=The park"]
    created = member("--as", "olivia", "/event", "create", "capacity:1", *fields)
    assert "Created **Picnic**" in created.stdout
    assert "Going (1/1): @alice" in member("--as", "alice", "click", "Going").stdout
    refused = member("--as", "alice", "/event", "create", check=False)
    assert refused.returncode == 0
    assert "Going (1/1)" not in refused.stdout and "only you can see this" in refused.stdout

    assert httpx.get(f"http://127.0.0.1:{flower_port}/", timeout=5).status_code == 401
    login = httpx.get(f"http://127.0.0.1:{web_port}/admin/login/", timeout=5)
    assert login.status_code == 200
    assert "admin-pass-for-test" not in run.output()
    assert "flower-pass" not in run.output()

    run.process.send_signal(signal.SIGINT)
    assert run.process.wait(30) == 0  # a clean stop: `make run` does not end in "Error 130"
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{web_port}/healthz", timeout=2)
