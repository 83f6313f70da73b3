"""Date polls end to end: sandbox Discord → gateway → worker → Discord.

An organiser asks for the date with /poll dates (capacity 1), members vote for every time
they can make, and /poll decide creates the event: the chosen time's voters are registered
in the order they voted (the first going, the next waitlisted), and the one who voted only
for the other time is told. A second poll is decided from its post's *Pick the date* button
and the private menu it opens (a path of its own: organisers only).
"""

from __future__ import annotations

import pytest

from core.permissions import REFUSAL
from events.models import Event, Registration
from polls.discord.messages import DECIDE, PICK, VOTE
from polls.models import Poll
from tests.e2e.conftest import wait_until
from tests.e2e.test_events_flow import people  # noqa: F401 - a fixture
from tests.e2e.test_polls_flow import click, posted

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

Status = Registration.Status


def ask(discord, world, organiser: int, title: str, dates: str, capacity: int | None = None) -> Poll:
    """/poll dates and its form, as the organiser fills it in; the poll made."""
    options = {"capacity": capacity} if capacity else None
    ix = discord.control.inject_command(
        "poll", subcommand="dates", options=options, channel_id=world.channel_id, user_id=organiser
    )
    custom_id = discord.control.wait_for_response(ix["id"], timeout=3)["response"]["data"]["custom_id"]
    assert custom_id == f"poll:dates:{capacity or 0}:0"
    submit = discord.control.inject_modal_submit(
        channel_id=world.channel_id,
        user_id=organiser,
        custom_id=custom_id,
        fields={"title": title, "dates": dates, "closes": "", "location": "The pub"},
    )
    answer = discord.control.wait_for_original_edit(submit["id"], timeout=15)["original"]["content"]
    poll = Poll.objects.get(question=title)
    assert answer.startswith(f"Date poll {poll.id} is posted in <#{world.channel_id}>. The dates, earliest first")
    return poll


def test_a_date_poll_decided_creates_the_event_with_its_voters_in_vote_order(
    discord,
    world,
    people,  # noqa: F811
    muster_worker,
    gateway,
):
    olivia, alice, bob = people["olivia"], people["alice"], people["bob"]
    poll = ask(discord, world, olivia, "Quiz night", "2031-06-01 19:00\n2031-06-02 19:00", capacity=1)
    first, second = poll.options.order_by("position")
    post = posted(discord, world.channel_id, "Quiz night")
    labels = [b["label"] for b in post["components"][-1]["components"]]
    assert labels == ["Withdraw my vote", "Pick the date (organisers)"]

    def vote(option, member):
        return click(discord, post["id"], VOTE.build(poll_id=poll.id, option_id=option.id), member)

    vote(first, bob)  # bob votes first for the first date, then alice; olivia only for the second
    vote(first, alice)
    vote(second, alice)
    vote(second, olivia)

    answer = discord.control.inject_command(
        "poll",
        subcommand="decide",
        options={"poll": poll.id, "option": 1},
        channel_id=world.channel_id,
        user_id=olivia,
    )
    content = discord.control.wait_for_original_edit(answer["id"], timeout=15)["original"]["content"]
    assert content == (
        f"Chose <t:{int(first.starts_at.timestamp())}:F> for **Quiz night**: the event is posted in "
        f"<#{world.channel_id}>, 2 voters registered in vote order; 1 who voted for other dates are told."
    )
    event = Event.objects.get(title="Quiz night")
    assert (event.starts_at, event.capacity, event.location) == (first.starts_at, 1, "The pub")
    statuses = dict(Registration.objects.filter(event=event).values_list("member_id", "status"))
    assert statuses == {bob: Status.GOING, alice: Status.WAITLISTED}  # capacity 1, in vote order
    assert "you are **going**" in discord.control.wait_for_dm(bob, contains="The date poll chose")[0]["content"]
    assert "the **waitlist**" in discord.control.wait_for_dm(alice, contains="The date poll chose")[0]["content"]
    told = discord.control.wait_for_dm(olivia, contains="The date poll chose")[0]["content"]
    assert told.endswith("a time you did not vote for. If you can make it after all, click Going on its post.")
    assert Poll.objects.get(id=poll.id).event_id == event.id
    wait_until(lambda: discord.control.message(post["id"])["components"] == [], what="the poll's buttons removed")

    # A second poll, decided from its post: Pick the date opens a private menu (organisers only).
    picnic = ask(discord, world, olivia, "Picnic", "2031-07-01 12:00\n2031-07-08 12:00")
    _early, late = picnic.options.order_by("position")
    picnic_post = posted(discord, world.channel_id, "Picnic")
    click(discord, picnic_post["id"], VOTE.build(poll_id=picnic.id, option_id=late.id), alice)
    pick = PICK.build(poll_id=picnic.id)
    assert click(discord, picnic_post["id"], pick, alice) == REFUSAL
    menu_ix = discord.control.inject_component(message_id=picnic_post["id"], custom_id=pick, user_id=olivia)
    menu = wait_until(lambda: (r := discord.control.interaction(menu_ix["id"]))["followups"] and r, what="menu")
    menu = menu["followups"][0]
    assert menu["content"] == "Which date for **Picnic**? The event is created at once."
    assert menu["components"][0]["components"][0]["custom_id"] == DECIDE.build(poll_id=picnic.id)
    discord.control.inject_component(
        message_id=menu["id"], custom_id=DECIDE.build(poll_id=picnic.id), user_id=olivia, values=[str(late.id)]
    )
    answered = wait_until(
        lambda: (
            discord.control.message(menu["id"])["content"].startswith("Chose ") and discord.control.message(menu["id"])
        ),
        what="the menu's answer",
    )
    assert answered["components"] == []  # the menu is gone: it cannot be chosen twice
    made = Event.objects.get(title="Picnic")
    assert made.starts_at == late.starts_at
    assert dict(Registration.objects.filter(event=made).values_list("member_id", "status")) == {alice: Status.GOING}
    assert "you are **going**" in discord.control.wait_for_dm(alice, contains="**Picnic**")[0]["content"]
