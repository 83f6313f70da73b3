"""Role-restricted signup and signup options end to end: sandbox Discord → gateway → worker → Discord."""

from __future__ import annotations

import pytest

from events.models import Event, Registration
from tests.e2e.conftest import wait_until
from tests.e2e.test_events_flow import click, field, people, run  # noqa: F401 - people is a fixture

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_only_riders_sign_up_and_going_asks_which_option(discord, world, people, muster_worker, gateway):  # noqa: F811
    olivia, alice = people["olivia"], people["alice"]
    riders = discord.control.create_role(world.guild_id, "Riders")
    carl = int(discord.control.add_member(world.guild_id, username="carl", roles=[riders["id"]])["user"]["id"])
    dora = int(discord.control.add_member(world.guild_id, username="dora", roles=[riders["id"]])["user"]["id"])

    ix = discord.control.inject_command(
        "event", subcommand="create", options={"capacity": 5}, channel_id=world.channel_id, user_id=olivia
    )
    custom_id = discord.control.wait_for_response(ix["id"], timeout=3)["response"]["data"]["custom_id"]
    submit = discord.control.inject_modal_submit(
        channel_id=world.channel_id,
        user_id=olivia,
        custom_id=custom_id,
        fields={"title": "Rally", "start": "in 3 days", "end": "", "location": "", "description": ""},
    )
    discord.control.wait_for_original_edit(submit["id"], timeout=15)
    event = Event.objects.get(title="Rally")
    edited = run(
        discord, world, olivia, "edit", event=event.id, signup_options="Driver 1, Rider 4", only_role=riders["id"]
    )
    assert edited["content"].startswith("Updated ") and "**Rally**" in edited["content"]
    post = wait_until(
        lambda: next(
            (
                m
                for m in discord.control.messages(world.channel_id)
                if m["embeds"] and m["embeds"][0]["title"] == "Rally"
            ),
            None,
        ),
        what="event post",
    )

    # Alice holds no role: one private sentence names the role she needs.
    refused = click(discord, post["id"], f"event:going:{event.id}", alice)
    assert refused == f"Only members with the <@&{riders['id']}> role can sign up for this event."

    # Carl asks to go: the private question, one button per option; he picks Driver.
    ask = discord.control.inject_component(message_id=post["id"], custom_id=f"event:going:{event.id}", user_id=carl)
    record = wait_until(lambda: (r := discord.control.interaction(ask["id"]))["followups"] and r, what="question")
    question = record["followups"][0]
    assert question["ephemeral"] is True and question["content"].startswith("How are you going to ")
    buttons = question["components"][0]["components"]
    assert [b["label"] for b in buttons] == ["Driver (0/1)", "Rider (0/4)"]
    pick = discord.control.inject_component(message_id=question["id"], custom_id=buttons[0]["custom_id"], user_id=carl)
    answer = discord.control.wait_for_original_edit(pick["id"], timeout=15)["original"]
    assert answer["content"].startswith("You are going to ") and "**Rally**" in answer["content"]
    assert answer["content"].endswith(" as **Driver**. See you there!")

    # Dora wants to drive too: Driver is full, so she waits for a driver's place.
    ask = discord.control.inject_component(message_id=post["id"], custom_id=f"event:going:{event.id}", user_id=dora)
    record = wait_until(lambda: (r := discord.control.interaction(ask["id"]))["followups"] and r, what="question")
    full = record["followups"][0]
    assert [b["label"] for b in full["components"][0]["components"]] == ["Driver (1/1, waitlist)", "Rider (0/4)"]
    pick = discord.control.inject_component(
        message_id=full["id"], custom_id=full["components"][0]["components"][0]["custom_id"], user_id=dora
    )
    waiting = discord.control.wait_for_original_edit(pick["id"], timeout=15)["original"]
    assert " as **Driver** is full: you are number 1 on the waitlist." in waiting["content"]

    roster = wait_until(
        lambda: (m := discord.control.message(post["id"])) and "Driver (1/1, 1 waiting)" in str(m["embeds"]) and m,
        what="roster by option",
    )
    assert field(roster, "Driver")["value"] == f"<@{carl}>"

    # Carl can't go any more: Dora moves up as Driver and is told.
    assert click(discord, post["id"], f"event:declined:{event.id}", carl).startswith("Marked as can't go")
    dm = discord.control.wait_for_dm(dora, contains="A place opened up", timeout=15)
    assert "as **Driver**" in dm[0]["content"]
    assert Registration.objects.get(event=event, member_id=dora).status == "going"
