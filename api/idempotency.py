"""``Idempotency-Key`` on POST: the first success is stored and replayed for 24 hours.

The request's row is inserted before the work, in the work's transaction: a second request
with the same key waits on the unique constraint (token, key) until the first commits, then
replays its answer; if the first failed (nothing stored, nothing done), the second runs.
Only successes are kept, so a refused request can be corrected and sent again with the same
key. The same key with a different method, path or body is refused (422).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from api.errors import ApiError, field_error
from api.models import IdempotentRequest

HEADER = "Idempotency-Key"
KEPT_FOR = timedelta(hours=24)
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")  # visible ASCII, as header values travel


def fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(request.body)
    return digest.hexdigest()


def once(request: HttpRequest, response: HttpResponse, work: Callable[[], tuple[int, dict]]) -> tuple[int, dict]:
    """Run ``work`` (returning a status and a JSON body) once per Idempotency-Key and token."""
    key = request.headers.get(HEADER)
    if key is None:
        return work()
    if not KEY_PATTERN.fullmatch(key):
        msg = "must be 1 to 255 visible ASCII characters (a UUID is a good key)"
        raise ApiError(422, f"{HEADER} {msg}.", [field_error(["header", HEADER], msg)])
    token, now, print_ = request.auth, timezone.now(), fingerprint(request)
    IdempotentRequest.objects.filter(token=token, created_at__lte=now - KEPT_FOR).delete()
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotentRequest.objects.create(token=token, key=key, fingerprint=print_, created_at=now)
        except IntegrityError:
            record = None
        if record is None:
            return _replay(IdempotentRequest.objects.get(token=token, key=key), print_, response)
        status, body = work()
        record.status_code, record.response = status, body
        record.save(update_fields=["status_code", "response"])
    return status, body


def _replay(record: IdempotentRequest, print_: str, response: HttpResponse) -> tuple[int, dict]:
    if record.fingerprint != print_:
        msg = "was already used with a different request; use a new key for a new request"
        raise ApiError(422, f"This {HEADER} {msg}.", [field_error(["header", HEADER], msg)])
    response["Idempotent-Replayed"] = "true"
    return record.status_code, record.response
