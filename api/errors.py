"""Every error the API answers has one shape: ``{"detail": "<sentence>", "errors": [...]}``.

``errors`` lists ``{"loc": [...], "msg": ..., "type": ...}`` entries naming what to change
(``["body", "title"]``, ``["query", "limit"]``, ``["header", "Idempotency-Key"]``); it is
empty when no single field is at fault. django-ninja's own handlers answer other shapes,
so ``install`` replaces each of them.
"""

from __future__ import annotations

import logging
import math

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled, ValidationError

from core.errors import RuleError

logger = logging.getLogger(__name__)


class ApiError(Exception):
    """A refusal with its status, sentence and the fields at fault."""

    def __init__(self, status: int, detail: str, errors: list[dict] | None = None, headers: dict | None = None):
        super().__init__(detail)
        self.status, self.detail, self.errors, self.headers = status, detail, errors or [], headers or {}


def field_error(loc: list[str | int], msg: str, kind: str = "value_error") -> dict:
    return {"loc": loc, "msg": msg, "type": kind}


def rule_refusal(error: RuleError, *, status: int = 409, loc: list | None = None) -> ApiError:
    """A service's refusal as the API answers it: 409 for the object's state, 422 for the input."""
    errors = [field_error(loc, error.message, "rule")] if loc else []
    return ApiError(status, error.message, errors)


def body(status: int, detail: str, errors: list[dict] | None = None, headers: dict | None = None) -> JsonResponse:
    response = JsonResponse({"detail": detail, "errors": errors or []}, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="muster"'
    return response


def _loc(entry: dict) -> list:
    loc = [part for part in entry.get("loc", ()) if isinstance(part, str | int)]
    # Every route names its body parameter ``data``: the field is what the client sent.
    return ["body", *loc[2:]] if loc[:2] == ["body", "data"] else loc


def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [field_error(_loc(entry), str(entry.get("msg", "")), str(entry.get("type", ""))) for entry in exc.errors]
    first = errors[0] if errors else None
    where = ".".join(str(part) for part in first["loc"]) if first else ""
    detail = f"The request is not valid: {where}: {first['msg']}" if first else "The request is not valid."
    return body(422, detail, errors)


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, AuthenticationError):
        return body(401, "Send an API token: Authorization: Bearer <token>.")
    if isinstance(exc, AuthorizationError):
        return body(403, "This API token may not do that.")
    if isinstance(exc, Throttled):
        wait = math.ceil(exc.wait or 1)
        return body(429, f"Too many requests: try again in {wait} s.", headers={"Retry-After": str(wait)})
    if exc.status_code == 400 and str(exc.message).startswith("Cannot parse request body"):
        msg = "is not valid JSON"
        return body(400, f"The request body {msg}.", [field_error(["body"], msg, "json_invalid")])
    return body(exc.status_code, str(exc.message))


def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return body(exc.status, exc.detail, exc.errors, exc.headers)


def _rule_error(request: HttpRequest, exc: RuleError) -> HttpResponse:
    # A refusal no route turned into an ApiError: the object's state did not allow it.
    return body(409, exc.message)


def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return body(404, "Not found.")


def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.error("API %s %s failed", request.method, request.path, exc_info=exc)
    return body(500, "Something went wrong on Muster's side; it is logged. Try again later.")


def install(api: NinjaAPI) -> None:
    """Replace django-ninja's handlers with ones answering the one shape."""
    api.add_exception_handler(Exception, _unexpected)
    api.add_exception_handler(Http404, _not_found)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(ValidationError, _validation)
    api.add_exception_handler(ApiError, _api_error)
    api.add_exception_handler(RuleError, _rule_error)
