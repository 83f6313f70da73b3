"""Creating, editing and cancelling events; promotion from the waitlist; reminders."""

from datetime import timedelta

import pytest

from core.errors import RuleError
from core.models import OutboundMessage
from events.models import Event, Registration, Reminder
from events.services import (
    EventDraft,
    cancel_event,
    create_event,
    edit_event,
    remove_registration,
    respond,
    send_due_reminders,
)
from tests.events.factories import NOW, EventFactory, RegistrationFactory, ReminderFactory
from tests.factories import GuildFactory, MemberFactory

pytestmark = pytest.mark.django_db
Status = Registration.Status


def dms():
    return sorted(OutboundMessage.objects.values_list("member_id", "idempotency_key"))


def test_it_creates_an_event_in_the_announcement_channel_with_a_one_hour_reminder():
    guild = GuildFactory(announcement_channel_id=42)
    event = create_event(guild, EventDraft(title=" Picnic ", starts_at=NOW + timedelta(days=2), capacity=10), now=NOW)
    assert (event.title, event.channel_id, event.capacity) == ("Picnic", 42, 10)
    assert list(event.reminders.values_list("offset", "due_at")) == [
        (timedelta(hours=1), NOW + timedelta(days=2, hours=-1))
    ]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": " "}, "The event needs a title."),
        ({"starts_at": NOW}, "The start is in the past."),
        ({"ends_at": NOW + timedelta(hours=1)}, "The end must come after the start."),
        ({"signup_deadline": NOW - timedelta(hours=1)}, "The signup deadline is in the past."),
        ({"signup_deadline": NOW + timedelta(days=3)}, "The signup deadline must be no later than the start."),
        ({"capacity": 0}, "The capacity must be at least 1 (leave it empty for no limit)."),
    ],
)
def test_it_refuses_events_that_break_the_rules(fields, message):
    values = {"title": "Picnic", "starts_at": NOW + timedelta(days=2), **fields}
    with pytest.raises(RuleError) as error:
        create_event(GuildFactory(), EventDraft(**values), now=NOW)
    assert str(error.value) == message


def test_leaving_promotes_the_first_waiting_member_in_click_order_and_dms_them():
    event = EventFactory(capacity=1)
    going = RegistrationFactory(event=event)
    second = RegistrationFactory(event=event, status=Status.WAITLISTED, sequence=200)
    first = RegistrationFactory(event=event, status=Status.WAITLISTED, sequence=100)
    response = respond(event.id, going.member_id, Status.DECLINED, sequence=300, now=NOW)
    assert response.promoted == (first.member_id,)
    assert dict(event.registrations.values_list("member_id", "status")) == {
        going.member_id: "declined",
        first.member_id: "going",
        second.member_id: "waitlisted",
    }
    assert dms() == [(first.member_id, f"event-promoted:{event.id}:{first.member_id}:100")]
    message = OutboundMessage.objects.get()
    assert message.payload["content"].startswith(f"A place opened up: you are now **going** to **{event.title}**")


def test_an_organiser_removing_a_registration_promotes_the_waitlist():
    event = EventFactory(capacity=1)
    going = RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, status=Status.WAITLISTED)
    assert remove_registration(event.id, going.member_id, now=NOW) == (waiting.member_id,)
    assert list(event.registrations.values_list("member_id", "status")) == [(waiting.member_id, "going")]


def test_raising_the_capacity_promotes_as_many_as_fit():
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    waiting = RegistrationFactory.create_batch(3, event=event, status=Status.WAITLISTED)
    edit_event(event.id, now=NOW, capacity=3)
    assert event.registrations.filter(status=Status.GOING).count() == 3
    assert event.registrations.get(status=Status.WAITLISTED).member_id == waiting[2].member_id


def test_moving_an_event_moves_its_reminders_and_rearms_sent_ones():
    event = EventFactory()
    reminder = ReminderFactory(event=event, sent_at=NOW)
    edit_event(event.id, now=NOW, starts_at=event.starts_at + timedelta(days=1))
    reminder.refresh_from_db()
    assert (reminder.due_at, reminder.sent_at) == (event.starts_at + timedelta(days=1, hours=-1), None)


def test_the_capacity_cannot_drop_below_those_going():
    event = EventFactory(capacity=3)
    RegistrationFactory.create_batch(2, event=event)
    with pytest.raises(RuleError, match=r"^2 members are already going; the capacity cannot be lower"):
        edit_event(event.id, now=NOW, capacity=1)


def test_cancelling_tells_each_registrant_once_even_if_repeated():
    event = EventFactory()
    registrations = RegistrationFactory.create_batch(2, event=event)
    cancel_event(event.id, now=NOW)
    cancel_event(event.id, now=NOW)
    assert Event.objects.get(id=event.id).status == "cancelled"
    assert dms() == sorted((r.member_id, f"event-cancelled:{event.id}:{r.member_id}") for r in registrations)


def test_a_due_reminder_dms_everyone_going_exactly_once():
    event = EventFactory(starts_at=NOW + timedelta(minutes=30))
    reminder = ReminderFactory(event=event)
    going = RegistrationFactory(event=event)
    RegistrationFactory(event=event, member=MemberFactory(dm_reminders=False))
    RegistrationFactory(event=event, status=Status.MAYBE)
    assert send_due_reminders(now=NOW) == 1
    assert send_due_reminders(now=NOW + timedelta(minutes=1)) == 0
    start = int(event.starts_at.timestamp())
    assert dms() == [(going.member_id, f"event-reminder:{reminder.id}:{start}:{going.member_id}")]
    assert Reminder.objects.get().sent_at == NOW


def test_reminders_not_yet_due_or_of_cancelled_events_wait():
    ReminderFactory(event=EventFactory(starts_at=NOW + timedelta(hours=2)))
    cancelled = ReminderFactory(event=EventFactory(starts_at=NOW + timedelta(minutes=30), status="cancelled"))
    RegistrationFactory(event=cancelled.event)
    assert send_due_reminders(now=NOW) == 0
    assert Reminder.objects.filter(sent_at__isnull=False).count() == 0


def test_several_reminders_each_fire_once_at_their_own_time():
    guild = GuildFactory()
    offsets = [timedelta(days=1), timedelta(hours=1)]
    event = create_event(
        guild, EventDraft(title="Trip", starts_at=NOW + timedelta(days=2)), now=NOW, reminder_offsets=offsets
    )
    going = RegistrationFactory(event=event)
    assert send_due_reminders(now=NOW + timedelta(hours=23)) == 0
    assert send_due_reminders(now=NOW + timedelta(days=1)) == 1
    assert send_due_reminders(now=NOW + timedelta(days=1, hours=12)) == 0
    assert send_due_reminders(now=NOW + timedelta(days=1, hours=23)) == 1
    assert [key.split(":")[0] for _, key in dms() if _ == going.member_id].count("event-reminder") == 2
