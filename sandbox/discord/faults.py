"""Fault injection for REST routes: delay, fail with 5xx, or answer 429, by method and path."""

from __future__ import annotations

import fnmatch
import itertools
import time
from dataclasses import asdict, dataclass

_ids = itertools.count(1)


@dataclass
class Fault:
    """One injected fault. ``path`` is a glob on the path after /api/v10 (``/channels/*``)."""

    id: int
    method: str
    path: str
    kind: str  # "delay" | "error" | "ratelimit"
    status: int = 500
    delay_s: float = 0.0
    retry_after: float = 1.0
    scope: str = "user"
    is_global: bool = False
    count: int | None = None  # how many requests it still hits; None = until expiry
    until: float | None = None  # monotonic expiry; None = until count runs out
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.until is not None and time.monotonic() >= self.until:
            return False
        if self.count is not None and self.count <= 0:
            return False
        return (self.method in ("*", method)) and fnmatch.fnmatchcase(path, self.path)

    def describe(self) -> dict:
        data = asdict(self)
        data["global"] = data.pop("is_global")
        return data


class FaultRegistry:
    """Faults in the order they were added; the first match wins."""

    KINDS = ("delay", "error", "ratelimit")

    def __init__(self) -> None:
        self.faults: list[Fault] = []

    def add(
        self,
        *,
        kind: str,
        path: str,
        method: str = "*",
        count: int | None = None,
        duration_s: float | None = None,
        **options,
    ) -> Fault:
        """Register a fault; with neither ``count`` nor ``duration_s`` it hits once."""
        if kind not in self.KINDS:
            raise ValueError(f"kind must be one of {self.KINDS}")
        if count is None and duration_s is None:
            count = 1
        until = None if duration_s is None else time.monotonic() + duration_s
        fault = Fault(next(_ids), method.upper(), path, kind, count=count, until=until, **options)
        self.faults.append(fault)
        return fault

    def take(self, method: str, path: str) -> Fault | None:
        """The first fault matching a request, counted as hit."""
        for fault in self.faults:
            if fault.matches(method, path):
                fault.hits += 1
                if fault.count is not None:
                    fault.count -= 1
                return fault
        return None

    def clear(self) -> None:
        self.faults.clear()

    def snapshot(self) -> list[dict]:
        return [f.describe() for f in self.faults]
