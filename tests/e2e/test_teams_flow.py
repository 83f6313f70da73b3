"""Teams end to end: sandbox Discord → gateway → worker → Discord.

An organiser creates an event, alice and bob click Going, and the organiser asks for a role,
a private thread and a voice channel per team (/team spaces), then puts alice in Red and bob
in Blue (/team add). Each holds their team's role, is in its thread and sees its voice
channel, and is told their team by DM; moved to Blue, alice leaves Red's; when she stops
going she leaves her team altogether. The event's post lists the teams.
"""

from __future__ import annotations

import pytest

from events.discord.messages import RESPONSES
from events.models import Event
from teams.models import Team
from tests.e2e.conftest import wait_until
from tests.e2e.test_events_flow import click, people  # noqa: F401 - people is a fixture
from tests.e2e.test_spaces_flow import create

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def team_command(discord, world, user_id, subcommand, **options) -> str:
    ix = discord.control.inject_command(
        "team", subcommand=subcommand, options=options, channel_id=world.channel_id, user_id=user_id
    )
    return discord.control.wait_for_original_edit(ix["id"], timeout=15)["original"]["content"]


def thread_members(discord, thread_id: int) -> set[int]:
    thread = discord.control.thread(thread_id)
    return set(map(int, thread["members"])) - {int(thread["owner_id"])}


def holding(discord, world, role_id: int, among: set[int]) -> set[int]:
    return {p for p in among if str(role_id) in discord.control.member(world.guild_id, p)["roles"]}


def seeing(discord, channel_id: int, among: set[int]) -> set[int]:
    return {p for p in among if discord.control.permissions_in(channel_id, p)["view_channel"]}


def made(name: str) -> Team | None:
    return Team.objects.filter(
        name=name, role_id__isnull=False, thread_id__isnull=False, voice_channel_id__isnull=False
    ).first()


def test_teams_roles_threads_and_voice_channels_follow_the_teams(discord, world, people, start_worker, gateway):  # noqa: F811
    start_worker(env={"TEAM_NOTICE_WINDOW": "1"})  # members hear of their team a second after it settles
    olivia, alice, bob = people["olivia"], people["alice"], people["bob"]
    both = {alice, bob}
    event = create(discord, world, olivia, "Relay")
    Event.objects.filter(id=event.id).update(capacity=None)
    post = wait_until(lambda: Event.objects.get(id=event.id).message_id, what="the post's id")
    click(discord, post, RESPONSES["going"].build(event_id=event.id), alice)
    click(discord, post, RESPONSES["going"].build(event_id=event.id), bob)

    answer = team_command(discord, world, olivia, "spaces", event=event.id, role=True, room="thread", voice=True)
    assert answer.startswith("Each team gets a role, a private thread and a voice channel")
    assert team_command(discord, world, olivia, "add", event=event.id, team="Red", member=alice) == (
        f"<@{alice}> is in **Red** (team **Red** made); they are told by DM."
    )
    team_command(discord, world, olivia, "add", event=event.id, team="Blue", member=bob)

    red = wait_until(lambda: made("Red"), what="Red's role, thread and voice channel")
    blue = wait_until(lambda: made("Blue"), what="Blue's role, thread and voice channel")
    wait_until(lambda: holding(discord, world, red.role_id, both) == {alice}, what="alice's Red role")
    wait_until(lambda: thread_members(discord, red.thread_id) == {alice}, what="alice in Red's thread")
    wait_until(lambda: seeing(discord, red.voice_channel_id, both) == {alice}, what="Red's voice channel")
    wait_until(lambda: thread_members(discord, blue.thread_id) == {bob}, what="bob in Blue's thread")
    told = wait_until(
        lambda: [m for m in discord.control.dms(alice) if m["content"].startswith("You are in team **Red**")],
        what="alice's DM",
    )
    assert len(told) == 1

    team_command(discord, world, olivia, "move", event=event.id, member=alice, team="Blue")
    wait_until(lambda: holding(discord, world, blue.role_id, both) == both, what="alice's Blue role")
    wait_until(lambda: holding(discord, world, red.role_id, both) == set(), what="alice's Red role gone")
    wait_until(lambda: thread_members(discord, red.thread_id) == set(), what="alice out of Red's thread")
    wait_until(lambda: seeing(discord, blue.voice_channel_id, both) == both, what="alice in Blue's voice channel")
    wait_until(
        lambda: any(m["content"].startswith("You are in team **Blue**") for m in discord.control.dms(alice)),
        what="alice told of Blue",
    )

    click(discord, post, RESPONSES["declined"].build(event_id=event.id), alice)  # she leaves her team
    wait_until(lambda: holding(discord, world, blue.role_id, both) == {bob}, what="alice's Blue role gone")
    wait_until(lambda: thread_members(discord, blue.thread_id) == {bob}, what="alice out of Blue's thread")

    listed = team_command(discord, world, bob, "list", event=event.id)
    assert listed.splitlines()[1:] == [
        f"**Red** (0): nobody yet · role <@&{red.role_id}> · thread <#{red.thread_id}> · "
        f"voice channel <#{red.voice_channel_id}>",
        f"**Blue** (1): <@{bob}> · role <@&{blue.role_id}> · thread <#{blue.thread_id}> · "
        f"voice channel <#{blue.voice_channel_id}>",
    ]
    footer = lambda: discord.control.message(post)["embeds"][0]["footer"]["text"]  # noqa: E731
    wait_until(lambda: "Blue (1)" in footer(), what="the teams on the post")
    assert footer().splitlines()[-3:] == ["Teams:", "Red (0): -", "Blue (1): bob"]
