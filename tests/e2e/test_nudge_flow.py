"""Non-responder nudges end to end: sandbox Discord → gateway → worker → Discord."""

from __future__ import annotations

import pytest

from core.models import GuildMember
from events.discord.messages import RESPONSES
from events.models import Event, Registration
from tests.e2e.conftest import wait_until
from tests.e2e.test_events_flow import click, field, people, run  # noqa: F401 - people is a fixture

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
GOING = Registration.Status.GOING


def test_an_organiser_names_who_is_expected_and_nudges_those_who_have_not_answered(
    discord,
    world,
    people,  # noqa: F811
    muster_worker,
    gateway,
):
    olivia, alice, bob = people["olivia"], people["alice"], people["bob"]
    players = int(discord.control.create_role(world.guild_id, "Players")["id"])
    for member in (alice, bob):
        discord.control.update_member(world.guild_id, member, roles=[str(players)])
    held = GuildMember.objects.filter(guild_id=world.guild_id, role_ids=[players])
    wait_until(lambda: held.count() == 2, what="the role reaching the directory")

    # /event create with who is expected and when they are nudged: they ride in the form's id.
    ix = discord.control.inject_command(
        "event",
        subcommand="create",
        options={"expected": str(players), "nudges": "1d"},
        channel_id=world.channel_id,
        user_id=olivia,
    )
    response = discord.control.wait_for_response(ix["id"], timeout=3)["response"]
    assert response["data"]["custom_id"] == f"event:expecting:0:0:0:-:{players}:1d:"
    submit = discord.control.inject_modal_submit(
        channel_id=world.channel_id,
        user_id=olivia,
        custom_id=response["data"]["custom_id"],
        fields={"title": "Match", "start": "in 3 days", "end": "", "location": "", "description": ""},
    )
    created = discord.control.wait_for_original_edit(submit["id"], timeout=15)["original"]["content"]
    assert created.endswith(
        f"Expected: <@&{players}> who have not answered are nudged by DM 1d before registration closes; "
        "/event nudge nudges them now."
    )
    event = Event.objects.get()
    post = wait_until(
        lambda: next((m for m in discord.control.messages(world.channel_id) if m["embeds"]), None), what="the post"
    )
    assert field(post, "Signup")["value"].endswith("\n0 of 2 expected have answered.")

    # Alice answers on the post; olivia nudges the rest now, twice (a double click): one DM.
    assert click(discord, post["id"], RESPONSES[GOING].build(event_id=event.id), alice).startswith("You are going")
    answer = run(discord, world, olivia, "nudge", event=event.id)["content"]
    assert answer.startswith("Nudged 1 member by DM about [**Match**](https://discord.com/channels/")
    assert answer.endswith("; 1 of 2 expected have answered.")
    again = run(discord, world, olivia, "nudge", event=event.id)["content"]
    assert again.startswith("They were nudged <t:")
    [dm] = wait_until(lambda: discord.control.dms(bob), what="the nudge DM")
    assert dm["content"].startswith("You have not answered yet: will you come to [**Match**]")
    assert discord.control.dms(alice) == []

    # Bob answers from the DM's buttons; the post counts him.
    assert click(discord, dm["id"], RESPONSES[GOING].build(event_id=event.id), bob).startswith("You are going")
    assert set(Registration.objects.values_list("member_id", "status")) == {(alice, GOING), (bob, GOING)}
    wait_until(
        lambda: field(discord.control.message(post["id"]), "Signup")["value"].endswith(
            "2 of 2 expected have answered."
        ),
        what="the post redrawn",
    )

    # A member may not nudge.
    refused = run(discord, world, alice, "nudge", event=event.id)["content"]
    assert "organis" in refused
    nudged = [m for m in discord.control.dms(bob) if m["content"].startswith("You have not answered")]
    assert len(nudged) == 1  # (the other message in his DMs is the answer to his click)
