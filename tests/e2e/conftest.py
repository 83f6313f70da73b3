"""Real-process fixtures: the Discord sandbox, the gateway, Celery workers.

Reuse them in any end-to-end test::

    @pytest.mark.e2e
    @pytest.mark.django_db(transaction=True)
    def test_it_answers(discord, gateway, muster_worker, world):
        ix = discord.control.inject_command("muster", subcommand="ping",
                                            channel_id=world.channel_id, user_id=world.member_id)
        discord.control.wait_for_original_edit(ix["id"])

The sandbox runs in this test process (a thread); the gateway and the workers are child
processes pointed at it by environment only (DISCORD_API_BASE, DISCORD_GATEWAY_URL).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest

from sandbox.discord import create_app
from sandbox.discord.control import DiscordControl
from sandbox.runner import ServerThread
from tests.cast import MEMBER, SandboxCast, build_sandbox_cast
from tests.processes import celery_worker_argv, python

BOT_TOKEN = "e2e-bot-token"  # the sandbox's, never a real one
APPLICATION_ID = 1_200_000_000_000_000_001


@dataclass
class Discord:
    server: ServerThread
    control: DiscordControl

    @property
    def url(self) -> str:
        return self.server.url

    def ping(self, world: World) -> dict:
        """``/muster ping`` by the world's member in its channel; the injected interaction."""
        return self.control.inject_command(
            "muster", subcommand="ping", channel_id=world.channel_id, user_id=world.member_id
        )

    def env(self) -> dict[str, str]:
        """What points a Muster process at this sandbox."""
        return {
            "DISCORD_TOKEN": BOT_TOKEN,
            "DISCORD_APPLICATION_ID": str(APPLICATION_ID),
            "DISCORD_API_BASE": f"{self.url}/api/v10",
            "DISCORD_GATEWAY_URL": f"ws://127.0.0.1:{self.server.port}/",
        }


@dataclass
class World:
    guild_id: int
    channel_id: int
    member_id: int


def sandbox_app(**options):
    options.setdefault("privileged_intents", ["GUILD_MEMBERS"])
    options.setdefault("heartbeat_interval_ms", 5000)
    return create_app(bot_token=BOT_TOKEN, application_id=APPLICATION_ID, **options)


@pytest.fixture
def discord():
    """A fresh Discord sandbox for this test, with the Server Members intent granted."""
    server = ServerThread(sandbox_app()).start()
    control = DiscordControl(server.url)
    yield Discord(server, control)
    control.close()
    server.stop()


@pytest.fixture
def muster_env(process_env, discord, flush_redis):
    """process_env plus the sandbox's Discord settings, on an empty broker."""
    return {**process_env, **discord.env()}


def gateway_argv() -> list[str]:
    return python("manage.py", "run_gateway")


@pytest.fixture
def start_gateway(start_process, muster_env):
    """Start (or restart) a gateway process; returns it once it is ready."""

    def start(env: dict | None = None, name: str = "gateway"):
        process = start_process(gateway_argv(), {**muster_env, **(env or {})}, name)
        process.wait_for_output(r"gateway ready", timeout=30)
        return process

    return start


@pytest.fixture
def gateway(start_gateway, start_process, muster_env, early_processes, request):
    if "muster_worker" in request.fixturenames and "worker" not in early_processes:
        # The test's worker starts now, so both processes boot together (muster_worker waits for it).
        early_processes["worker"] = start_process(celery_worker_argv(hostname="worker"), muster_env, "worker")
    return start_gateway()


@pytest.fixture
def start_worker(start_process, muster_env):
    """Start a Celery worker on every Muster queue, pointed at the sandbox; ready when returned."""

    def start(name: str = "worker", concurrency: int = 2, env: dict | None = None):
        argv = celery_worker_argv(concurrency=concurrency, hostname=name)
        process = start_process(argv, {**muster_env, **(env or {})}, name)
        process.wait_for_output(r"ready\.", timeout=60)
        return process

    return start


@pytest.fixture
def muster_worker(start_worker, early_processes):
    worker = early_processes.get("worker")
    if worker is None:
        worker = early_processes["worker"] = start_worker()
    else:
        worker.wait_for_output(r"ready\.", timeout=60)
    return worker


@pytest.fixture
def world(discord) -> World:
    """A guild with the bot, a #general channel and one member, alice (the cast's member)."""
    guild = discord.control.create_guild("Muster HQ")
    alice = discord.control.add_member(guild["id"], username=MEMBER)
    return World(int(guild["id"]), int(guild["channels"][0]["id"]), int(alice["user"]["id"]))


@pytest.fixture
def sandbox_cast(discord, world) -> SandboxCast:
    """The whole cast in the sandbox: olivia the organiser next to alice, and oscar in another guild."""
    return build_sandbox_cast(discord.control, world.guild_id, world.channel_id, world.member_id)


def wait_until(condition, timeout: float = 15, what: str = "condition"):
    """Poll ``condition()`` until it returns something truthy; return it or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        time.sleep(0.05)
