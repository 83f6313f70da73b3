"""Event templates end to end: sandbox Discord → gateway → worker → Discord."""

from __future__ import annotations

import pytest

from events.models import Event, EventTemplate
from tests.e2e.conftest import wait_until
from tests.e2e.test_events_flow import people, run  # noqa: F401 - people is a fixture

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_template_makes_the_next_event_in_two_clicks(discord, world, people, muster_worker, gateway):  # noqa: F811
    olivia, alice = people["olivia"], people["alice"]
    ix = discord.control.inject_command(
        "event", subcommand="create", options={"capacity": 8}, channel_id=world.channel_id, user_id=olivia
    )
    custom_id = discord.control.wait_for_response(ix["id"], timeout=3)["response"]["data"]["custom_id"]
    submit = discord.control.inject_modal_submit(
        channel_id=world.channel_id,
        user_id=olivia,
        custom_id=custom_id,
        fields={"title": "Training", "start": "in 2 days", "end": "", "location": "Gym", "description": ""},
    )
    discord.control.wait_for_original_edit(submit["id"], timeout=15)
    first = Event.objects.get()

    saved = run(discord, world, olivia, "template save", event=first.id, name="Weekly training")
    assert saved["content"].startswith("Saved the template **Weekly training** from ")
    assert saved["flags"] & 64

    typed = discord.control.inject_autocomplete(
        "event",
        subcommand="template use",
        channel_id=world.channel_id,
        user_id=olivia,
        focused="name",
        options={"name": "week"},
    )
    choices = discord.control.wait_for_response(typed["id"], timeout=10)["response"]["data"]["choices"]
    assert choices == [{"name": "Weekly training", "value": "Weekly training"}]

    used = run(discord, world, olivia, "template use", name="Weekly training", starts="in 9 days")
    assert used["content"].startswith("Created from the template **Weekly training**: ")
    second = Event.objects.exclude(id=first.id).get()
    assert (second.title, second.location, second.capacity) == ("Training", "Gym", 8)
    wait_until(
        lambda: (
            len(
                [
                    m
                    for m in discord.control.messages(world.channel_id)
                    if m["embeds"] and m["embeds"][0]["title"] == "Training"
                ]
            )
            == 2
        ),
        what="the second post",
    )

    listed = run(discord, world, alice, "template list")
    assert listed["content"] == (
        "Event templates (/event template use makes an event):\n**Weekly training**: Training, 8 places, "
        "reminders 1h, at Gym"
    )
    refused = run(discord, world, alice, "template delete", name="Weekly training")
    assert refused["content"].startswith("Only organisers can do that")
    assert EventTemplate.objects.count() == 1
