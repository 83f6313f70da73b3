"""Snowflake ids built the way Discord builds them (ms since the Discord epoch << 22)."""

from __future__ import annotations

import time

DISCORD_EPOCH_MS = 1420070400000


class SnowflakeGenerator:
    """Monotonic snowflakes: timestamp, worker 1, process 0, 12-bit increment.

    Ids only ever grow, even when two are made in the same millisecond, so sorting by id
    sorts by creation as it does on Discord.
    """

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        """Return a new snowflake."""
        stamp = int(time.time() * 1000) - DISCORD_EPOCH_MS
        candidate = (stamp << 22) | (1 << 17)
        self._last = max(candidate, self._last + 1)
        return self._last


def shard_for(guild_id: int, num_shards: int) -> int:
    """The shard a guild belongs to, by Discord's formula."""
    return (guild_id >> 22) % num_shards
