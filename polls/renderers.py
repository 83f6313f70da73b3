"""The coalesced refresh of posted polls (see ``core.refresh``): the tally as it is now."""

from __future__ import annotations

from core import outbox
from core.refresh import Rendered, renderer
from polls import notices, services
from polls.models import Poll
from polls.render import poll_message


@renderer("poll")
def render_poll(poll_id: int) -> Rendered | None:
    poll = Poll.objects.filter(id=poll_id).first()
    if poll is None or poll.channel_id is None or outbox.posted_message_id(poll, notices.post_key(poll)) is None:
        return None
    message = poll_message(poll, services.tally(poll), services.voters(poll))
    return Rendered(poll.channel_id, poll.message_id, message)
