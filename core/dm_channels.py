"""The bot's DM channel with each member, opened once and remembered on the member.

Discord gives a bot one DM channel per user, and ``POST /users/@me/channels`` returns the
same one each time; but that route has a tight limit of its own (about one request every
half second), so opening it before every DM would make a burst of DMs to many members (an
event-day timeline, a reminder wave) wait on it. The channel id is kept on the member
(``Member.dm_channel_id``); ``open_many`` opens the channels of members about to be DMed
ahead of time (best effort, within the route's limit), and a DM channel Discord no longer
knows is opened afresh (``dm_channel(..., reopen=True)``).

Opening ahead is paced: ``batches`` gives each batch of members the delay after which its
task may start, from one schedule shared by every caller and worker (in Redis), so about
one batch at a time opens channels. Batches started together would each hold a worker
waiting on the same route, and the messages due meanwhile would wait for those workers.
"""

from __future__ import annotations

from core.discord_api import TransientError, get_client
from core.discord_api.client import MAX_RATE_LIMIT_WAIT_S
from core.models import Member
from core.redis import get_redis

# What Discord's route for opening DM channels allows (its headers: one request, then a
# window of about half a second); the sandbox's dm_channels bucket is the same.
OPENS_PER_S = 2.0
BATCH = 25  # members per task opening channels ahead

# Reserve ``ARGV[1]`` seconds of the schedule: the delay until the reservation starts.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local start = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
local finish = start + tonumber(ARGV[1])
redis.call('SET', KEYS[1], tostring(finish), 'PX', math.ceil((finish - now) * 1000) + 1000)
return tostring(start - now)
"""
SCHEDULE_KEY = "muster:dm-channels:opening-until"


def known(member_ids) -> set[int]:
    """Of these members, those whose DM channel is remembered."""
    ids = list(member_ids)
    if not ids:
        return set()
    return set(Member.objects.filter(id__in=ids, dm_channel_id__isnull=False).values_list("id", flat=True))


def dm_channel(member_id: int, *, reopen: bool = False, max_wait: float = MAX_RATE_LIMIT_WAIT_S) -> int:
    """The DM channel with the member: remembered, else (or when ``reopen``) opened and remembered.

    ``max_wait``: the longest to wait on the opening route's rate limit; past it a
    ``TransientError`` whose ``held_back`` is true says nothing was sent."""
    if not reopen:
        remembered = Member.objects.filter(id=member_id).values_list("dm_channel_id", flat=True).first()
        if remembered:
            return remembered
    channel_id = int(get_client().open_dm(member_id, max_wait=max_wait)["id"])
    Member.objects.filter(id=member_id).update(dm_channel_id=channel_id)
    return channel_id


def batches(member_ids) -> list[tuple[list[int], float]]:
    """The members whose channels are not remembered, in batches for ``open_many``, each with
    the seconds its task should wait before starting (its turn in the shared schedule)."""
    members = sorted(set(member_ids) - known(member_ids))
    reserve = get_redis().register_script(_RESERVE)
    planned = []
    for start in range(0, len(members), BATCH):
        batch = members[start : start + BATCH]
        planned.append((batch, float(reserve(keys=[SCHEDULE_KEY], args=[len(batch) / OPENS_PER_S]))))
    return planned


def open_many(member_ids, *, max_wait: float = 10.0) -> int:
    """Open (and remember) the DM channels not remembered yet; stops at a long rate limit. How many opened."""
    client, opened = get_client(), 0
    for member_id in sorted(set(member_ids) - known(member_ids)):
        try:
            channel = client.open_dm(member_id, max_wait=max_wait)
        except TransientError:
            break  # the route is busy: the DMs open their channels themselves when sent
        Member.objects.filter(id=member_id).update(dm_channel_id=int(channel["id"]))
        opened += 1
    return opened
