"""Editing and creating events: bounds, a moved start keeps the duration, reminders already
past are skipped and named, /event list links a post as soon as it is delivered."""

import re
from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from core.errors import RuleError
from core.models import OutboundMessage
from events.discord.messages import post_key
from events.models import Event, Reminder
from events.services import EventDraft, create_event, edit_event, send_due_reminders
from tests.cast import handle
from tests.events.factories import NOW, EventFactory, RegistrationFactory, ReminderFactory
from tests.factories import GuildFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "T" * 101}, "The title can be at most 100 characters; this one has 101."),
        ({"location": "L" * 201}, "The location can be at most 200 characters; this one has 201."),
        ({"description": "D" * 2001}, "The details can be at most 2000 characters; this one has 2001."),
        ({"capacity": 100_001}, "The capacity can be at most 100000."),
    ],
)
def test_an_edit_beyond_the_bounds_is_refused_with_a_sentence_and_changes_nothing(changes, message):
    event = EventFactory(title="Picnic", capacity=5)

    with pytest.raises(RuleError, match=rf"^{re.escape(message)}$"):
        edit_event(event.id, now=NOW, **changes)

    assert Event.objects.values_list("title", "location", "description", "capacity").get(id=event.id) == (
        "Picnic",
        "",
        "",
        5,
    )


def test_a_new_event_beyond_the_bounds_is_refused_too():
    draft = EventDraft(title="T" * 101, starts_at=NOW + timedelta(days=1))
    with pytest.raises(RuleError, match=r"^The title can be at most 100 characters; this one has 101\.$"):
        create_event(GuildFactory(), draft, now=NOW)
    assert Event.objects.count() == 0


def test_moving_the_start_keeps_the_duration():
    start = NOW + timedelta(days=3)
    event = EventFactory(starts_at=start, ends_at=start + timedelta(hours=2, minutes=30))

    moved = edit_event(event.id, now=NOW, starts_at=start + timedelta(days=2, hours=5)).event

    assert (moved.starts_at, moved.ends_at) == (
        start + timedelta(days=2, hours=5),
        start + timedelta(days=2, hours=7.5),
    )


def test_moving_the_start_with_an_end_given_takes_that_end():
    start = NOW + timedelta(days=3)
    event = EventFactory(starts_at=start, ends_at=start + timedelta(hours=2))

    moved = edit_event(
        event.id, now=NOW, starts_at=start + timedelta(hours=1), ends_at=start + timedelta(hours=5)
    ).event

    assert (moved.starts_at, moved.ends_at) == (start + timedelta(hours=1), start + timedelta(hours=5))
    with pytest.raises(RuleError, match=r"^The end must come after the start\.$"):
        edit_event(event.id, now=NOW, starts_at=start + timedelta(hours=6), ends_at=start + timedelta(hours=5))


def test_a_reminder_already_past_when_set_is_skipped_not_sent_and_named():
    event = EventFactory(starts_at=NOW + timedelta(days=4))
    RegistrationFactory(event=event)

    edited = edit_event(event.id, now=NOW, reminder_offsets=[timedelta(weeks=1), timedelta(days=1)])

    assert send_due_reminders(now=NOW + timedelta(minutes=1)) == 0
    assert OutboundMessage.objects.count() == 0
    assert edited.skipped_reminders == (timedelta(weeks=1),)
    assert sorted(event.reminders.values_list("offset", "skipped")) == [
        (timedelta(days=1), False),
        (timedelta(weeks=1), True),
    ]


def test_moving_the_start_skips_a_reminder_whose_time_has_passed_and_rearms_it_if_moved_back():
    event = EventFactory(starts_at=NOW + timedelta(days=10))
    reminder = ReminderFactory(event=event, offset=timedelta(weeks=1))
    RegistrationFactory(event=event)

    earlier = edit_event(event.id, now=NOW, starts_at=NOW + timedelta(days=4))
    assert send_due_reminders(now=NOW + timedelta(minutes=1)) == 0
    assert earlier.skipped_reminders == (timedelta(weeks=1),)

    later = edit_event(event.id, now=NOW, starts_at=NOW + timedelta(days=9))
    assert later.skipped_reminders == ()
    reminder.refresh_from_db()
    assert (reminder.due_at, reminder.sent_at, reminder.skipped) == (NOW + timedelta(days=2), None, False)


# Through Discord.


def future(days: int):
    return (timezone.now() + timedelta(days=days)).replace(second=0, microsecond=0)


def test_the_organiser_is_told_which_reminders_were_skipped_and_that_registrants_will_be_told(cast):
    event = EventFactory(guild=cast.guild, title="Picnic", starts_at=future(4))
    options = {"event": event.id, "reminders": "1w, 1d, 2w", "location": "The park"}

    reply = handle(cast.interaction(cast.organiser, command="event edit", options=options))

    assert reply.content == (
        "Updated **Picnic**; registrants will be told by DM in a minute (with any other change you make until then). "
        "Skipped reminders (their time has already passed): 1w, 2w."
    )
    capacity = handle(
        cast.interaction(cast.organiser, command="event edit", options={"event": event.id, "capacity": 9})
    )
    assert capacity.content == "Updated **Picnic**."


def test_the_create_form_names_the_reminders_it_skipped(cast):
    start = future(3).astimezone(UTC)
    interaction = cast.interaction(
        cast.organiser,
        kind="modal",
        custom_id="event:create:0:0:0:1w,1h:",
        fields={"title": "Hike", "start": start.strftime("%Y-%m-%d %H:%M Z")},
    )

    reply = handle(interaction)

    assert reply.content.endswith(" Skipped reminders (their time has already passed): 1w.")
    assert sorted(Reminder.objects.values_list("offset", "skipped")) == [
        (timedelta(hours=1), False),
        (timedelta(weeks=1), True),
    ]


def test_the_event_list_links_a_post_as_soon_as_the_outbox_delivered_it(cast):
    event = EventFactory(guild=cast.guild, title="Picnic", starts_at=future(2), channel_id=42)
    OutboundMessage.objects.create(
        idempotency_key=post_key(event), channel_id=42, payload={}, status="delivered", delivered_message_id=777
    )

    listed = handle(cast.interaction(cast.member, command="event list"))

    link = f"[**Picnic**](https://discord.com/channels/{cast.guild.id}/42/777)"
    assert listed.embeds[0]["description"].startswith(f"`{event.id}` {link} — ")
    assert Event.objects.get(id=event.id).message_id == 777
