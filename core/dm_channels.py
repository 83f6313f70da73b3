"""The bot's DM channel with each member, opened once and remembered on the member.

Discord gives a bot one DM channel per user, and ``POST /users/@me/channels`` returns the
same one each time; but that route has a tight limit of its own (about one request every
half second), so opening it before every DM would make a burst of DMs to many members (an
event-day timeline, a reminder wave) wait on it. The channel id is kept on the member
(``Member.dm_channel_id``); ``open_many`` opens the channels of members about to be DMed
ahead of time (best effort, within the route's limit), and a DM channel Discord no longer
knows is opened afresh (``dm_channel(..., reopen=True)``).
"""

from __future__ import annotations

from core.discord_api import TransientError, get_client
from core.models import Member


def known(member_ids) -> set[int]:
    """Of these members, those whose DM channel is remembered."""
    ids = list(member_ids)
    if not ids:
        return set()
    return set(Member.objects.filter(id__in=ids, dm_channel_id__isnull=False).values_list("id", flat=True))


def dm_channel(member_id: int, *, reopen: bool = False) -> int:
    """The DM channel with the member: remembered, else (or when ``reopen``) opened and remembered."""
    if not reopen:
        remembered = Member.objects.filter(id=member_id).values_list("dm_channel_id", flat=True).first()
        if remembered:
            return remembered
    channel_id = int(get_client().open_dm(member_id)["id"])
    Member.objects.filter(id=member_id).update(dm_channel_id=channel_id)
    return channel_id


def open_many(member_ids, *, max_wait: float = 10.0) -> int:
    """Open (and remember) the DM channels not remembered yet; stops at a long rate limit. How many opened."""
    client, opened = get_client(), 0
    for member_id in sorted(set(member_ids) - known(member_ids)):
        try:
            channel = client.request(
                "POST", "/users/@me/channels", {}, json={"recipient_id": str(member_id)}, max_wait=max_wait
            )
        except TransientError:
            break  # the route is busy: the DMs open their channels themselves when sent
        Member.objects.filter(id=member_id).update(dm_channel_id=int(channel["id"]))
        opened += 1
    return opened
