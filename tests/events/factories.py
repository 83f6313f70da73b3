"""Factories for events, registrations and reminders."""

from datetime import UTC, datetime, timedelta

import factory

from events.models import Event, Registration, Reminder
from events.services import click_sequence
from tests.factories import GuildFactory, MemberFactory

# The suite's fixed "now": a Sunday evening in Paris, clear of any DST change.
NOW = datetime(2026, 6, 7, 16, 0, tzinfo=UTC)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    guild = factory.SubFactory(GuildFactory)
    title = factory.Sequence(lambda n: f"Event {n}")
    starts_at = NOW + timedelta(days=7)
    channel_id = 700_000_000_000_000_001
    created_at = NOW


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    member = factory.SubFactory(MemberFactory)
    status = Registration.Status.GOING
    sequence = factory.Sequence(lambda n: click_sequence(NOW) + n)
    responded_at = NOW


class ReminderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reminder

    event = factory.SubFactory(EventFactory)
    offset = timedelta(hours=1)
    due_at = factory.LazyAttribute(lambda r: r.event.starts_at - r.offset)
