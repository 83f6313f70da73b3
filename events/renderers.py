"""The coalesced refresh of posted events (see ``core.refresh``): the roster as it is now."""

from __future__ import annotations

from django.utils import timezone

from core.models import OutboundMessage
from core.refresh import Rendered, renderer
from events import notices, services
from events.models import Event
from events.render import event_message


def posted_message_id(event: Event) -> int | None:
    """The posted message's id, copied from the outbox once the post was delivered."""
    if event.message_id is None:
        delivered = (
            OutboundMessage.objects.filter(idempotency_key=notices.post_key(event), delivered_message_id__isnull=False)
            .values_list("delivered_message_id", flat=True)
            .first()
        )
        if delivered is not None:
            Event.objects.filter(id=event.id, message_id__isnull=True).update(message_id=delivered)
            event.message_id = delivered
    return event.message_id


@renderer("event")
def render_event(event_id: int) -> Rendered | None:
    event = Event.objects.filter(id=event_id).first()
    if event is None or event.channel_id is None or posted_message_id(event) is None:
        return None
    return Rendered(event.channel_id, event.message_id, event_message(event, services.roster(event),
                                                                      now=timezone.now()))  # fmt: skip
