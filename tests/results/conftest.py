"""Results' tests: an event of the cast's guild that has started, with alice going."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone


@pytest.fixture
def started(cast):
    from tests.events.factories import EventFactory, RegistrationFactory

    event = EventFactory(guild=cast.guild, title="Relay", starts_at=timezone.now() - timedelta(hours=1))
    RegistrationFactory(event=event, member=cast.member.member)
    return event
