"""The calendar feed over HTTP: ``GET /calendar/<token>.ics``, read by calendar apps.

No session: the URL is the capability (``events.calendars``). An unknown, revoked or
mistyped token answers 404 without saying which. Calendar apps poll, so the answer carries
an ETag of its bytes and a repeat with ``If-None-Match`` gets an empty 304.
"""

from __future__ import annotations

import hashlib

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.views.decorators.http import require_safe

from events import calendars

# Short enough that a rotated link's copies in a browser or proxy die soon, long next to
# the feed's own REFRESH-INTERVAL suggestions of an hour that no app polls faster than.
CACHE_CONTROL = "private, max-age=300"


@require_safe
def calendar_feed(request, token: str):
    link = calendars.find(token)
    body = calendars.feed(link, now=timezone.now()) if link is not None else None
    if body is None:
        raise Http404("No such calendar.")
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    response = HttpResponse(b"" if request.method == "HEAD" else body, content_type="text/calendar; charset=utf-8")
    response["Content-Length"] = str(len(body))
    response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL
    response["X-Robots-Tag"] = "noindex"
    return get_conditional_response(request, etag=etag, response=response)
