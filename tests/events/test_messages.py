"""How events look in Discord, within Discord's limits whatever their size."""

from datetime import timedelta

import pytest

from core.discord_api.limits import check_message
from core.models import OutboundMessage
from events.discord.messages import event_link, event_message
from events.models import Registration, Roster
from events.services import send_due_reminders
from tests.events.factories import NOW, EventFactory, RegistrationFactory, ReminderFactory

pytestmark = pytest.mark.django_db
Status = Registration.Status


def test_an_event_shows_times_as_discord_timestamps_and_the_three_buttons():
    event = EventFactory(starts_at=NOW + timedelta(days=1), ends_at=NOW + timedelta(days=1, hours=2), capacity=10)
    roster = Roster(counts={Status.GOING: 2}, names={Status.GOING: [11, 12]})
    message = event_message(event, roster, now=NOW)
    embed = message["embeds"][0]
    start, end = int(event.starts_at.timestamp()), int(event.ends_at.timestamp())
    when = f"<t:{start}:F> (<t:{start}:R>)\nuntil <t:{end}:F>"
    assert embed["fields"][0] == {"name": "When", "value": when, "inline": False}
    assert embed["fields"][1] == {"name": "Going (2/10)", "value": "<@11>, <@12>", "inline": False}
    buttons = [b["custom_id"] for b in message["components"][0]["components"]]
    assert buttons == [f"event:going:{event.id}", f"event:maybe:{event.id}", f"event:declined:{event.id}"]
    assert message["allowed_mentions"] == {"parse": []}
    check_message(message)


def test_a_huge_roster_stays_within_the_embed_limits_and_says_how_many_more():
    event = EventFactory(title="T" * 100, description="D" * 2000, location="L" * 200, capacity=5000)
    ids = list(range(10**17, 10**17 + 40))
    roster = Roster(
        counts={Status.GOING: 5000, Status.WAITLISTED: 900, Status.MAYBE: 300},
        names={Status.GOING: ids, Status.WAITLISTED: ids, Status.MAYBE: ids},
    )
    message = event_message(event, roster, now=NOW)
    check_message(message)
    going = message["embeds"][0]["fields"][2]["value"]
    shown = going.count("<@")
    assert going.endswith(f" +{5000 - shown} more")
    assert len(going) <= 1024


def test_a_cancelled_or_started_event_has_no_buttons():
    assert event_message(EventFactory(status="cancelled"), Roster(), now=NOW)["components"] == []
    assert event_message(EventFactory(starts_at=NOW), Roster(), now=NOW)["components"] == []


def test_a_title_with_markdown_is_shown_as_typed_in_links():
    event = EventFactory(title="**x** [link](https://example.com)", channel_id=5, message_id=6)
    link = event_link(event)
    assert link == (
        r"[**\*\*x\*\* \[link\](https://example.com)**]"
        f"(https://discord.com/channels/{event.guild_id}/5/6)"
    )


def test_markdown_in_the_title_and_location_is_shown_as_typed_in_the_post():
    event = EventFactory(
        title="**Big** [x](https://evil.example)", location="__Back__ room [map](https://evil.example)"
    )
    embed = event_message(event, Roster(), now=NOW)["embeds"][0]
    assert embed["title"] == r"\*\*Big\*\* \[x\](https://evil.example)"
    assert embed["fields"][1] == {
        "name": "Where",
        "value": r"\_\_Back\_\_ room \[map\](https://evil.example)",
        "inline": False,
    }


def test_a_cancelled_title_that_escapes_long_stays_within_the_title_limit():
    event = EventFactory(title="*" * 100, status="cancelled")
    title = event_message(event, Roster(), now=NOW)["embeds"][0]["title"]
    assert (title, len(title)) == ("[Cancelled] " + r"\*" * 100, 212)


def test_markdown_in_the_location_is_escaped_in_the_reminder_dm():
    event = EventFactory(starts_at=NOW + timedelta(minutes=30), location="[here](https://evil.example)")
    ReminderFactory(event=event)
    RegistrationFactory(event=event)
    assert send_due_reminders(now=NOW) == 1
    content = OutboundMessage.objects.get().payload["content"]
    assert content.endswith(r" at \[here\](https://evil.example).")
