"""Leave quiets event nudges: a member away is not nudged, the event is held once, and summarised on their return."""

from datetime import timedelta

import pytest

from core import away_summary
from core.markup import timestamp
from core.models import HeldNudge, OutboundMessage
from events.nudges import Expected, nudge_now, send_due
from events.services import EventDraft, create_event
from tests.events.factories import NOW
from tests.factories import GuildFactory, GuildMemberFactory

pytestmark = pytest.mark.django_db
ROLE = 500_000_000_000_000_001
DAY = timedelta(days=1)


def nudged(member_id):
    return OutboundMessage.objects.filter(idempotency_key__startswith="event-nudge:", member_id=member_id).count()


def summaries(member_id):
    return list(OutboundMessage.objects.filter(idempotency_key__startswith="away-summary:", member_id=member_id))


def test_a_member_away_gets_no_nudge_the_event_is_held_once_and_summarised_once_when_back(away):
    # Given a match expecting ann and bob, nudged three days and one day before; bob away until after it
    guild = GuildFactory()
    ann, bob = (GuildMemberFactory(guild=guild, role_ids=[ROLE]) for _ in range(2))
    draft = EventDraft(title="Match", starts_at=NOW + 7 * DAY)
    event = create_event(guild, draft, now=NOW, expected=Expected(ROLE, (3 * DAY, DAY)))
    back = NOW + 8 * DAY
    away.send(bob, until=back, reason="on leave until Monday")

    # When both nudges are due (each tick run twice)
    for at in (NOW + 4 * DAY, NOW + 4 * DAY, NOW + 6 * DAY, NOW + 6 * DAY):
        send_due(now=at)

    # Then ann got both, bob none, and the event is held for him once
    assert (nudged(ann.member_id), nudged(bob.member_id)) == (2, 0)
    held = HeldNudge.objects.get()
    assert (held.guild_id, held.member_id, held.kind, held.key) == (
        guild.id,
        bob.member_id,
        "event_nudge",
        f"event-nudge:{event.id}",
    )
    assert held.text == f"**Match** ({timestamp(event.starts_at, 'f')}) asked for your answer"

    # And once the leave is over, one summary says so (and the tick again sends nothing more)
    assert away_summary.send_due(now=back) == 1
    assert away_summary.send_due(now=back + timedelta(minutes=5)) == 0
    (dm,) = summaries(bob.member_id)
    assert dm.payload["content"] == f"**While you were away**: an event asked for your answer.\n- {held.text}"
    assert summaries(ann.member_id) == []


def test_nudging_now_holds_the_event_for_a_member_away(away):
    guild = GuildFactory()
    ann, bob = (GuildMemberFactory(guild=guild, role_ids=[ROLE]) for _ in range(2))
    draft = EventDraft(title="Match", starts_at=NOW + 7 * DAY)
    event = create_event(guild, draft, now=NOW, expected=Expected(ROLE, ()))
    away.send(bob)

    result = nudge_now(event.id, now=NOW, guild_id=guild.id)

    assert (result.sent, result.unanswered) == (1, 2)
    assert (nudged(ann.member_id), nudged(bob.member_id)) == (1, 0)
    assert list(HeldNudge.objects.values_list("member_id", "key")) == [(bob.member_id, f"event-nudge:{event.id}")]


def test_a_member_refused_for_closed_dms_is_not_held(away):
    guild = GuildFactory()
    GuildMemberFactory(guild=guild, role_ids=[ROLE], member__dm_reminders=False)  # not away: DMs off
    draft = EventDraft(title="Match", starts_at=NOW + 7 * DAY)
    create_event(guild, draft, now=NOW, expected=Expected(ROLE, (DAY,)))

    assert send_due(now=NOW + 6 * DAY) == 0
    assert HeldNudge.objects.count() == 0
