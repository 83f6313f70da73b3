"""Counters the control API reports: requests per route, statuses, 429s and invalid requests;
and how interactions were delivered and answered (both delivery modes alike)."""

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
        self.interactions: Counter = Counter()
        # Seconds from an interaction's creation to its accepted initial response, in order.
        self.ack_s: list[float] = []

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

    def delivered(self, mode: str) -> None:
        """One interaction sent to the app, by ``"gateway"`` or ``"http"``."""
        self.interactions[f"delivered_{mode}"] += 1

    def answered(self, elapsed_s: float) -> None:
        """An initial response accepted in time (a callback or an HTTP answer)."""
        self.interactions["responded_in_time"] += 1
        self.ack_s.append(elapsed_s)

    def missed(self, reason: str) -> None:
        """An interaction the user saw fail ("This interaction failed"), counted once."""
        self.interactions["deadline_missed"] += 1
        self.interactions[f"missed_{reason}"] += 1

    def interaction_snapshot(self, interactions, deadline_s: float, now: float) -> dict:
        """Delivery and answer figures; ``unanswered`` are past the deadline with no answer
        and no recorded failure (the app never called back: the user saw it fail too).
        """
        counts = self.interactions
        unanswered = sum(
            1
            for ix in interactions.values()
            if ix.response is None and ix.failed is None and now - ix.created["monotonic"] > deadline_s
        )
        acks = sorted(self.ack_s)
        return {
            "delivered": counts["delivered_gateway"] + counts["delivered_http"],
            "delivered_gateway": counts["delivered_gateway"],
            "delivered_http": counts["delivered_http"],
            "responded_in_time": counts["responded_in_time"],
            "deadline_missed": counts["deadline_missed"],
            "missed": {k.removeprefix("missed_"): v for k, v in counts.items() if k.startswith("missed_")},
            "unanswered": unanswered,
            "ack_ms": {
                "count": len(acks),
                "p50": _ms(percentile(acks, 0.50)),
                "p90": _ms(percentile(acks, 0.90)),
                "p99": _ms(percentile(acks, 0.99)),
                "max": _ms(acks[-1] if acks else None),
            },
        }


def percentile(ordered: list[float], fraction: float) -> float | None:
    """The nearest-rank percentile of sorted values (as bench.harness.percentile picks it)."""
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)
