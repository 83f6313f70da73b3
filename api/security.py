"""Who is asking: the bearer token, its scope for the method, and its rate limit.

A token authenticates (``api.tokens.authenticate``), then its scope must cover the method
(``read`` for GET, ``write`` for the rest), then the request counts against the token's
per-minute limit in Redis (``API_RATE_LIMIT``). Refusals are 401, 403 and 429.
"""

from __future__ import annotations

import math
import time

import redis.exceptions
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from api.errors import ApiError
from api.models import READ, WRITE, ApiToken
from api.tokens import Refusal, authenticate
from core.redis import get_redis

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WINDOW_S = 60


class TokenAuth(HttpBearer):
    """``Authorization: Bearer mst_...``: the request's ``auth`` is the ApiToken."""

    def __call__(self, request: HttpRequest) -> ApiToken:
        header = request.headers.get("Authorization", "")
        scheme, _, presented = header.partition(" ")
        if scheme.lower() != "bearer" or not presented.strip():
            raise ApiError(401, "Send an API token: Authorization: Bearer <token>.")
        return self.authenticate(request, presented)

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        found = authenticate(token, now=timezone.now())
        if isinstance(found, Refusal):
            raise ApiError(401, found.reason)
        scope = READ if request.method in SAFE_METHODS else WRITE
        if not found.allows(scope):
            raise ApiError(403, f"This API token has no {scope!r} scope; ask an organiser for one that has.")
        count_request(found)
        return found


def count_request(token: ApiToken) -> None:
    """Count one request in the token's current minute; 429 with Retry-After past the limit.

    The key names the token's row, never the token. Without Redis nothing can be counted,
    so nothing is served (503) rather than served without a limit.
    """
    now = time.time()
    window = int(now // WINDOW_S)
    key = f"muster:api:rate:{token.id}:{window}"
    try:
        pipe = get_redis().pipeline()
        pipe.incr(key)
        pipe.expire(key, WINDOW_S + 5)
        count, _ = pipe.execute()
    except redis.exceptions.RedisError:
        busy = "Muster cannot count requests right now; try again in a minute."
        raise ApiError(503, busy, [], {"Retry-After": "30"}) from None
    limit = settings.API_RATE_LIMIT_PER_MINUTE
    if count > limit:
        wait = max(1, math.ceil((window + 1) * WINDOW_S - now))
        raise ApiError(
            429,
            f"This API token made more than {limit} requests this minute: try again in {wait} s.",
            headers={"Retry-After": str(wait)},
        )
