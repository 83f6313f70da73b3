"""Per-user, per-minute request quotas, answered as Google answers them (429 RESOURCE_EXHAUSTED)."""

from __future__ import annotations

import time
from collections import defaultdict, deque

from sandbox.sheets.errors import ApiError

PROJECT_NUMBER = "100000000001"


class MinuteQuota:
    """At most ``limit`` requests per user in any 60-second window (``None``: unlimited).

    Google refills per-minute quotas continuously enough that a sliding window is the
    faithful model for a client that paces itself.
    """

    def __init__(self, limit: int | None, window: float = 60.0, clock=time.monotonic):
        self.limit = limit
        self.window = window
        self.clock = clock
        self._seen: dict[str, deque[float]] = defaultdict(deque)

    def take(self, user: str) -> bool:
        """Record one request for ``user``; False when it is over the quota (and not recorded)."""
        if self.limit is None:
            return True
        now = self.clock()
        seen = self._seen[user]
        while seen and seen[0] <= now - self.window:
            seen.popleft()
        if len(seen) >= self.limit:
            return False
        seen.append(now)
        return True

    def reset(self) -> None:
        """Forget every recorded request."""
        self._seen.clear()


def quota_exceeded(kind: str, limit: int) -> ApiError:
    """The 429 Sheets sends when ``kind`` ("Read" or "Write") requests per minute run out."""
    quota_limit = f"{kind}RequestsPerMinutePerUser"
    return ApiError(
        429,
        f"Quota exceeded for quota metric '{kind} requests' and limit '{kind} requests per minute per user' "
        f"of service 'sheets.googleapis.com' for consumer 'project_number:{PROJECT_NUMBER}'.",
        "RESOURCE_EXHAUSTED",
        [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "RATE_LIMIT_EXCEEDED",
                "domain": "googleapis.com",
                "metadata": {
                    "quota_metric": f"sheets.googleapis.com/{kind.lower()}_requests",
                    "quota_limit": quota_limit,
                    "quota_limit_value": str(limit),
                    "quota_location": "global",
                    "service": "sheets.googleapis.com",
                    "consumer": f"projects/{PROJECT_NUMBER}",
                },
            },
            {
                "@type": "type.googleapis.com/google.rpc.Help",
                "links": [
                    {
                        "description": "Request a higher quota limit.",
                        "url": "https://cloud.google.com/docs/quotas/help/request_increase",
                    }
                ],
            },
        ],
    )
