#!/usr/bin/env python
"""``make run`` in sandbox mode: wait for the Discord sandbox and prepare it for the gateway.

Grants the Server Members intent (what an organiser switches on in the Developer Portal)
and creates a demo guild with a member the first time, so commands can be tried at once
through the sandbox's control API.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sandbox.discord.control import DiscordControl


def main(url: str) -> int:
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(url, timeout=1)
            break
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise SystemExit(f"muster: the Discord sandbox did not start at {url}") from None
            time.sleep(0.2)
    with DiscordControl(url) as control:
        control.enable_intents("GUILD_MEMBERS")
        guild = control.create_guild("Muster sandbox", channels=["general", "events"])
        member = control.add_member(guild["id"], username="alice")
        print(
            f"sandbox: guild {guild['id']} (#general {guild['channels'][0]['id']}), member alice "
            f"{member['user']['id']}; try: DiscordControl('{url}').inject_command('muster', subcommand='ping', "
            f"channel_id=..., user_id=...)",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
