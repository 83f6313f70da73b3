"""A series end to end: sandbox Discord → gateway → worker → Discord, for its command and buttons."""

from __future__ import annotations

import pytest

from events.discord.messages import SERIES_JOIN, SERIES_LEAVE
from events.models import Event, Registration, Series
from tests.e2e.conftest import wait_until
from tests.e2e.test_events_flow import click, people, run  # noqa: F401 - people is a fixture

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_weekly_series_registered_for_as_a_whole(discord, world, people, muster_worker, gateway):  # noqa: F811
    olivia, alice, bob = people["olivia"], people["alice"], people["bob"]

    ix = discord.control.inject_command(
        "event",
        subcommand="create",
        options={"capacity": 1, "repeat": "weekly for 3 times"},
        channel_id=world.channel_id,
        user_id=olivia,
    )
    response = discord.control.wait_for_response(ix["id"], timeout=3)["response"]
    assert (response["type"], response["data"]["custom_id"]) == (9, "event:series:1:0:0:-:weekly for 3 times:")
    submit = discord.control.inject_modal_submit(
        channel_id=world.channel_id,
        user_id=olivia,
        custom_id=response["data"]["custom_id"],
        fields={"title": "Choir", "start": "in 3 days", "end": "", "location": "Hall", "description": ""},
    )
    created = discord.control.wait_for_original_edit(submit["id"], timeout=15)["original"]
    assert created["content"].startswith(
        "Created the series **Choir**, weekly for 3 times: 3 occurrences posted now, each later one 56 days ahead."
    )
    series = Series.objects.get()
    occurrences = list(series.occurrences.order_by("starts_at"))
    posts = wait_until(
        lambda: (
            (
                found := [
                    m
                    for m in discord.control.messages(world.channel_id)
                    if m["embeds"] and m["embeds"][0]["title"] == "Choir"
                ]
            )
            and len(found) == 3
            and found
        ),
        what="three occurrence posts",
    )
    labels = [b["label"] for b in posts[0]["components"][1]["components"]]
    assert labels == ["Register for the whole series", "Leave the series"]

    join = SERIES_JOIN.build(series_id=series.id)
    assert click(discord, posts[0]["id"], join, alice).startswith(
        "You are registered for the whole series **Choir**: going to 3 occurrences"
    )
    assert "(on the waitlist of 3: you get a DM if a place opens up)" in click(discord, posts[1]["id"], join, bob)
    statuses = {(r.event_id, r.member_id): r.status for r in Registration.objects.filter(event__in=occurrences)}
    assert statuses == {
        **{(o.id, alice): Registration.Status.GOING for o in occurrences},
        **{(o.id, bob): Registration.Status.WAITLISTED for o in occurrences},
    }
    wait_until(
        lambda: all("Going (1/1)" in str(discord.control.message(p["id"])["embeds"][0]["fields"]) for p in posts),
        what="rosters redrawn",
    )

    # Alice leaves: her places go to Bob, who is told by DM for each.
    assert click(discord, posts[2]["id"], SERIES_LEAVE.build(series_id=series.id), alice).startswith(
        "You left the series **Choir**. Your registration for 3 future occurrences was taken back."
    )
    wait_until(lambda: len(discord.control.dms(bob)) == 3, what="three promotion DMs")
    assert set(Registration.objects.values_list("member_id", "status")) == {(bob, Registration.Status.GOING)}

    # Olivia cancels the second and those after it.
    answer = run(discord, world, olivia, "cancel", event=occurrences[1].id, scope="following")
    assert answer["content"].startswith("Cancelled [**Choir**](https://discord.com/channels/")
    assert answer["content"].endswith(
        " and 1 other occurrence; registrants will be told by DM. The series has no more occurrences."
    )
    assert list(Event.objects.order_by("starts_at").values_list("status", flat=True)) == [
        Event.Status.SCHEDULED,
        Event.Status.CANCELLED,
        Event.Status.CANCELLED,
    ]
