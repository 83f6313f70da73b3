"""Public poll messages, written to the outbox in the caller's transaction."""

from __future__ import annotations

from core import outbox
from polls.models import Poll
from polls.render import poll_message, result_message
from polls.services import tally


def post_key(poll: Poll) -> str:
    return f"poll-post:{poll.id}"


def post_poll(poll: Poll) -> None:
    """Post the new poll once; the renderer reads the delivered message id back."""
    if poll.channel_id is not None:
        outbox.enqueue(key=post_key(poll), channel_id=poll.channel_id, payload=poll_message(poll, tally(poll)),
                       guild_id=poll.guild_id)  # fmt: skip


def poll_closed(poll: Poll) -> None:
    """Post the final result once: the key names the poll, so a second close posts nothing."""
    if poll.channel_id is None:
        return
    outbox.enqueue(
        key=f"poll-result:{poll.id}", channel_id=poll.channel_id, payload=result_message(poll, tally(poll)),
        guild_id=poll.guild_id,
    )  # fmt: skip
