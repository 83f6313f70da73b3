"""LOG_LEVEL=DEBUG never writes an interaction's token (issue #10, item 4).

discord.py logs every raw gateway event at DEBUG (INTERACTION_CREATE carries the token) and
its request URLs (an interaction's callback URL carries it too); Celery's pool logs a task's
raw arguments at DEBUG. Whatever LOG_LEVEL says, those lines are capped or filtered.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_gateway_and_a_worker_at_debug_never_log_an_interaction_token(discord, world, start_gateway, start_worker):
    debug = {"LOG_LEVEL": "DEBUG"}
    worker = start_worker(env=debug)
    gateway = start_gateway(env=debug)

    ping = discord.ping(world)
    message = discord.control.wait_for_original_edit(ping["id"], timeout=15)["original"]
    click = discord.control.inject_component(message_id=message["id"], custom_id="muster:ping", user_id=world.member_id)
    discord.control.wait_for_response(click["id"], timeout=3)
    wait_until(lambda: len(discord.control.message(message["id"])["history"]) >= 2, what="the click's edit")

    logs = {"gateway": gateway.output(), "worker": worker.output()}
    assert "DEBUG" in logs["gateway"] and "DEBUG" in logs["worker"]  # DEBUG lines are written...
    for name, text in logs.items():
        for token in (ping["token"], click["token"]):
            leaked = [line for line in text.splitlines() if token in line]
            assert leaked == [], f"{name} logged a token:\n" + "\n".join(leaked[:5])
