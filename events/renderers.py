"""The coalesced refresh of posted events (see ``core.refresh``): the roster as it is now."""

from __future__ import annotations

from django.utils import timezone

from core import outbox
from core.refresh import Rendered, renderer
from events import notices, services
from events.models import Event
from events.render import event_message


@renderer("event")
def render_event(event_id: int) -> Rendered | None:
    event = Event.objects.filter(id=event_id).first()
    if event is None or event.channel_id is None or outbox.posted_message_id(event, notices.post_key(event)) is None:
        return None
    return Rendered(event.channel_id, event.message_id, event_message(event, services.roster(event),
                                                                      now=timezone.now()))  # fmt: skip
