"""Rides and rooms end to end: sandbox Discord → gateway → worker → Discord, for every
command and button of /ride and /room, /event logistics and the nudge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from carpool.models import Nudge, Ride, Room
from carpool.tasks import send_due_nudges
from core.models import Guild, Member
from events import services
from tests.e2e.conftest import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(discord, sandbox_cast):
    bob = discord.control.add_member(sandbox_cast.guild_id, username="bob")
    return {"olivia": sandbox_cast.organiser_id, "alice": sandbox_cast.member_id, "bob": int(bob["user"]["id"])}


@pytest.fixture
def event(world, people, muster_worker, gateway):
    """An event in three days that needs rides and rooms, everyone going (once Muster runs)."""
    now = timezone.now()
    for name, member_id in people.items():
        Member.objects.get_or_create(id=member_id, defaults={"username": name})
    guild = Guild.objects.get_or_create(id=world.guild_id, defaults={"name": "Muster HQ", "timezone": "UTC"})[0]
    start = (now + timedelta(days=3)).replace(hour=18, minute=0, second=0, microsecond=0)
    draft = services.EventDraft(
        title="Retreat", starts_at=start, ends_at=start + timedelta(days=1), needs_rides=True, needs_rooms=True
    )
    event = services.create_event(guild, draft, now=now, channel_id=world.channel_id)
    for n, member_id in enumerate(people.values()):
        services.respond(event.id, member_id, "going", sequence=n + 1, now=now)
    return event


def run(discord, world, user_id, command, subcommand, **options) -> dict:
    """Run ``/<command> <subcommand>`` and return the private answer the member sees."""
    ix = discord.control.inject_command(
        command, subcommand=subcommand, options=options or None, channel_id=world.channel_id, user_id=user_id
    )
    return discord.control.wait_for_original_edit(ix["id"], timeout=15)["original"]


def click(discord, message_id, custom_id, user_id) -> dict:
    """Click a button and return the private follow-up the member sees."""
    ix = discord.control.inject_component(message_id=message_id, custom_id=custom_id, user_id=user_id)
    record = wait_until(lambda: (r := discord.control.interaction(ix["id"]))["followups"] and r, what="follow-up")
    assert record["followups"][0]["ephemeral"] is True
    return record["followups"][0]


def footer(discord, message_id) -> str:
    return discord.control.message(message_id)["embeds"][0]["footer"]["text"]


def post_of(discord, world, title):
    return wait_until(
        lambda: next(
            (m for m in discord.control.messages(world.channel_id) if m["embeds"] and m["embeds"][0]["title"] == title),
            None,
        ),
        what=f"post {title}",
    )


def test_rides_from_offer_to_cancellation(discord, world, people, event, muster_worker, gateway):
    olivia, alice, bob = people["olivia"], people["alice"], people["bob"]
    post = post_of(discord, world, "Retreat")
    wait_until(lambda: "Rides: 0 of 0 seats taken · 0 still need a ride" in footer(discord, post["id"]), what="footer")
    assert [b["label"] for b in discord.control.message(post["id"])["components"][1]["components"]] == [
        "Rides",
        "Rooms",
    ]

    # Olivia offers two seats, typing the time (the guild's zone is UTC).
    leaves = event.starts_at - timedelta(hours=2)
    answer = run(
        discord,
        world,
        olivia,
        "ride",
        "offer",
        event=event.id,
        seats=2,
        **{"from": "North"},
        leaves=f"{leaves:%Y-%m-%d %H:%M}",
    )
    ride = Ride.objects.get()
    assert answer["content"].startswith(
        f"Offered 2 seats from North: ride {ride.id} to the event leaves <t:{int(leaves.timestamp())}:F>"
    )
    assert answer["flags"] & 64

    # Autocomplete offers the ride; alice joins it from the Rides button's private list.
    typed = discord.control.inject_autocomplete(
        "ride", subcommand="join", channel_id=world.channel_id, user_id=alice, focused="ride", options={"ride": "Retr"}
    )
    choices = discord.control.wait_for_response(typed["id"], timeout=10)["response"]["data"]["choices"]
    assert [choice["value"] for choice in choices] == [ride.id]
    board = click(discord, post["id"], f"ride:board:{event.id}", alice)
    assert board["content"].startswith("Rides for **Retreat**:")
    joined = click(discord, board["id"], f"ride:join:{ride.id}", alice)
    assert joined["content"].startswith(f"You have a seat in ride {ride.id} to the event with <@{olivia}>")
    assert discord.control.wait_for_dm(alice, contains="drives, leaving", timeout=15)
    assert discord.control.wait_for_dm(olivia, contains="rides with you", timeout=15)

    # Bad input: a private sentence, nothing written.
    refused = run(discord, world, olivia, "ride", "join", ride=ride.id)
    assert refused["content"] == "This is your own ride: passengers join it, you drive it."
    too_early = run(
        discord,
        world,
        bob,
        "ride",
        "offer",
        event=event.id,
        seats=3,
        **{"from": "South"},
        leaves=f"{event.starts_at - timedelta(hours=30):%Y-%m-%d %H:%M}",
    )
    assert too_early["content"] == "The departure must be within 24 hours of the event; pick a time closer to it."

    # Bob asks and is matched at once to the last seat.
    asked = run(discord, world, bob, "ride", "need", event=event.id, **{"from": "north"})
    assert asked["content"] == f"You have a seat to the event in ride {ride.id}: the driver and you got a DM."
    wait_until(
        lambda: "Rides: 2 of 2 seats taken · 0 still need a ride" in footer(discord, post["id"]), what="footer 2/2"
    )
    listed = run(discord, world, alice, "ride", "list", event=event.id)
    assert "No ride has a free seat yet." in listed["content"]
    mine = run(discord, world, bob, "ride", "mine")
    assert mine["content"].startswith(f"Seat in ride {ride.id} to the event for **Retreat**")

    left = run(discord, world, bob, "ride", "leave", ride=ride.id)
    assert left["content"] == f"You left ride {ride.id}; the driver is told."
    cancelled = run(discord, world, olivia, "ride", "cancel", ride=ride.id)
    assert cancelled["content"] == f"Cancelled ride {ride.id}; passengers are told and matched with other cars."
    assert discord.control.wait_for_dm(alice, contains="its driver cancelled it", timeout=15)
    wait_until(
        lambda: "Rides: 0 of 0 seats taken · 1 still need a ride" in footer(discord, post["id"]), what="footer after"
    )


def test_rooms_areas_logistics_and_the_nudge(discord, world, people, event, muster_worker, gateway):
    olivia, alice, bob = people["olivia"], people["alice"], people["bob"]
    post = post_of(discord, world, "Retreat")
    night = event.starts_at.date()

    offered = run(discord, world, olivia, "room", "offer", event=event.id, beds=1, place="Flat by the lake")
    room = Room.objects.get()
    assert offered["content"] == f"Offered room {room.id}: 1 bed in Flat by the lake, nights {night} to {night}."
    rooms = click(discord, post["id"], f"room:board:{event.id}", alice)
    claimed = click(discord, rooms["id"], f"room:claim:{room.id}", alice)
    assert claimed["content"] == f"You have a bed in room {room.id} for {night:%a %d %b}."
    full = run(discord, world, bob, "room", "claim", room=room.id)
    assert full["content"] == f"Room {room.id} is full on {night}: pick other nights or another room."
    outside = run(discord, world, bob, "room", "claim", room=room.id, nights=f"{night + timedelta(days=5)}")
    assert outside["content"].startswith("Pick nights from ")
    assert run(discord, world, alice, "room", "mine")["content"].startswith(f"Bed in room {room.id}")
    assert "0 free" in run(discord, world, bob, "room", "list", event=event.id)["content"]
    assert (
        run(discord, world, alice, "room", "leave", room=room.id)["content"]
        == f"You gave up your bed in room {room.id}."
    )
    assert (
        run(discord, world, olivia, "room", "cancel", room=room.id)["content"]
        == f"Cancelled room {room.id}; its sleepers are told."
    )

    # Areas: organisers keep them, members read them.
    assert run(discord, world, alice, "ride", "areas add", name="North")["content"].startswith(
        "Only organisers can do that"
    )
    assert run(discord, world, olivia, "ride", "areas add", name="North")["content"].startswith("Added the area North")
    assert run(discord, world, alice, "ride", "areas list")["content"] == "Areas: North."
    assert run(discord, world, olivia, "ride", "areas remove", name="north")["content"] == "Removed the area north."

    # An organiser puts bob in olivia's car; logistics shows who still has no ride.
    leaves = event.starts_at - timedelta(hours=1)
    run(
        discord,
        world,
        olivia,
        "ride",
        "offer",
        event=event.id,
        seats=3,
        **{"from": "Centre"},
        leaves=f"{leaves:%Y-%m-%d %H:%M}",
    )
    ride = Ride.objects.get()
    assigned = run(discord, world, olivia, "ride", "assign", ride=ride.id, member=str(bob))
    assert (
        assigned["content"]
        == f"<@{bob}> has a seat in ride {ride.id} (locked: only an organiser moves them); both are told by DM."
    )
    report = run(discord, world, olivia, "event", "logistics", event=event.id, nudge="2d")
    assert f"No ride to the event: <@{alice}> · 2 free seats" in report["content"]
    assert run(discord, world, alice, "event", "logistics", event=event.id)["content"].startswith(
        "Only organisers can do that"
    )

    # The nudge: alice (no ride) gets one DM; she says she is sorted from it.
    Nudge.objects.filter(event=event).update(due_at=timezone.now())
    send_due_nudges.delay()
    send_due_nudges.delay()
    (nudge,) = discord.control.wait_for_dm(alice, contains="have no ride yet", timeout=15)
    sorted_ = click(discord, nudge["id"], f"ride:sorted:{event.id}", alice)
    assert sorted_["content"] == "Noted: you get there yourself. No reminder about rides will come."
    assert len([m for m in discord.control.dms(alice) if "have no ride yet" in m["content"]]) == 1
    assert [m for m in discord.control.dms(bob) if "have no ride yet" in m["content"]] == []
