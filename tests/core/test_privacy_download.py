"""Download through the outbox to a real sandbox: one DM with the JSON file, made at delivery, never twice."""

from __future__ import annotations

import json

import httpx
import pytest

from core import outbox, privacy
from core.models import CommandLog, Guild, Member, OutboundMessage
from tests.events.factories import EventFactory, RegistrationFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]


def test_download_dms_the_export_as_a_json_file_once(live_discord):
    # Given alice, registered for a picnic
    guild = Guild.objects.create(id=live_discord.guild_id, name="Muster HQ")
    Member.objects.create(id=live_discord.member_id, username="alice")
    picnic = EventFactory(guild=guild, title="Picnic")
    RegistrationFactory(event=picnic, member_id=live_discord.member_id, status="going")

    # When her Download click is delivered, and its delivery runs again after an answer that was lost
    message = privacy.send_export(live_discord.member_id, interaction_id=77, guild_id=guild.id)
    assert privacy.send_export(live_discord.member_id, interaction_id=77, guild_id=guild.id).id == message.id
    assert outbox.deliver(message.id) is None
    OutboundMessage.objects.filter(id=message.id).update(status="pending")  # as if its answer never came
    assert outbox.deliver(message.id) is None

    # Then she has one DM, with one JSON attachment holding her registration
    [dm] = live_discord.control.dms(live_discord.member_id)
    [attachment] = dm["payload"]["attachments"]
    assert (attachment["filename"], attachment["content_type"]) == ("muster-your-data.json", "application/json")
    data = json.loads(httpx.get(attachment["url"]).content)
    assert attachment["size"] == len(httpx.get(attachment["url"]).content)
    [row] = data["data"]["events.Registration"]["rows"]
    assert (row["event_id"], row["member_id"], row["status"]) == (picnic.id, live_discord.member_id, "going")
    assert OutboundMessage.objects.get(id=message.id).status == "delivered"


def test_an_export_over_discords_upload_limit_is_sent_without_it_and_says_so(live_discord):
    # Given a member whose command log holds over 10 MiB (eleven commands of a million characters)
    Member.objects.create(id=live_discord.member_id, username="alice")
    for n in range(11):
        CommandLog.objects.create(
            interaction_id=n + 1, member_id=live_discord.member_id, kind="command", options={"text": "x" * 10**6}
        )
    message = privacy.send_export(live_discord.member_id, interaction_id=78, guild_id=None)
    outbox.deliver(message.id)
    [dm] = live_discord.control.dms(live_discord.member_id)
    assert dm["payload"]["attachments"] == []
    assert dm["content"].endswith(outbox.TOO_LARGE)
