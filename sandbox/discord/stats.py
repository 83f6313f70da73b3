"""Counters the control API reports: requests per route, statuses, 429s and invalid requests."""

from __future__ import annotations

from collections import Counter


class Stats:
    """Request counters. "Invalid" follows Discord: 401, 403 and 429 except shared-scope 429s."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.requests: Counter = Counter()
        self.statuses: Counter = Counter()
        self.ratelimited: Counter = Counter()
        self.ratelimited_routes: Counter = Counter()
        self.invalid = 0

    def record(self, route: str, status: int, scope: str | None = None) -> None:
        """Count one answered request on ``route`` (``"POST /channels/{channel_id}/messages"``)."""
        self.requests[route] += 1
        self.statuses[str(status)] += 1
        if status == 429:
            self.ratelimited[scope or "user"] += 1
            self.ratelimited_routes[route] += 1
        if status in (401, 403) or (status == 429 and scope != "shared"):
            self.invalid += 1

    def snapshot(self) -> dict:
        return {
            "requests_total": sum(self.requests.values()),
            "requests": dict(self.requests),
            "statuses": dict(self.statuses),
            "ratelimited_total": sum(self.ratelimited.values()),
            "ratelimited": dict(self.ratelimited),
            "ratelimited_routes": dict(self.ratelimited_routes),
            "invalid_requests": self.invalid,
        }
