"""The worker-side handlers of /poll, called with interactions as the dispatcher builds them."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from core.markup import timestamp
from core.timeparse import describe
from polls.models import Poll
from tests.cast import handle

pytestmark = pytest.mark.django_db


def create_form(cast, **fields):
    return cast.interaction(cast.organiser, kind="modal", custom_id="poll:create:0:0", fields=fields)


def test_the_create_form_echoes_how_the_closing_time_was_read(cast):
    reply = handle(create_form(cast, question="Lunch?", options="Pizza\nSushi", closes="in 3 hours"))
    poll = Poll.objects.get(question="Lunch?")
    assert poll.closes_at - timezone.now() < timedelta(hours=3)
    assert reply.content == (
        f"Poll {poll.id} is posted in <#{poll.channel_id}>. It closes {timestamp(poll.closes_at, 'F')} "
        f"(read as {describe(poll.closes_at, ZoneInfo('Europe/Paris'))})."
    )
