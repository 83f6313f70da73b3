"""Every web request's log lines carry its id (``request_id``), and its response names it.

The id is set when Django starts the request (``request_started``) and unset when it
finishes, so Django's own lines about it ("Not Found: ...", logged after the middleware
has returned) carry it too; the middleware writes it into the response's ``X-Request-ID``.
"""

from __future__ import annotations

import re
import uuid

from django.core.signals import request_finished, request_started

from config import logcontext

HEADER = "X-Request-ID"
# A proxy's id is kept when it looks like one (so its access log and Muster's agree); anything
# else a client sends is replaced, so a log line never carries text of the client's choosing.
ACCEPTED = re.compile(r"[A-Za-z0-9._-]{8,64}")


def _chosen(given: str | None) -> str:
    return given if given and ACCEPTED.fullmatch(given) else uuid.uuid4().hex


def _started(sender, environ=None, scope=None, **kwargs) -> None:
    given = (environ or {}).get("HTTP_X_REQUEST_ID")
    if scope is not None:
        given = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
    logcontext.set_ids(request_id=_chosen(given))


def _finished(sender, **kwargs) -> None:
    logcontext.set_ids(request_id=None)


request_started.connect(_started, dispatch_uid="muster-request-id-started")
request_finished.connect(_finished, dispatch_uid="muster-request-id-finished")


class RequestId:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = logcontext.current().get("request_id")
        if request_id is None:  # a handler that sent no request_started
            request_id = _chosen(request.headers.get(HEADER))
            logcontext.set_ids(request_id=request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response
