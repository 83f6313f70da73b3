"""The bot's DM channel with each member, opened once and remembered.

Discord gives a bot one DM channel per user, and ``POST /users/@me/channels`` returns the
same one each time; but that route has a tight limit of its own (a request or two a
second), so opening it before every DM makes a burst of DMs to many members (an event-day
timeline, a reminder wave) wait on it. The channel id is kept in Redis for ``TTL_S``;
``open_many`` opens the channels of members about to be DMed ahead of time (best effort,
within the route's limit), and a DM channel Discord no longer knows is forgotten
(``forget``) and opened afresh at the next attempt.
"""

from __future__ import annotations

from core.discord_api import TransientError, get_client
from core.redis import get_redis

TTL_S = 30 * 24 * 3600


def _key(member_id: int) -> str:
    return f"dm-channel:{member_id}"


def known(member_ids) -> set[int]:
    """Of these members, those whose DM channel is remembered."""
    ids = list(member_ids)
    if not ids:
        return set()
    found = get_redis().mget([_key(m) for m in ids])
    return {m for m, channel in zip(ids, found, strict=True) if channel}


def dm_channel(member_id: int, client=None) -> int:
    """The DM channel with the member: remembered, else opened (and remembered)."""
    redis = get_redis()
    cached = redis.get(_key(member_id))
    if cached:
        return int(cached)
    channel_id = int((client or get_client()).open_dm(member_id)["id"])
    redis.set(_key(member_id), channel_id, ex=TTL_S)
    return channel_id


def forget(member_id: int) -> None:
    get_redis().delete(_key(member_id))


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
        get_redis().set(_key(member_id), int(channel["id"]), ex=TTL_S)
        opened += 1
    return opened
