"""``/api/v1/``: django-ninja's routes, plus JSON answers for a wrong method or an unknown path.

django-ninja answers a method a path does not take with a plain-text 405, and Django an
unknown path with an HTML 404; an API client gets the one error shape for both.
"""

from __future__ import annotations

from functools import wraps

from django.http import HttpResponseNotAllowed
from django.urls import URLPattern, re_path

from api.errors import body
from api.v1 import api


def _json_405(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            return body(405, f"{request.method} is not allowed here; use {allowed}.", headers={"Allow": allowed})
        return response

    wrapped.csrf_exempt = True
    return wrapped


def unknown_path(request, rest: str = ""):
    return body(404, "There is no such API path: see /api/v1/docs.")


def _patterns():
    patterns, _, _ = api.urls
    return [URLPattern(p.pattern, _json_405(p.callback), p.default_args, p.name) for p in patterns]


app_name = "api-v1"
urlpatterns = [*_patterns(), re_path(r"^(?P<rest>.*)$", unknown_path, name="unknown")]
