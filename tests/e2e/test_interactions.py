"""An interaction end to end: sandbox Discord → gateway → broker → worker → Discord."""

from __future__ import annotations

import pytest

from core.models import CommandLog

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_it_defers_a_slash_command_in_time_then_edits_in_the_answer(discord, world, muster_worker, gateway):
    ix = discord.control.inject_command(
        "muster", subcommand="ping", channel_id=world.channel_id, user_id=world.member_id
    )

    answered = discord.control.wait_for_response(ix["id"], timeout=3)
    edited = discord.control.wait_for_original_edit(ix["id"], timeout=15)

    assert answered["response"]["type"] == 5  # deferred channel message
    assert edited["original"]["content"].startswith("Pong! Gateway answered Discord in ")
    entry = CommandLog.objects.get(pk=int(ix["id"]))
    assert (entry.command, entry.outcome, entry.guild_id, entry.member_id) == (
        "muster ping", "ok", world.guild_id, world.member_id,
    )  # fmt: skip
