"""Calendars end to end: sandbox Discord → gateway → worker → Discord, and the web process.

A member who is going to an event asks /event calendar and gets her private feed link, which
the real web process (gunicorn) serves as iCalendar with the event in it. The organiser turns
Discord's own Events on with /event native: the upcoming event appears as an external
scheduled event linking to the post, and when she cancels the event it is cancelled in
Discord too, and shows as cancelled in the member's feed.
"""

from __future__ import annotations

import re
from datetime import datetime

import httpx
import icalendar
import pytest

from devtools.ports import free_port
from events.discord.messages import RESPONSES
from events.models import Event
from tests.e2e.conftest import wait_until
from tests.e2e.test_events_flow import click, people, run  # noqa: F401 - people is a fixture
from tests.e2e.test_spaces_flow import create
from tests.processes import web_argv

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCHEDULED, CANCELED, EXTERNAL = 1, 4, 3


@pytest.fixture
def web(start_process, muster_env) -> str:
    """The web process as production runs it; its base URL, which is Muster's public URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = start_process(web_argv(port), {**muster_env, "MUSTER_PUBLIC_URL": base}, "web")
    process.wait_for_output(r"Booting worker", timeout=30)
    wait_until(lambda: _answers(f"{base}/healthz"), timeout=30, what="web answering")
    return base


def _answers(url: str) -> bool:
    try:
        httpx.get(url, timeout=5)
    except httpx.HTTPError:
        return False
    return True


def feed_events(url: str) -> list[icalendar.Event]:
    response = httpx.get(url, timeout=10)
    assert (response.status_code, response.headers["content-type"]) == (200, "text/calendar; charset=utf-8")
    return list(icalendar.Calendar.from_ical(response.content).walk("VEVENT"))


def test_a_members_calendar_link_and_the_events_mirrored_in_discord(
    discord,
    world,
    people,  # noqa: F811
    web,
    start_worker,
    gateway,
):
    start_worker(env={"MUSTER_PUBLIC_URL": web})
    olivia, alice = people["olivia"], people["alice"]
    event = create(discord, world, olivia, "Picnic")
    post_id = wait_until(lambda: Event.objects.get(id=event.id).message_id, what="the post's id")
    assert click(discord, post_id, RESPONSES["going"].build(event_id=event.id), alice).startswith("You are going")

    # /event calendar: alice's link, shown once; the web process serves it.
    answer = run(discord, world, alice, "calendar")["content"]
    assert answer.startswith("Your calendar link (the events you are going to, maybe going to or waitlisted for")
    url = re.search(r"https?://\S+\.ics", answer)[0]
    assert url.startswith(f"{web}/calendar/")
    (vevent,) = feed_events(url)
    assert (str(vevent["summary"]), str(vevent["status"])) == ("Picnic", "CONFIRMED")
    assert f"https://discord.com/channels/{world.guild_id}/{world.channel_id}/{post_id}" in str(vevent["description"])
    again = run(discord, world, alice, "calendar")
    assert again["content"].startswith("You already have a calendar link; it is shown only once")
    assert [b["label"] for b in again["components"][0]["components"]] == ["New link"]

    # /event native mirror:on: the upcoming event becomes Discord's own scheduled event.
    assert run(discord, world, alice, "native", mirror="on")["content"].startswith("Only organisers")
    turned = run(discord, world, olivia, "native", mirror="on")["content"]
    assert turned.startswith("Upcoming events are mirrored in Discord's Events (")
    mirrored = wait_until(lambda: discord.control.scheduled_events(world.guild_id), what="the scheduled event")
    (scheduled,) = mirrored
    assert (scheduled["name"], scheduled["status"], scheduled["entity_type"]) == ("Picnic", SCHEDULED, EXTERNAL)
    starts = datetime.fromisoformat(scheduled["scheduled_start_time"])
    assert starts == Event.objects.get(id=event.id).starts_at
    post = f"https://discord.com/channels/{world.guild_id}/{world.channel_id}/{post_id}"
    assert f"Register on Muster's post: {post}" in scheduled["description"]

    # Cancelled in Muster: cancelled in Discord, and in alice's calendar.
    assert run(discord, world, olivia, "cancel", event=event.id)["content"].startswith("Cancelled [**Picnic**]")
    wait_until(
        lambda: [e["status"] for e in discord.control.scheduled_events(world.guild_id)] in ([CANCELED], []),
        what="the scheduled event cancelled",
    )
    (vevent,) = feed_events(url)
    assert str(vevent["status"]) == "CANCELLED"
