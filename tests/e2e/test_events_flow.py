"""Events end to end: sandbox Discord → gateway → worker → Discord, for every command and button."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import Guild
from core.permissions import REFUSAL
from events import services
from events.models import Event, Registration
from events.tasks import send_due_reminders
from tests.e2e.conftest import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(discord, sandbox_cast):
    """The cast (olivia organises, alice is a member) and Bob, who comes after alice."""
    bob = discord.control.add_member(sandbox_cast.guild_id, username="bob")
    return {"olivia": sandbox_cast.organiser_id, "alice": sandbox_cast.member_id, "bob": int(bob["user"]["id"])}


def run(discord, world, user_id, subcommand, **options):
    """Run ``/event <subcommand>`` and return the edited private answer."""
    ix = discord.control.inject_command(
        "event", subcommand=subcommand, options=options or None, channel_id=world.channel_id, user_id=user_id
    )
    return discord.control.wait_for_original_edit(ix["id"], timeout=15)["original"]


def click(discord, message_id, custom_id, user_id) -> str:
    """Click a button and return the private follow-up the member sees."""
    ix = discord.control.inject_component(message_id=message_id, custom_id=custom_id, user_id=user_id)
    record = wait_until(lambda: (r := discord.control.interaction(ix["id"]))["followups"] and r, what="follow-up")
    assert record["followups"][0]["ephemeral"] is True
    return record["followups"][0]["content"]


def field(message, name_start):
    return next(f for f in message["embeds"][0]["fields"] if f["name"].startswith(name_start))


def test_an_event_from_creation_to_cancellation(discord, world, people, start_worker, gateway):
    start_worker(env={"EVENT_EDIT_WINDOW": "1"})  # registrants hear of an edit a second after it
    olivia, alice, bob = people["olivia"], people["alice"], people["bob"]

    # /event create opens the form; its custom_id carries the capacity.
    ix = discord.control.inject_command(
        "event",
        subcommand="create",
        options={"capacity": 1, "reminders": "2h,1h"},
        channel_id=world.channel_id,
        user_id=olivia,
    )
    response = discord.control.wait_for_response(ix["id"], timeout=3)["response"]
    assert response["type"] == 9  # a modal
    custom_id = response["data"]["custom_id"]
    assert custom_id == "event:create:1:0:0:2h,1h:"

    # An unreadable start is refused, saying what was understood.
    bad = discord.control.inject_modal_submit(
        channel_id=world.channel_id, user_id=olivia, custom_id=custom_id, fields={"title": "Picnic", "start": "soonish"}
    )
    refusal = discord.control.wait_for_original_edit(bad["id"], timeout=15)["original"]
    assert refusal["content"].startswith("I could not read the start 'soonish'.")

    submit = discord.control.inject_modal_submit(
        channel_id=world.channel_id,
        user_id=olivia,
        custom_id=custom_id,
        fields={
            "title": "Picnic",
            "start": "2031-06-01 18:30",
            "end": "",
            "location": "The park",
            "description": "Bring food",
        },
    )
    created = discord.control.wait_for_original_edit(submit["id"], timeout=15)["original"]
    event = Event.objects.get(title="Picnic")
    assert created["content"].startswith(
        "Created **Picnic** for <t:1938105000:F> (read as Sunday 1 June 2031 18:30 (UTC))"
    )
    assert sorted(event.reminders.values_list("offset", flat=True)) == [timedelta(hours=1), timedelta(hours=2)]
    post = wait_until(
        lambda: next(
            (
                m
                for m in discord.control.messages(world.channel_id)
                if m["embeds"] and m["embeds"][0]["title"] == "Picnic"
            ),
            None,
        ),
        what="event post",
    )
    assert [b["label"] for b in post["components"][0]["components"]] == ["Going", "Maybe", "Can't go"]

    # Alice takes the only place; Bob goes on the waitlist; the roster follows (coalesced).
    assert click(discord, post["id"], f"event:going:{event.id}", alice).startswith("You are going to ")
    assert click(discord, post["id"], f"event:going:{event.id}", bob).endswith(
        "is full: you are number 1 on the waitlist. You will get a DM if a place opens up."
    )
    roster = wait_until(
        lambda: (
            (m := discord.control.message(post["id"]))["embeds"][0]["fields"][2]["name"] == "Going (1/1)"
            and "Waitlist" in str(m["embeds"])
            and m
        ),
        what="roster edit",
    )
    assert field(roster, "Going")["value"] == f"<@{alice}>"
    assert field(roster, "Waitlist")["value"] == f"<@{bob}>"

    # Olivia says maybe: listed under Maybe, no place taken.
    assert click(discord, post["id"], f"event:maybe:{event.id}", olivia).startswith("Marked as maybe for ")

    # Alice can't go any more: Bob is promoted and told by DM.
    assert click(discord, post["id"], f"event:declined:{event.id}", alice).startswith("Marked as can't go")
    dm = discord.control.wait_for_dm(bob, contains="A place opened up", timeout=15)
    assert "you are now **going** to" in dm[0]["content"]
    assert Registration.objects.get(event=event, member_id=bob).status == "going"

    # Only organisers may create: Alice is refused at once, privately, without a form.
    denied = discord.control.inject_command("event", subcommand="create", channel_id=world.channel_id, user_id=alice)
    answer = discord.control.wait_for_response(denied["id"], timeout=3)["response"]
    assert (answer["type"], answer["data"]["content"], answer["data"]["flags"]) == (4, REFUSAL, 64)
    assert run(discord, world, alice, "cancel", event=event.id)["content"] == REFUSAL

    # Show, list, edit (Bob is told), remove, cancel (Bob is told, the buttons go).
    assert run(discord, world, alice, "show", event=event.id)["embeds"][0]["title"] == "Picnic"
    assert (
        f"`{event.id}` [**Picnic**](https://discord.com/channels/"
        in run(discord, world, alice, "list")["embeds"][0]["description"]
    )
    edited = run(discord, world, olivia, "edit", event=event.id, location="The beach")
    told = "; registrants will be told by DM in 1 second (with any other change you make until then)."
    assert edited["content"].endswith(told)
    dm = discord.control.wait_for_dm(bob, contains="has changed", timeout=15)
    assert dm[0]["content"].endswith(" has changed: it is now at The beach instead of The park.")
    assert run(discord, world, olivia, "remove", event=event.id, member=str(bob))["content"].startswith("Removed")
    run(discord, world, olivia, "cancel", event=event.id)
    wait_until(lambda: discord.control.message(post["id"])["embeds"][0]["title"] == "[Cancelled] Picnic", what="cancel")
    assert discord.control.message(post["id"])["components"] == []


def test_members_set_their_time_zone_and_get_reminders_once(discord, world, people, muster_worker, gateway):
    alice = people["alice"]
    ix = discord.control.inject_command(
        "muster",
        subcommand="timezone",
        options={"zone": "America/New_York"},
        channel_id=world.channel_id,
        user_id=alice,
    )
    answer = discord.control.wait_for_original_edit(ix["id"], timeout=15)["original"]["content"]
    assert answer.startswith("Your time zone is now America/New_York; it is ")

    now = timezone.now()
    guild = Guild.objects.get(id=world.guild_id)
    draft = services.EventDraft(title="Standup", starts_at=now + timedelta(minutes=30))
    offsets = [timedelta(minutes=20)]
    event = services.create_event(guild, draft, now=now, channel_id=world.channel_id, reminder_offsets=offsets)
    services.respond(event.id, alice, "going", sequence=1, now=now)
    event.reminders.update(due_at=now)  # ten minutes later, as far as the reminder knows

    send_due_reminders.delay()
    send_due_reminders.delay()
    dm = discord.control.wait_for_dm(alice, contains="Reminder:", timeout=15)
    assert dm[0]["content"].startswith("Reminder: ")
    wait_until(lambda: event.reminders.filter(sent_at__isnull=False).exists(), what="claim")
    assert len([m for m in discord.control.dms(alice) if m["content"].startswith("Reminder:")]) == 1


def test_a_refused_form_reopens_filled_in_with_what_was_typed(discord, world, people, muster_worker, gateway):
    olivia, alice = people["olivia"], people["alice"]
    ix = discord.control.inject_command(
        "event", subcommand="create", options={"capacity": 3}, channel_id=world.channel_id, user_id=olivia
    )
    custom_id = discord.control.wait_for_response(ix["id"], timeout=3)["response"]["data"]["custom_id"]
    typed = {"title": "Quiz", "start": "soonish", "end": "", "location": "The pub", "description": "Teams of four"}
    bad = discord.control.inject_modal_submit(
        channel_id=world.channel_id, user_id=olivia, custom_id=custom_id, fields=typed
    )
    refusal = discord.control.wait_for_original_edit(bad["id"], timeout=15)["original"]
    assert refusal["content"].startswith("I could not read the start 'soonish'.")
    (button,) = refusal["components"][0]["components"]
    assert button["label"] == "Edit and try again"

    # Alice cannot reopen Olivia's form; Olivia gets it back, filled in, as the first answer.
    theirs = discord.control.inject_component(message_id=refusal["id"], custom_id=button["custom_id"], user_id=alice)
    answer = discord.control.wait_for_response(theirs["id"], timeout=3)["response"]
    assert (answer["type"], answer["data"]["flags"]) == (4, 64)
    assert answer["data"]["content"].startswith("That form has expired")
    click = discord.control.inject_component(message_id=refusal["id"], custom_id=button["custom_id"], user_id=olivia)
    reopened = discord.control.wait_for_response(click["id"], timeout=3)["response"]
    assert (reopened["type"], reopened["data"]["custom_id"]) == (9, custom_id)
    inputs = [row["components"][0] for row in reopened["data"]["components"]]
    assert [(i["custom_id"], i.get("value")) for i in inputs] == [
        ("title", "Quiz"),
        ("start", "soonish"),
        ("end", None),
        ("location", "The pub"),
        ("description", "Teams of four"),
    ]

    fixed = discord.control.inject_modal_submit(
        channel_id=world.channel_id,
        user_id=olivia,
        custom_id=reopened["data"]["custom_id"],
        fields={**typed, "start": "2031-06-01 18:30"},
    )
    created = discord.control.wait_for_original_edit(fixed["id"], timeout=15)["original"]
    assert created["content"].startswith("Created **Quiz** for <t:1938105000:F>")
    event = Event.objects.get(title="Quiz")
    assert (event.capacity, event.location, event.description) == (3, "The pub", "Teams of four")


def test_a_form_whose_custom_id_names_another_servers_channel_posts_nothing_there(
    discord, world, people, muster_worker, gateway
):
    # The form's custom_id comes back from the member's client, which could change it.
    olivia = people["olivia"]
    foreign = int(discord.control.create_guild("Elsewhere, with the bot")["channels"][0]["id"])
    ours = int(discord.control.create_channel(world.guild_id, "events")["id"])
    fields = {"title": "Picnic", "start": "2031-06-01 18:30"}
    opened = discord.control.inject_command("event", subcommand="create", channel_id=world.channel_id, user_id=olivia)
    discord.control.wait_for_response(opened["id"], timeout=3)  # the form olivia's client then tampers with

    def submit(channel_id: int) -> str:
        custom_id = f"event:create:0:{channel_id}:0:-:"
        ix = discord.control.inject_modal_submit(
            channel_id=world.channel_id, user_id=olivia, custom_id=custom_id, fields=fields, forged=True
        )
        return discord.control.wait_for_original_edit(ix["id"], timeout=15)["original"]["content"]

    assert submit(foreign) == "That channel is not in this server; pick one of its channels."
    assert submit(9_999_999_999_999_999) == "I cannot see that channel; pick one of this server's channels."
    assert submit(ours).endswith(f"; it is posted in <#{ours}>.")
    wait_until(lambda: discord.control.messages(ours), what="the post in the chosen channel")
    assert list(Event.objects.values_list("title", "channel_id")) == [("Picnic", ours)]
    assert discord.control.messages(foreign) == []
