"""/muster privacy end to end: sandbox Discord → gateway → worker → the outbox's DM with the JSON file."""

from __future__ import annotations

import json

import httpx
import pytest

from core.models import Guild, Member
from events.models import Registration
from tests.e2e.conftest import wait_until
from tests.events.factories import EventFactory, RegistrationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_download_then_forget_me_through_the_gateway(discord, world, muster_worker, gateway):
    # Given alice, registered for a picnic
    alice = world.member_id
    guild, _ = Guild.objects.get_or_create(id=world.guild_id, defaults={"name": "Muster HQ"})
    Member.objects.get_or_create(id=world.member_id, defaults={"username": "alice"})
    picnic = EventFactory(guild=guild, title="Picnic")
    RegistrationFactory(event=picnic, member_id=world.member_id, status="going")

    # When she asks /muster privacy and clicks Download
    ix = discord.control.inject_command(
        "muster", subcommand="privacy", channel_id=world.channel_id, user_id=world.member_id
    )
    shown = discord.control.wait_for_original_edit(ix["id"], timeout=15)["original"]
    assert "- Event registrations: 1" in shown["content"].splitlines()
    discord.control.inject_component(message_id=shown["id"], custom_id="muster:download", user_id=alice)

    # Then a DM arrives with a JSON file holding her registration
    dm = wait_until(lambda: next(iter(discord.control.dms(world.member_id)), None), what="the DM", timeout=20)
    [attachment] = dm["payload"]["attachments"]
    data = json.loads(httpx.get(attachment["url"]).content)
    assert [row["event_id"] for row in data["data"]["events.Registration"]["rows"]] == [picnic.id]

    # And Forget me, confirmed, leaves no registration, as /muster privacy then shows
    ask = discord.control.inject_component(message_id=shown["id"], custom_id="muster:forget", user_id=alice)
    confirm = wait_until(lambda: discord.control.interaction(ask["id"])["followups"], what="the question")[0]
    discord.control.inject_component(message_id=confirm["id"], custom_id="muster:forget_confirm", user_id=alice)
    wait_until(
        lambda: not Registration.objects.filter(member_id=world.member_id).exists(), what="forgotten", timeout=20
    )
    again = discord.control.inject_command(
        "muster", subcommand="privacy", channel_id=world.channel_id, user_id=world.member_id
    )
    after = discord.control.wait_for_original_edit(again["id"], timeout=15)["original"]["content"]
    assert "registrations" not in after
