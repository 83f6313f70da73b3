"""Event threads end to end: sandbox Discord → gateway → worker → Discord.

An organiser sets the server's default to a thread, creates an event, and the members who
click Going are added to the thread started from the post; one who stops going is taken out,
and the changes are announced in the thread together.
"""

from __future__ import annotations

import pytest

from events.discord.messages import RESPONSES
from events.models import Event, EventSpace
from tests.e2e.conftest import wait_until
from tests.e2e.test_events_flow import click, people, run  # noqa: F401 - people is a fixture

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def told(discord, space) -> list[dict]:
    return discord.control.messages(space.channel_id)


def members_of(discord, thread_id: int) -> set[int]:
    thread = discord.control.thread(thread_id)
    return set(map(int, thread["members"])) - {int(thread["owner_id"])}


def test_an_event_with_a_thread_follows_its_registrations(discord, world, people, start_worker, gateway):  # noqa: F811
    start_worker(env={"EVENT_SPACE_NEWS_WINDOW": "1"})  # news is told a second after the first change
    olivia, alice, bob = people["olivia"], people["alice"], people["bob"]

    answer = run(discord, world, olivia, "defaults", space="thread")
    assert answer["content"].startswith("New events get a thread under its post for members going")

    ix = discord.control.inject_command(
        "event", subcommand="create", options={"capacity": 1}, channel_id=world.channel_id, user_id=olivia
    )
    custom_id = discord.control.wait_for_response(ix["id"], timeout=3)["response"]["data"]["custom_id"]
    submit = discord.control.inject_modal_submit(
        channel_id=world.channel_id,
        user_id=olivia,
        custom_id=custom_id,
        fields={"title": "Picnic", "start": "in 3 days", "end": "", "location": "", "description": ""},
    )
    discord.control.wait_for_original_edit(submit["id"], timeout=15)
    event = Event.objects.get()
    space = wait_until(lambda: EventSpace.objects.filter(event=event, channel_id__isnull=False).first(), what="thread")
    post_id = wait_until(lambda: Event.objects.get().message_id, what="the post's id")
    assert space.channel_id == post_id  # the thread is started from the post
    wait_until(
        lambda: any(m["content"].startswith("This thread is for everyone going to ") for m in told(discord, space)),
        what="the thread's first line",
    )

    assert click(discord, post_id, RESPONSES["going"].build(event_id=event.id), alice).startswith("You are going")
    click(discord, post_id, RESPONSES["going"].build(event_id=event.id), bob)  # full: waitlisted
    wait_until(lambda: members_of(discord, space.channel_id) == {alice}, what="alice in the thread")

    click(discord, post_id, RESPONSES["declined"].build(event_id=event.id), alice)  # bob moves up
    wait_until(lambda: members_of(discord, space.channel_id) == {bob}, what="bob in, alice out")

    moved_up = f"<@{bob}> moved up from the waitlist"
    wait_until(lambda: any(moved_up in m["content"] for m in told(discord, space)), what="the news", timeout=20)
    news = [m["content"] for m in told(discord, space) if m["content"].startswith("<@")]
    assert len(news) <= 2  # one message per window, not one per click (alice went, bob waited, alice left)
