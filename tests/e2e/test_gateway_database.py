"""The gateway reads the database (organiser checks, autocomplete); a PostgreSQL restart must not break that."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from core.models import Guild
from tests.events.factories import EventFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]


def test_after_a_postgresql_restart_the_gateway_reads_the_database_again(discord, world, gateway, postgres_server):
    # Given an upcoming event the gateway offers when alice types its name
    guild = Guild.objects.create(id=world.guild_id, name="Muster HQ")
    EventFactory(guild=guild, title="Picnic", starts_at=timezone.now() + timedelta(days=3))

    def offered() -> list[str]:
        ix = discord.control.inject_autocomplete(
            "event",
            subcommand="show",
            channel_id=world.channel_id,
            user_id=world.member_id,
            focused="event",
            options={"event": "Pic"},
        )
        response = discord.control.wait_for_response(ix["id"], timeout=10)["response"]
        return [choice["name"].split(" (")[0] for choice in response["data"]["choices"]]

    assert offered() == ["Picnic"]

    # When PostgreSQL restarts under the running gateway
    postgres_server.stop()
    postgres_server.start()
    connection.close()  # this test's own connection died too

    # Then the gateway's next read works, without restarting the gateway
    assert offered() == ["Picnic"]
    assert "Traceback" not in gateway.output()
