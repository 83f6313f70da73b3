"""Everything a benchmark needs, started as real processes and torn down afterwards.

    with Stack(workers=2, gateway=True, global_limit=50, mode="gateway") as stack:
        stack.control          # the Discord sandbox's control client
        stack.world            # a guild with the bot, a channel and a member
        ...                    # Django is set up in this process: models, outbox, tasks

PostgreSQL and Redis are throwaway servers (devtools.localservers); the database is migrated;
the Discord sandbox, the workers and the gateway are child processes, the last two pointed
at the sandbox by environment only, as in the test suite (tests/e2e). ``mode="http"`` adds
web processes (gunicorn, as production runs them) and sets the sandbox application's
Interactions Endpoint URL to them: interactions then arrive signed over HTTP, and the
gateway only receives guild and member events. The sandbox has a
process of its own so that the benchmark's injecting threads do not slow it down (it
timestamps every acknowledgement against Discord's 3 s deadline).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from devtools.localservers import PostgresServer, RedisServer
from devtools.ports import free_port
from tests.processes import ROOT, ManagedProcess, celery_worker_argv, python, web_argv

BOT_TOKEN = "bench-bot-token"  # noqa: S105 - the sandbox's, never a real one
APPLICATION_ID = 1_300_000_000_000_000_001


@dataclass
class World:
    guild_id: int
    channel_id: int
    member_ids: list[int]


@dataclass
class SandboxProcess:
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


MODES = ("gateway", "http")  # how interactions reach Muster: the gateway websocket, or HTTP POSTs to web


@dataclass
class Stack:
    workers: int = 2
    concurrency: int = 4
    gateway: bool = True
    global_limit: float = 50.0
    route_limits: dict = field(default_factory=dict)
    members: int = 1
    env: dict = field(default_factory=dict)
    beat: bool = False
    persistent_redis: bool = False  # an append-only file; compose runs Redis without one, as the bench does
    mode: str = "gateway"  # or "http": interactions POSTed to web processes (MODES)
    web_workers: int = 2  # gunicorn workers in http mode, each with web_argv's threads

    def __enter__(self) -> Stack:
        self._processes: list[ManagedProcess] = []
        self._servers: list = []
        try:
            self._start()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _start(self) -> None:
        self.postgres = postgres = PostgresServer().start()
        self._servers.append(postgres)
        self.redis = redis = RedisServer(persistent=self.persistent_redis).start()
        self._servers.append(redis)
        self.redis_url = redis.url
        base = {
            "DEBUG": "false",
            "SECRET_KEY": "bench-secret-key-that-is-long-enough-for-django-0123456789abcdef",
            "POLL_VOTER_KEY": "bench-poll-voter-key-0123456789abcdef",
            "INTERACTION_SIGNING_KEY": "bench-interaction-signing-key-0123456789",
            "ALLOWED_HOSTS": "localhost,127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "LOG_LEVEL": "WARNING",
            "DATABASE_URL": postgres.url,
            "REDIS_URL": redis.url,
            "DISCORD_GLOBAL_RATE_LIMIT": str(self.global_limit),
        }
        os.environ.pop("DJANGO_READ_DOT_ENV_FILE", None)
        os.environ.update(base)
        subprocess.run(python("manage.py", "migrate", "-v", "0"), cwd=ROOT, env=dict(os.environ), check=True)
        import django

        django.setup()
        self.child_env = {**os.environ, **self.env, "LOG_LEVEL": "INFO"}
        self._start_sandbox()
        os.environ.update(self.discord_env())
        self.child_env.update(self.discord_env())
        self.worker_processes = {f"bench{i}": self.start_worker(f"bench{i}") for i in range(self.workers)}
        for worker in self.worker_processes.values():
            worker.wait_for_output(r"ready\.", timeout=60)
        if self.beat:
            schedule = Path(tempfile.mkdtemp(prefix="muster-beat-")) / "schedule"
            argv = python("-m", "celery", "-A", "config", "beat", "-l", "info", "-s", str(schedule))
            self.start_process(argv, "beat").wait_for_output(r"beat: Starting", timeout=30)
        if self.gateway:
            self.start_process(python("manage.py", "run_gateway"), "gateway").wait_for_output("gateway ready", 30)
        if self.mode == "http":
            self._start_web()
        self.world = self._make_world()

    def _start_web(self) -> None:
        """gunicorn on a free port with the application's public key; the sandbox then POSTs there."""
        import httpx

        port = free_port()
        env = {**self.child_env, "DISCORD_PUBLIC_KEY": self.control.application()["verify_key"]}
        env.pop("DISCORD_TOKEN")  # web never holds the bot token
        process = ManagedProcess(web_argv(port, workers=self.web_workers), env, "web")
        self._processes.append(process)
        process.wait_for_output(r"Booting worker", timeout=30)

        def answering() -> bool:  # any answer: the workers have loaded Django
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
            except httpx.HTTPError:
                return False
            return True

        wait_until(answering, timeout=30, what="the web process answering")
        self.control.set_interactions_endpoint(f"http://127.0.0.1:{port}/discord/interactions")
        log(f"interactions are POSTed to {self.web_workers} web workers on port {port}")

    def _start_sandbox(self) -> None:
        from sandbox.discord.control import DiscordControl

        bot = ["--bot-token", BOT_TOKEN, "--application-id", str(APPLICATION_ID)]
        limits = ["--global-limit", str(self.global_limit), "--privileged-intents", '["GUILD_MEMBERS"]']
        argv = python("-m", "bench.sandbox_process", *bot, *limits)
        port = int(self.start_process(argv, "sandbox").wait_for_output(r"sandbox listening on (\d+)", 30)[1])
        self.sandbox = SandboxProcess(port)
        self.control = DiscordControl(self.sandbox.url)
        if self.route_limits:  # create_app(route_limits=...) fails in the sandbox; its control API works
            self.control.set_limits(routes=self.route_limits)

    def discord_env(self) -> dict[str, str]:
        return {
            "DISCORD_TOKEN": BOT_TOKEN,
            "DISCORD_APPLICATION_ID": str(APPLICATION_ID),
            "DISCORD_API_BASE": f"{self.sandbox.url}/api/v10",
            "DISCORD_GATEWAY_URL": f"ws://127.0.0.1:{self.sandbox.port}/",
        }

    def _make_world(self) -> World:
        guild = self.control.create_guild("Bench")
        added = [self.control.add_member(guild["id"], username=f"member{i}") for i in range(self.members)]
        members = [int(member["user"]["id"]) for member in added]
        if self.gateway and self.workers:
            # Each join is a gateway event and a directory task: let them settle, or the
            # benchmark measures 5000 members joining at the same moment as its clicks.
            from core.models import GuildMember

            joined = GuildMember.objects.filter(guild_id=int(guild["id"]))
            synced = wait_for_growth(joined.count, self.members, stall_s=15)
            log(f"{synced} of {self.members} members synced by the gateway and workers")
        return World(int(guild["id"]), int(guild["channels"][0]["id"]), members)

    def start_worker(self, hostname: str) -> ManagedProcess:
        # devtools.tasks (bench_noop) is loaded by the benchmark's workers only, never in production.
        argv = [*celery_worker_argv(concurrency=self.concurrency, hostname=hostname), "-I", "devtools.tasks"]
        return self.start_process(argv, f"worker-{hostname}")

    def restart_redis(self, down_s: float) -> None:
        """Stop Redis (SIGTERM, as ``docker compose restart`` does), wait ``down_s``, start it on the same port."""
        self.redis.stop()
        time.sleep(down_s)
        self.redis.start()

    def restart_postgres(self, down_s: float) -> None:
        """Stop PostgreSQL (fast shutdown: open connections are cut), wait ``down_s``, start it again."""
        self.postgres.stop()
        time.sleep(down_s)
        self.postgres.start()

    def start_process(self, argv: list[str], name: str) -> ManagedProcess:
        process = ManagedProcess(argv, self.child_env, name)
        self._processes.append(process)
        return process

    def cpu_seconds(self) -> dict[str, float]:
        """CPU seconds each part of the stack has used so far, its live child processes included.

        ``workers`` (each worker's main process and pool), ``gateway``, ``web``, ``postgres``
        (the postmaster and its backends), ``redis``, ``sandbox`` (the stand-in for Discord),
        ``beat``, and ``bench`` (this process: its injecting threads and its measuring). Take
        it twice and subtract: the part of the machine's CPU each had in between. Read from
        Linux's /proc; a process that ended meanwhile counts in its parent once reaped (a
        PostgreSQL backend whose connection closed, in the postmaster).
        """
        roles: dict[str, list[int]] = {"postgres": [], "redis": []}
        for server, role in ((self.postgres, "postgres"), (self.redis, "redis")):
            if server.process is not None:
                roles[role].append(server.process.pid)
        for process in self._processes:
            role = "workers" if process.name.startswith("worker-") else process.name
            roles.setdefault(role, []).append(process.process.pid)
        used, children = _proc_table()
        figures = {role: round(sum(_tree_cpu(pid, used, children) for pid in pids), 2) for role, pids in roles.items()}
        own = os.times()
        figures["bench"] = round(own.user + own.system, 2)  # its threads, not its children (the roles)
        return figures

    def __exit__(self, *exc) -> None:
        for process in reversed(self._processes):
            process.stop()
        for server in reversed(self._servers):
            (server.destroy if hasattr(server, "destroy") else server.stop)()


def _proc_table() -> tuple[dict[int, float], dict[int, list[int]]]:
    """(CPU seconds by pid, its reaped children's included; child pids by pid) of every process now.

    From /proc/<pid>/stat: utime + stime + cutime + cstime.
    """
    tick = os.sysconf("SC_CLK_TCK")
    used: dict[int, float] = {}
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:  # it ended meanwhile
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (name) "; the name may hold spaces
        used[int(entry)] = sum(int(value) for value in fields[11:15]) / tick
        children.setdefault(int(fields[1]), []).append(int(entry))
    return used, children


def _tree_cpu(pid: int, used: dict[int, float], children: dict[int, list[int]]) -> float:
    total, stack = 0.0, [pid]
    while stack:
        current = stack.pop()
        total += used.get(current, 0.0)
        stack.extend(children.get(current, ()))
    return total


def cpu_used(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """What each part of the stack used between two ``Stack.cpu_seconds()``, largest first."""
    spent = {role: round(after.get(role, 0.0) - before.get(role, 0.0), 2) for role in after}
    return dict(sorted(spent.items(), key=lambda item: -item[1]))


def find_post(stack: Stack, title: str) -> dict | None:
    """The message in the benchmark's channel whose first embed is titled ``title``, once posted."""
    from core.markup import escape  # titles are shown with their markdown escaped

    posts = stack.control.messages(stack.world.channel_id)
    return next((m for m in posts if m["embeds"] and m["embeds"][0].get("title") == escape(title)), None)


def wait_until(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise SystemExit(f"bench: {what} did not happen within {timeout:.0f} s")
        time.sleep(0.05)
    return result


def wait_for_growth(count, target: int, stall_s: float) -> int:
    """Wait until ``count()`` reaches ``target`` or has not grown for ``stall_s``; the last count."""
    seen, grew_at = count(), time.monotonic()
    while seen < target and time.monotonic() - grew_at < stall_s:
        time.sleep(0.2)
        now = count()
        if now != seen:
            seen, grew_at = now, time.monotonic()
    return seen


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)
