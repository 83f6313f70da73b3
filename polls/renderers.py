"""The coalesced refresh of posted polls (see ``core.refresh``): the tally as it is now."""

from __future__ import annotations

from core.models import OutboundMessage
from core.refresh import Rendered, renderer
from polls import notices, services
from polls.models import Poll
from polls.render import poll_message


def posted_message_id(poll: Poll) -> int | None:
    if poll.message_id is None:
        delivered = (
            OutboundMessage.objects.filter(idempotency_key=notices.post_key(poll), delivered_message_id__isnull=False)
            .values_list("delivered_message_id", flat=True)
            .first()
        )
        if delivered is not None:
            Poll.objects.filter(id=poll.id, message_id__isnull=True).update(message_id=delivered)
            poll.message_id = delivered
    return poll.message_id


@renderer("poll")
def render_poll(poll_id: int) -> Rendered | None:
    poll = Poll.objects.filter(id=poll_id).first()
    if poll is None or poll.channel_id is None or posted_message_id(poll) is None:
        return None
    message = poll_message(poll, services.tally(poll), services.voters(poll))
    return Rendered(poll.channel_id, poll.message_id, message)
