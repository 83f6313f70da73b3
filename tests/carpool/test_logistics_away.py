"""Leave quiets the ride nudge: a member away is not nudged, held once, and summarised on their return."""

from datetime import timedelta

import pytest

from carpool.logistics import send_due_nudges, set_nudge
from core import away_summary
from core.markup import timestamp
from core.models import HeldNudge, OutboundMessage
from tests.carpool.factories import START, going, logistics_event

pytestmark = pytest.mark.django_db


def dms(prefix, member):
    return list(OutboundMessage.objects.filter(idempotency_key__startswith=prefix, member_id=member.id))


def test_a_member_away_gets_no_ride_nudge_it_is_held_once_and_summarised_once_when_back(away):
    # Given two going members without a ride, bob away until the day after the event
    event = logistics_event()
    ann, bob = going(event), going(event)
    back = START + timedelta(days=1)
    away.send((event.guild_id, bob.id), until=back)
    set_nudge(event)

    # When the nudge is due (the tick run twice)
    assert send_due_nudges(now=START - timedelta(hours=48)) == 1
    assert send_due_nudges(now=START - timedelta(hours=47)) == 0

    # Then ann is nudged, bob is not, and the nudge is held for him once
    assert (len(dms("ride-nudge:", ann)), len(dms("ride-nudge:", bob))) == (1, 0)
    held = HeldNudge.objects.get()
    assert (held.member_id, held.guild_id, held.kind, held.key) == (
        bob.id,
        event.guild_id,
        "ride_nudge",
        f"ride-nudge:{event.id}",
    )
    assert held.text == f"**{event.title}** ({timestamp(event.starts_at, 'f')}): you had no ride yet"

    # And back from leave, one summary (a second tick sends nothing more)
    assert away_summary.send_due(now=back - timedelta(minutes=1)) == 0
    assert away_summary.send_due(now=back) == 1
    assert away_summary.send_due(now=back + timedelta(minutes=5)) == 0
    (dm,) = dms("away-summary:", bob)
    assert dm.payload["content"] == f"**While you were away**: you had no ride yet to an event.\n- {held.text}"
    assert dms("away-summary:", ann) == []
