"""Polls end to end: create, vote, change, withdraw, close by hand and at the deadline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import CommandLog, Guild
from polls import services
from polls.models import Poll
from polls.tasks import close_due_polls
from tests.e2e.conftest import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(discord, sandbox_cast):
    """The cast (olivia organises, alice is a member) and Bob, who comes after alice."""
    bob = discord.control.add_member(sandbox_cast.guild_id, username="bob")
    return {"olivia": sandbox_cast.organiser_id, "alice": sandbox_cast.member_id, "bob": int(bob["user"]["id"])}


def click(discord, message_id, custom_id, user_id, values=None) -> str:
    ix = discord.control.inject_component(message_id=message_id, custom_id=custom_id, user_id=user_id, values=values)
    record = wait_until(lambda: (r := discord.control.interaction(ix["id"]))["followups"] and r, what="follow-up")
    return record["followups"][0]["content"]


def posted(discord, channel_id, title):
    return wait_until(
        lambda: next(
            (m for m in discord.control.messages(channel_id) if m["embeds"] and m["embeds"][0].get("title") == title),
            None,
        ),
        what=f"post {title!r}",
    )


def shows(discord, message_id, text):
    return wait_until(lambda: text in discord.control.message(message_id)["embeds"][0]["description"], what=text)


def test_a_poll_from_creation_to_its_result(discord, world, people, muster_worker, gateway):
    olivia, alice, bob = people["olivia"], people["alice"], people["bob"]
    ix = discord.control.inject_command("poll", subcommand="create", channel_id=world.channel_id, user_id=olivia)
    custom_id = discord.control.wait_for_response(ix["id"], timeout=3)["response"]["data"]["custom_id"]
    assert custom_id == "poll:create:0:0"
    fields = {"question": "Lunch?", "options": "Pizza\nSushi\n"}
    submit = discord.control.inject_modal_submit(
        channel_id=world.channel_id, user_id=olivia, custom_id=custom_id, fields=fields
    )
    assert discord.control.wait_for_original_edit(submit["id"], timeout=15)["original"]["content"].startswith("Poll ")
    poll = Poll.objects.get(question="Lunch?")
    pizza, sushi = poll.options.order_by("position")
    post = posted(discord, world.channel_id, "Lunch?")
    assert [b["custom_id"] for b in post["components"][0]["components"]] == [
        f"poll:vote:{poll.id}:{pizza.id}",
        f"poll:vote:{poll.id}:{sushi.id}",
    ]

    assert click(discord, post["id"], f"poll:vote:{poll.id}:{pizza.id}", alice) == "Your vote: **Pizza**."
    assert click(discord, post["id"], f"poll:vote:{poll.id}:{pizza.id}", bob) == "Your vote: **Pizza**."
    shows(discord, post["id"], "`████████████████` 2 · 100%")
    assert click(discord, post["id"], f"poll:vote:{poll.id}:{sushi.id}", bob) == "Your vote: **Sushi**."
    assert click(discord, post["id"], f"poll:withdraw:{poll.id}", alice) == "Your vote was withdrawn."
    shows(discord, post["id"], "**1. Pizza**\n`░░░░░░░░░░░░░░░░` 0 · 0%\n**2. Sushi**\n`████████████████` 1 · 100%")

    close = discord.control.inject_command(
        "poll", subcommand="close", options={"poll": poll.id}, channel_id=world.channel_id, user_id=olivia
    )
    assert discord.control.wait_for_original_edit(close["id"], timeout=15)["original"]["content"].startswith("Closed")
    result = discord.control.wait_for_message(world.channel_id, contains="Poll closed: **Lunch?**", timeout=15)
    assert result[0]["content"] == "Poll closed: **Lunch?**\nResult: **Sushi** with 1 vote."
    wait_until(lambda: discord.control.message(post["id"])["components"] == [], what="buttons removed")


def test_an_anonymous_poll_with_many_options_closes_itself_and_names_nobody(
    discord, world, people, muster_worker, gateway
):
    alice = people["alice"]
    now = timezone.now()
    guild = Guild.objects.get_or_create(id=world.guild_id, defaults={"name": "Muster HQ"})[0]
    options = [f"Choice {n}" for n in range(1, 8)]
    draft = services.PollDraft("Secret?", options, anonymous=True, closes_at=now + timedelta(seconds=3))
    poll = services.create_poll(guild, draft, now=now, channel_id=world.channel_id)
    post = posted(discord, world.channel_id, "Secret?")
    assert [len(row["components"]) for row in post["components"]] == [5, 2, 1]  # buttons, never a select
    third = poll.options.get(position=3)
    answer = click(discord, post["id"], f"poll:vote:{poll.id}:{third.id}", alice)
    assert answer == "Your vote is counted. This poll is anonymous: nobody can see what you chose."
    shows(discord, post["id"], "**3. Choice 3**\n`████████████████` 1 · 100%")
    assert f"<@{alice}>" not in str(discord.control.message(post["id"]))
    entry = CommandLog.objects.get(command="poll:vote")
    assert entry.member_id is None  # a redacted interaction names nobody
    assert str(third.id) not in str(entry.options) + str(entry.reply)

    wait_until(lambda: timezone.now() > poll.closes_at, what="deadline")
    close_due_polls.delay()
    close_due_polls.delay()
    result = discord.control.wait_for_message(world.channel_id, contains="Poll closed: **Secret?**", timeout=15)
    assert result[0]["content"].endswith("Result: **Choice 3** with 1 vote.")
    assert Poll.objects.get(id=poll.id).status == "closed"
    assert len(discord.control.wait_for_message(world.channel_id, contains="Poll closed", timeout=2)) == 1


def test_a_select_sets_the_choices_of_a_multiple_choice_poll(discord, world, people, muster_worker, gateway):
    bob = people["bob"]
    now = timezone.now()
    guild = Guild.objects.get_or_create(id=world.guild_id, defaults={"name": "Muster HQ"})[0]
    draft = services.PollDraft("Which days?", ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat"], multiple_choice=True)
    poll = services.create_poll(guild, draft, now=now, channel_id=world.channel_id)
    post = posted(discord, world.channel_id, "Which days?")
    tue, sat = poll.options.get(label="Tue"), poll.options.get(label="Sat")
    answer = click(discord, post["id"], f"poll:select:{poll.id}", bob, values=[str(tue.id), str(sat.id)])
    assert answer == "Your vote: **Tue**, **Sat**."
    wait_until(
        lambda: f"<@{bob}>" in str(discord.control.message(post["id"])["embeds"][0].get("fields")),
        what="voters shown",
    )
