"""Real child processes for tests: a worker, beat, Flower, the gateway, the sandbox."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from config.queues import MUSTER_QUEUES

ROOT = Path(__file__).resolve().parent.parent
WORKER_QUEUES = ",".join(MUSTER_QUEUES)  # every queue, as make run's worker


class ManagedProcess:
    """A child process whose combined output goes to a file the test can search."""

    def __init__(self, argv: list[str], env: dict[str, str], name: str):
        self.name = name
        self.log_path = Path(tempfile.mkstemp(prefix=f"muster-{name}-", suffix=".log")[1])
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            argv, env=env, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for_output(self, pattern: str, timeout: float = 30) -> re.Match:
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while time.monotonic() < deadline:
            match = regex.search(self.output())
            if match:
                return match
            if self.process.poll() is not None:
                code = self.process.returncode
                raise AssertionError(f"{self.name} exited ({code}):\n{self.output()[-3000:]}")
            time.sleep(0.05)
        raise AssertionError(f"{self.name}: {pattern!r} not seen in {timeout} s:\n{self.output()[-3000:]}")

    def send_signal(self, signum: int) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signum)

    def stop(self, timeout: float = 15) -> int:
        if self.process.poll() is None:
            self.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.send_signal(signal.SIGKILL)
                self.process.wait()
        self._log.close()
        return self.process.returncode

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)
        self.process.wait()


def python(*args: str) -> list[str]:
    return [sys.executable, *args]


def celery_worker_argv(queues: str = WORKER_QUEUES, concurrency: int = 2, hostname: str = "test") -> list[str]:
    options = ["-Q", queues, "-c", str(concurrency), "-n", f"{hostname}@%h", "-l", "info"]
    return python("-m", "celery", "-A", "config", "worker", *options, "--without-gossip", "--without-mingle")


def web_argv(port: int, workers: int = 1, threads: int = 4) -> list[str]:
    """The web process as production runs it (gunicorn config.wsgi, threads), on 127.0.0.1:``port``."""
    options = ["--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads)]
    options += ["--access-logfile", "-"]
    return python("-m", "gunicorn", "config.wsgi", *options)
