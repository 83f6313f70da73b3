#!/usr/bin/env python
"""``make run`` in sandbox mode: wait for the Discord sandbox and prepare it for the gateway.

Grants the Server Members intent (what an organiser switches on in the Developer Portal)
and creates a demo guild with a member the first time, so commands can be tried at once
through the sandbox's control API. Registers the OAuth2 application with the web's
callback URLs (the rest of argv) and the client secret `make run` keeps in
var/discord-client-secret, so anyone can log in to the dashboard as olivia or alice.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.permissions import MANAGE_EVENTS
from sandbox.discord.control import DiscordControl

STATE_FILE = Path(__file__).resolve().parent.parent / "var" / "sandbox.json"
CLIENT_SECRET_FILE = STATE_FILE.parent / "discord-client-secret"


def main(url: str, callbacks: list[str]) -> int:
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
        if callbacks and CLIENT_SECRET_FILE.exists():
            control.register_oauth2_application(CLIENT_SECRET_FILE.read_text().strip(), callbacks)
        guild = control.create_guild("Muster sandbox", channels=["general", "events"])
        organisers = control.create_role(guild["id"], "Organisers", permissions=MANAGE_EVENTS)
        olivia = control.add_member(guild["id"], username="olivia", roles=[organisers["id"]])
        alice = control.add_member(guild["id"], username="alice")
    demo = {
        "url": url,
        "guild_id": guild["id"],
        "channel_id": guild["channels"][0]["id"],
        "members": {"olivia": olivia["user"]["id"], "alice": alice["user"]["id"]},
    }
    STATE_FILE.parent.mkdir(exist_ok=True)
    STATE_FILE.write_text(json.dumps(demo, indent=2))
    print(
        "sandbox: guild 'Muster sandbox' with #general and #events, organiser olivia and member alice;"
        " act as them with\n"
        "  .venv/bin/python -m sandbox.discord.member --as olivia /muster help",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
