"""The event a decided date poll asks for (``core.hooks.date_poll_decided``; polls never import events).

The event is created at the chosen time in the poll's channel, and the time's voters are
registered as going in the order they voted, so beyond the capacity the waitlist follows
vote order. Each is told by DM, and so is everyone who voted only for other times. The
poll calls this once (its claim, and ``Poll.event``, its unique link to the event); the
DMs' outbox keys name the poll, so a retry could not send them twice either.
"""

from __future__ import annotations

from django.db import transaction

from core.hooks import DatePollDecision
from core.models import Guild, Member
from events import services
from events.discord import messages
from events.models import Registration
from events.services import EventDraft


@transaction.atomic
def on_date_poll_decided(decision: DatePollDecision) -> int:
    """Create the decided poll's event, register its voters in vote order; returns the event id."""
    guild = Guild.objects.get(id=decision.guild_id)
    draft = EventDraft(
        title=decision.title,
        starts_at=decision.starts_at,
        ends_at=decision.ends_at,
        location=decision.location,
        capacity=decision.capacity,
        description="The date was chosen by a date poll.",
    )
    event = services.create_event(
        guild,
        draft,
        now=decision.now,
        created_by_id=decision.created_by_id,
        channel_id=decision.channel_id,
    )
    known = set(Member.objects.filter(id__in=[*decision.going, *decision.others]).values_list("id", flat=True))
    first = services.click_sequence(decision.now)
    for order, member_id in enumerate(m for m in decision.going if m in known):
        # Vote order is registration order: the sequence only has to rise with it.
        response = services.respond(
            event.id, member_id, Registration.Status.GOING, sequence=first + order, now=decision.now
        )
        messages.date_poll_registered(response.event, member_id, response.status, decision.poll_id)
    for member_id in decision.others:
        if member_id in known:
            messages.date_poll_other(event, member_id, decision.poll_id)
    return event.id
