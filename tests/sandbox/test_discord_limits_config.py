"""Route limits given when the sandbox is built apply from its first request."""

from __future__ import annotations

import httpx
import pytest

from sandbox.discord import create_app
from sandbox.discord.control import DiscordControl
from sandbox.discord.ratelimit import DEFAULT_ROUTE_LIMITS
from sandbox.runner import ServerThread

pytestmark = pytest.mark.timeout(30)
TOKEN = "limits-config-token"


def test_it_builds_with_route_limits_and_enforces_them():
    app = create_app(bot_token=TOKEN, route_limits={"messages:create": (2, 30.0)})

    with ServerThread(app) as server, DiscordControl(server.url) as ctl, httpx.Client() as http:
        channel_id = ctl.create_guild("Muster HQ")["channels"][0]["id"]
        url = f"{server.url}/api/v10/channels/{channel_id}/messages"
        statuses = [
            http.post(url, json={"content": str(n)}, headers={"Authorization": f"Bot {TOKEN}"}).status_code
            for n in range(3)
        ]
        limits = ctl.stats()["limits"]["routes"]

    assert statuses == [200, 200, 429]
    assert limits["messages:create"] == [2, 30.0]
    assert limits["messages:edit"] == list(DEFAULT_ROUTE_LIMITS["messages:edit"])
