"""Results and check-in end to end: sandbox Discord → gateway → worker → Discord.

Olivia turns check-in on for a race that is running; alice, going, clicks Check in on its
post, once. Olivia posts the results with /results post: the gateway opens the form, the
worker posts the embed in the event's channel; posting again (the form filled in with what
was posted) edits that message, and /standings shows the season.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from core.models import Guild
from events.discord.messages import event_message, post_event
from events.models import Event, Registration
from results.models import CheckIn
from tests.e2e.conftest import wait_until
from tests.e2e.test_events_flow import click, people  # noqa: F401 - a fixture

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def results_message(discord, channel_id):
    return next(
        (
            m
            for m in discord.control.messages(channel_id)
            if m["embeds"] and m["embeds"][0]["title"] == "Results: Relay"
        ),
        None,
    )


def test_check_in_and_results_reach_the_channel(discord, world, people, muster_worker, gateway):  # noqa: F811
    olivia, alice = people["olivia"], people["alice"]
    wait_until(lambda: Guild.objects.filter(id=world.guild_id).exists(), what="the guild synced")

    # A race starting in two minutes, posted in the channel, alice going (she clicks Going first:
    # Muster learns of her through the gateway, as of any member).
    event = Event.objects.create(
        guild_id=world.guild_id,
        title="Relay",
        starts_at=timezone.now() + timedelta(minutes=2),
        ends_at=timezone.now() + timedelta(hours=2),
        channel_id=world.channel_id,
    )
    with transaction.atomic():
        post_event(event, event_message(event, event.roster(), now=timezone.now()))
    post = wait_until(
        lambda: next((m for m in discord.control.messages(world.channel_id) if m["embeds"]), None), what="event post"
    )
    assert click(discord, post["id"], f"event:going:{event.id}", alice).startswith("You are going to ")
    assert Registration.objects.filter(event=event, member_id=alice, status="going").exists()

    # Olivia turns check-in on: the post gets its Check in button (check-in opens 30 minutes before).
    ix = discord.control.inject_command(
        "results", subcommand="checkin", options={"event": event.id}, channel_id=world.channel_id, user_id=olivia
    )
    said = discord.control.wait_for_original_edit(ix["id"], timeout=15)["original"]["content"]
    assert said.startswith("Check-in is on for **Relay**")
    button = wait_until(
        lambda: next(
            (
                b
                for row in discord.control.message(post["id"])["components"]
                for b in row["components"]
                if b.get("label") == "Check in"
            ),
            None,
        ),
        what="the Check in button",
    )
    assert click(discord, post["id"], button["custom_id"], alice) == "You are checked in to **Relay**."
    assert click(discord, post["id"], button["custom_id"], alice).startswith("You already checked in to Relay")
    assert list(CheckIn.objects.filter(event=event).values_list("member_id", flat=True)) == [alice]
    wait_until(
        lambda: "Checked in: 1 of 1 going" in str(discord.control.message(post["id"])["embeds"]), what="the count"
    )

    # The race has run: olivia posts the results through the form.
    Event.objects.filter(id=event.id).update(starts_at=timezone.now() - timedelta(minutes=30))
    ix = discord.control.inject_command(
        "results", subcommand="post", options={"event": event.id}, channel_id=world.channel_id, user_id=olivia
    )
    form = discord.control.wait_for_response(ix["id"], timeout=5)["response"]
    assert (form["type"], form["data"]["custom_id"]) == (9, f"results:post:{event.id}")
    submit = discord.control.inject_modal_submit(
        channel_id=world.channel_id,
        user_id=olivia,
        custom_id=form["data"]["custom_id"],
        fields={"entries": f"1. <@{alice}> 25 — fastest lap\n2. Guests 18", "season": "Winter"},
    )
    answer = discord.control.wait_for_original_edit(submit["id"], timeout=15)["original"]["content"]
    assert answer == (
        f"Posted the results of **Relay** in <#{world.channel_id}> (2 entries, counted in the season **Winter**)."
    )
    posted = wait_until(lambda: results_message(discord, world.channel_id), what="the results post")
    assert posted["embeds"][0]["description"] == f"🥇**1.** <@{alice}> · 25 pts — fastest lap\n🥈**2.** Guests · 18 pts"

    # Posting again: the form comes filled in; the same message is edited.
    ix = discord.control.inject_command(
        "results", subcommand="post", options={"event": event.id}, channel_id=world.channel_id, user_id=olivia
    )
    again = discord.control.wait_for_response(ix["id"], timeout=5)["response"]
    typed = [c["components"][0].get("value") for c in again["data"]["components"]]
    assert typed == [f"1. <@{alice}> 25 — fastest lap\n2. Guests 18", "Winter"]
    submit = discord.control.inject_modal_submit(
        channel_id=world.channel_id,
        user_id=olivia,
        custom_id=again["data"]["custom_id"],
        fields={"entries": "1. Guests 30\n2. Late team 1", "season": "Winter"},
    )
    discord.control.wait_for_original_edit(submit["id"], timeout=15)
    edited = wait_until(
        lambda: (
            (m := discord.control.message(posted["id"]))["embeds"][0]["description"].startswith("🥇**1.** Guests") and m
        ),
        what="the results edited",
        timeout=20,
    )
    assert edited["embeds"][0]["description"] == "🥇**1.** Guests · 30 pts\n🥈**2.** Late team · 1 pt"
    assert (
        sum(
            1
            for m in discord.control.messages(world.channel_id)
            if m["embeds"] and "Results" in m["embeds"][0]["title"]
        )
        == 1
    )

    ix = discord.control.inject_command("standings", channel_id=world.channel_id, user_id=alice)
    standings = discord.control.wait_for_original_edit(ix["id"], timeout=15)["original"]
    assert standings["embeds"][0]["title"] == "Standings: Winter"
