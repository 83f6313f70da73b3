"""Fixtures for the sandbox tests: a Discord stand-in on 127.0.0.1 with discord.py pointed at it."""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass
from datetime import UTC, datetime

import discord
import pytest
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from sandbox.discord import create_app
from sandbox.discord.control import DiscordControl
from sandbox.runner import ServerThread

BOT_TOKEN = "sandbox-bot-token"


class AsyncControl:
    """The control client for async tests: each call runs in a thread so the test's event
    loop (where discord.py lives) keeps running while the call blocks.
    """

    def __init__(self, control: DiscordControl) -> None:
        self._control = control

    def __getattr__(self, name):
        method = getattr(self._control, name)

        @functools.wraps(method)
        async def call(*args, **kwargs):
            return await asyncio.to_thread(method, *args, **kwargs)

        return call


@dataclass
class DiscordSandbox:
    server: ServerThread
    control: DiscordControl
    app: object

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def api(self) -> str:
        return f"{self.server.url}/api/v10"

    @property
    def state(self):
        return self.app["state"]

    @property
    def actl(self) -> AsyncControl:
        return AsyncControl(self.control)


@pytest.fixture
def discord_sandbox():
    """A fresh stand-in per test; discord.py's REST base and gateway point at it meanwhile."""
    app = create_app(bot_token=BOT_TOKEN, heartbeat_interval_ms=5000)
    server = ServerThread(app).start()
    saved = (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
    Route.BASE = f"{server.url}/api/v10"
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(f"ws://127.0.0.1:{server.port}/")
    control = DiscordControl(server.url)
    try:
        yield DiscordSandbox(server, control, app)
    finally:
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = saved
        control.close()
        server.stop()


class QuickIdentify:
    """Mixin for test clients: skip discord.py's 5 s pause between shard IDENTIFYs
    (``before_identify_hook`` is the documented hook for exactly this)."""

    async def before_identify_hook(self, shard_id, *, initial=False):
        return None


class SandboxClient(QuickIdentify, discord.Client):
    """A discord.Client with a command tree and a short guild_ready_timeout for fast tests."""

    def __init__(self, intents: discord.Intents | None = None, **options) -> None:
        options.setdefault("guild_ready_timeout", 0.1)
        super().__init__(intents=intents or discord.Intents.default(), **options)
        self.tree = discord.app_commands.CommandTree(self)


async def run_until_ready(client: discord.Client, timeout: float = 10.0) -> asyncio.Task:
    """Start ``client`` in the background and return its task once it is ready."""
    task = asyncio.create_task(client.start(BOT_TOKEN))
    ready = asyncio.create_task(client.wait_until_ready())
    done, _ = await asyncio.wait({task, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    if ready not in done:
        ready.cancel()
        if task in done:
            task.result()  # surfaces the start-up error
        raise TimeoutError("discord.py client did not become ready")
    return task


async def stop(client: discord.Client, task: asyncio.Task) -> None:
    await client.close()
    await asyncio.wait_for(asyncio.gather(task, return_exceptions=True), 5)


def run_async(coro, timeout: float = 20.0):
    """Run a test's async body in a fresh event loop, bounded in time."""
    return asyncio.run(asyncio.wait_for(coro, timeout))


# --- Jira and Google Sheets stand-ins -------------------------------------------------

JIRA_USER = "muster-bot@example.org"
JIRA_TOKEN = "jira-api-token"
JIRA_NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def jira_server():
    """A Jira Cloud stand-in with 1,000 seeded issues and its clock frozen at ``JIRA_NOW``."""
    from sandbox.jira import create_app

    with ServerThread(create_app(user=JIRA_USER, token=JIRA_TOKEN, issues=1000, seed=7, now=JIRA_NOW)) as server:
        yield server


@pytest.fixture
def jira_control(jira_server):
    """The Jira control client, the site reseeded and counters cleared before the test."""
    from sandbox.jira.control import JiraControl

    with JiraControl(jira_server.url) as control:
        control.reset()
        yield control


@pytest.fixture
def jira_client(jira_server, jira_control):
    """The real ``jira`` library, pointed at the stand-in as Muster points it at Jira Cloud."""
    from jira import JIRA

    client = JIRA(
        server=jira_server.url,
        basic_auth=(JIRA_USER, JIRA_TOKEN),
        options={"rest_api_version": "3"},
        max_retries=0,
    )
    yield client
    client.close()


@pytest.fixture(scope="module")
def sheets_server():
    """A Google Sheets stand-in with Google's default quotas."""
    from sandbox.sheets import create_app

    with ServerThread(create_app(seed=3)) as server:
        yield server


@pytest.fixture
def sheets_control(sheets_server):
    """The Sheets control client; spreadsheets, counters and quotas reset before the test."""
    from sandbox.sheets.control import SheetsControl

    with SheetsControl(sheets_server.url) as control:
        control.reset()
        control.set_quota(write_per_minute=60, read_per_minute=60)
        yield control


@pytest.fixture
def sheets_service(sheets_server, sheets_control):
    """googleapiclient's Sheets v4 service with service-account credentials from the stand-in."""
    from google.oauth2 import service_account
    from googleapiclient.discovery import build

    credentials = service_account.Credentials.from_service_account_info(
        sheets_control.service_account_info(), scopes=["https://www.googleapis.com/auth/spreadsheets"]
    )
    service = build(
        "sheets",
        "v4",
        credentials=credentials,
        static_discovery=True,
        client_options={"api_endpoint": sheets_server.url},
        cache_discovery=False,
    )
    yield service
    service.close()
