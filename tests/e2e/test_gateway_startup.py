"""``run_gateway`` refuses to start with one plain line when something it needs is wrong."""

from __future__ import annotations

import os
import socket
import subprocess

import pytest

from sandbox.discord import create_app
from sandbox.discord.control import DiscordControl
from sandbox.runner import ServerThread
from tests.e2e.conftest import APPLICATION_ID, Discord, gateway_argv, sandbox_app
from tests.processes import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(60)]


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def start_sandbox():
    servers: list[ServerThread] = []

    def start(app) -> Discord:
        server = ServerThread(app).start()
        servers.append(server)
        control = DiscordControl(server.url)
        control.create_guild("Muster HQ")
        return Discord(server, control)

    yield start
    for server in servers:
        server.stop()


def run_gateway(env: dict[str, str]) -> tuple[int, list[str]]:
    """Run the gateway to its end; its exit status and its stderr lines that are not logging."""
    env = {**os.environ, **env}
    finished = subprocess.run(gateway_argv(), env=env, cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert "Traceback" not in finished.stdout + finished.stderr, finished.stderr
    lines = [line for line in finished.stderr.splitlines() if not _is_log_line(line)]
    return finished.returncode, lines


def _is_log_line(line: str) -> bool:
    # "2026-11-22 02:44:39,387 INFO discord_gateway using the Discord API at ..."
    parts = line.split(" ", 3)
    return len(parts) == 4 and parts[2] in ("DEBUG", "INFO")


def test_it_exits_with_one_line_when_discord_rejects_the_token(start_sandbox):
    discord = start_sandbox(create_app(bot_token="another-bots-token", application_id=APPLICATION_ID))

    code, lines = run_gateway(discord.env())

    assert code == 1
    assert lines == ["muster gateway: Discord rejected DISCORD_TOKEN (check the bot token in the Developer Portal)"]


def test_it_exits_with_one_line_when_the_members_intent_is_not_granted(start_sandbox):
    discord = start_sandbox(sandbox_app(privileged_intents=[]))

    code, lines = run_gateway(discord.env())

    assert code == 1
    assert lines == [
        "muster gateway: the Server Members intent is not granted: enable it in the Developer Portal, "
        "Bot → Privileged Gateway Intents"
    ]


def test_it_exits_with_one_line_when_the_broker_is_unreachable(start_sandbox):
    discord = start_sandbox(sandbox_app())

    code, lines = run_gateway({**discord.env(), "REDIS_URL": f"redis://127.0.0.1:{closed_port()}/0"})

    assert code == 1
    assert lines == ["muster gateway: the broker (REDIS_URL) is unreachable (ConnectionError)"]


def test_it_exits_with_one_line_when_the_database_is_unreachable(start_sandbox):
    discord = start_sandbox(sandbox_app())

    code, lines = run_gateway({**discord.env(), "DATABASE_URL": f"postgres://postgres@127.0.0.1:{closed_port()}/x"})

    assert code == 1
    assert lines == ["muster gateway: the database is unreachable (OperationalError)"]
