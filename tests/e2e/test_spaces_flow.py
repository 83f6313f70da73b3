"""Event threads end to end: sandbox Discord → gateway → worker → Discord.

An organiser gives one event a private channel in a category and an attendee role with
/event edit: the channel's overwrites admit exactly the member going, who holds the role, and
both move to the one who moves up from the waitlist when she stops going. Then the organiser
sets the server's default to a thread, creates an event, and the members who click Going are
added to the thread started from the post; one who stops going is taken out, and the changes
are announced in the thread together.
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


def create(discord, world, organiser: int, title: str) -> Event:
    """/event create capacity:1 and its form, as the organiser fills it in."""
    ix = discord.control.inject_command(
        "event", subcommand="create", options={"capacity": 1}, channel_id=world.channel_id, user_id=organiser
    )
    custom_id = discord.control.wait_for_response(ix["id"], timeout=3)["response"]["data"]["custom_id"]
    submit = discord.control.inject_modal_submit(
        channel_id=world.channel_id,
        user_id=organiser,
        custom_id=custom_id,
        fields={"title": title, "start": "in 3 days", "end": "", "location": "", "description": ""},
    )
    discord.control.wait_for_original_edit(submit["id"], timeout=15)
    return Event.objects.get(title=title)


def admitted(discord, world, channel_id: int, among: set[int]) -> set[int]:
    """Which of ``among`` the private channel's overwrites let in (each has one, or none)."""
    channel = next(c for c in discord.control.guild(world.guild_id)["channels"] if c["id"] == str(channel_id))
    overwritten = {int(o["id"]) for o in channel["permission_overwrites"] if o["type"] == 1} & among
    assert overwritten == {p for p in among if discord.control.permissions_in(channel_id, p)["view_channel"]}
    return overwritten


def holding(discord, world, role_id: int, among: set[int]) -> set[int]:
    return {p for p in among if str(role_id) in discord.control.member(world.guild_id, p)["roles"]}


def test_an_events_channel_role_and_thread_follow_its_registrations(discord, world, people, start_worker, gateway):  # noqa: F811
    start_worker(env={"EVENT_SPACE_NEWS_WINDOW": "1"})  # news is told a second after the first change
    olivia, alice, bob = people["olivia"], people["alice"], people["bob"]
    everyone = {olivia, alice, bob}

    # A private channel in a category, and an attendee role, for one event (/event edit).
    category = discord.control.create_channel(world.guild_id, "Events", type=4)
    away = create(discord, world, olivia, "Away game")
    answer = run(
        discord,
        world,
        olivia,
        "edit",
        event=away.id,
        space="channel",
        space_category=category["id"],
        attendee_role=True,
    )
    assert "A private channel (being made) and an attendee role (being made)" in answer["content"]
    made = wait_until(
        lambda: EventSpace.objects.filter(event=away, channel_id__isnull=False, role_id__isnull=False).first(),
        what="the channel and the role",
    )
    channels = {c["id"]: c for c in discord.control.guild(world.guild_id)["channels"]}
    assert channels[str(made.channel_id)]["parent_id"] == category["id"]
    away_post = wait_until(lambda: Event.objects.get(id=away.id).message_id, what="the post's id")
    click(discord, away_post, RESPONSES["going"].build(event_id=away.id), alice)
    click(discord, away_post, RESPONSES["going"].build(event_id=away.id), bob)  # full: waitlisted
    wait_until(lambda: holding(discord, world, made.role_id, everyone) == {alice}, what="alice's role")
    assert admitted(discord, world, made.channel_id, everyone) == {alice}

    click(discord, away_post, RESPONSES["declined"].build(event_id=away.id), alice)  # bob moves up
    wait_until(lambda: holding(discord, world, made.role_id, everyone) == {bob}, what="the role from alice to bob")
    wait_until(lambda: admitted(discord, world, made.channel_id, everyone) == {bob}, what="bob in, alice out")

    # A thread under each new event's post, as the server's default.
    answer = run(discord, world, olivia, "defaults", space="thread")
    assert answer["content"].startswith("New events get a thread under its post for members going")

    event = create(discord, world, olivia, "Picnic")
    space = wait_until(lambda: EventSpace.objects.filter(event=event, channel_id__isnull=False).first(), what="thread")
    post_id = wait_until(lambda: Event.objects.get(id=event.id).message_id, what="the post's id")
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
