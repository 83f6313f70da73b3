"""Throwaway PostgreSQL and Redis servers on free loopback ports.

The test suite, the benchmarks and ``make run`` start real servers with these instead
of depending on whatever the machine happens to run. PostgreSQL refuses to run as
root, so as root the cluster belongs to the ``postgres`` user.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from devtools.ports import free_port

# initdb and postgres flags for a cluster tuned for speed, not durability; Redis without snapshots.
INITDB_OPTIONS = ("-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
POSTGRES_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "300",
    "log_min_messages": "warning",
}
REDIS_OPTIONS = ("--bind", "127.0.0.1", "--save", "", "--daemonize", "no")


class ServerError(RuntimeError):
    """A local server could not be started; the message says what to install or fix."""


def wait_for_port(port: int, timeout: float, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise ServerError(f"server on port {port} exited with code {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise ServerError(f"nothing listened on 127.0.0.1:{port} within {timeout:.0f} s")


def stop_process(process: subprocess.Popen | None, signum: int, timeout: float = 15) -> None:
    """Ask a server to stop with ``signum``; kill it if it has not within ``timeout``."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signum)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def postgres_bin_dir() -> Path:
    """The newest /usr/lib/postgresql/*/bin, else wherever initdb is on PATH."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    if candidates:
        return Path(candidates[-1])
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise ServerError("PostgreSQL server binaries not found (apt-get install postgresql)")


class PostgresServer:
    """A private PostgreSQL cluster tuned for speed, not durability."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.bin_dir = postgres_bin_dir()
        self.base_dir = Path(tempfile.mkdtemp(prefix="muster-pg-"))
        self.data_dir = self.base_dir / "data"
        self.process: subprocess.Popen | None = None
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            shutil.chown(self.base_dir, "postgres", "postgres")
            os.chmod(self.base_dir, 0o700)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _command(self, *args: str) -> list[str]:
        return [str(self.bin_dir / args[0]), *args[1:]]

    @property
    def _identity(self) -> dict:
        # Popen switches user itself, so signals reach postgres and not a wrapper.
        return {"user": "postgres", "group": "postgres", "extra_groups": []} if self._as_postgres else {}

    def start(self, timeout: float = 30) -> PostgresServer:
        if not self.data_dir.exists():
            result = subprocess.run(
                self._command("initdb", "-D", str(self.data_dir), *INITDB_OPTIONS),
                capture_output=True,
                text=True,
                check=False,
                cwd=self.base_dir,
                **self._identity,
            )
            if result.returncode != 0:
                raise ServerError(f"initdb failed: {result.stderr.strip().splitlines()[-1:]}")
        settings = [option for name, value in POSTGRES_SETTINGS.items() for option in ("-c", f"{name}={value}")]
        where = ["-D", str(self.data_dir), "-p", str(self.port), "-k", str(self.base_dir)]
        self.process = subprocess.Popen(
            self._command("postgres", *where, *settings),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=self.base_dir,
            **self._identity,
        )
        wait_for_port(self.port, timeout, self.process)
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        import psycopg

        deadline = time.monotonic() + timeout
        while True:
            try:
                psycopg.connect(self.url, connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def stop(self) -> None:
        stop_process(self.process, signal.SIGINT)  # PostgreSQL's fast shutdown
        self.process = None

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.base_dir, ignore_errors=True)


class RedisServer:
    """A private Redis. ``stop()`` and ``start()`` keep the port.

    Not persistent by default; ``persistent=True`` keeps an append-only file, as compose's
    Redis does, so a restart (``stop()`` then ``start()``) keeps the queued tasks.
    """

    def __init__(self, port: int | None = None, *, persistent: bool = False):
        self.port = port or free_port()
        self.persistent = persistent
        self.binary = shutil.which("redis-server") or (
            "/usr/bin/redis-server" if os.path.exists("/usr/bin/redis-server") else None
        )
        if not self.binary:
            raise ServerError("redis-server not found (apt-get install redis-server)")
        self.base_dir = Path(tempfile.mkdtemp(prefix="muster-redis-"))
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 15) -> RedisServer:
        where = ["--port", str(self.port), "--dir", str(self.base_dir), "--logfile", str(self.base_dir / "redis.log")]
        persistence = ("--appendonly", "yes" if self.persistent else "no")
        self.process = subprocess.Popen([self.binary, *where, *REDIS_OPTIONS, *persistence], stdout=subprocess.DEVNULL)
        wait_for_port(self.port, timeout, self.process)
        return self

    def stop(self) -> None:
        stop_process(self.process, signal.SIGTERM)
        self.process = None

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.base_dir, ignore_errors=True)
