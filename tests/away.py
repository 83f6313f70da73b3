"""A test's stand-in for the leave app: an away provider registered with core.nudging.

``away.send(member, until=..., reason=...)`` puts a GuildMember (or a (guild id, member id)
pair) on leave until ``until`` (None: until ``back``); the provider names them while the
moment asked about is before it, as the leave app's approved leave would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from core import nudging


@dataclass
class AwayBook:
    leave: dict[tuple[int, int], tuple[datetime | None, str]] = field(default_factory=dict)
    asked: int = 0  # how many times core.nudging asked (one per question, whatever the pairs)

    def send(self, who, *, until: datetime | None = None, reason: str = "on leave") -> None:
        self.leave[_pair(who)] = (until, reason)

    def back(self, who) -> None:
        self.leave.pop(_pair(who), None)

    def __call__(self, pairs: frozenset[tuple[int, int]], at: datetime) -> dict[tuple[int, int], str]:
        self.asked += 1
        return {
            pair: reason
            for pair, (until, reason) in self.leave.items()
            if pair in pairs and (until is None or at < until)
        }


def _pair(who) -> tuple[int, int]:
    return who if isinstance(who, tuple) else (who.guild_id, who.member_id)


def registered() -> AwayBook:
    book = AwayBook()
    nudging.register_away(book)
    return book
