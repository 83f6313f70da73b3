"""What every /api request goes through: faults, auth, global and route limits, counters."""

from __future__ import annotations

import asyncio

from aiohttp import web

from .errors import DiscordError, json_response, method_not_allowed, not_found_route, unauthorized
from .routing import API_PREFIX, major_parameters, spec_of

# Discord's answers come through Google's front end; discord.py treats a 429 without this
# header as a Cloudflare ban instead of a rate limit.
VIA = {"Via": "1.1 google"}
# The OAuth2 grant of a request made with a user's Bearer token (handlers read it).
OAUTH2_GRANT = web.RequestKey("oauth2_grant", object)


def _ratelimited(retry_after: float, *, is_global: bool, scope: str, headers: dict | None = None):
    body = {
        "message": "You are being rate limited." if scope != "shared" else "The resource is being rate limited.",
        "retry_after": retry_after,
        "global": is_global,
        "code": 0,
    }
    all_headers = {**(headers or {}), "Retry-After": str(max(1, round(retry_after + 0.4999))), **VIA}
    all_headers["X-RateLimit-Scope"] = scope
    if is_global:
        all_headers["X-RateLimit-Global"] = "true"
    return json_response(body, status=429, headers=all_headers)


@web.middleware
async def api_middleware(request: web.Request, handler):
    """Apply Discord's gatekeeping to /api routes; other paths pass straight through."""
    spec = spec_of(request)
    if spec is None and (not request.path.startswith(API_PREFIX + "/") or request.match_info.http_exception is None):
        # Not REST (the gateway, OAuth2's form-encoded endpoints, the control API).
        return await handler(request)
    state = request.app["state"]
    route_key = spec.key if spec else f"{request.method} (unknown route)"
    scope = None
    response = await _answer(request, handler, state, spec)
    scope = response.headers.get("X-RateLimit-Scope")
    for name, value in VIA.items():
        response.headers.setdefault(name, value)
    state.stats.record(route_key, response.status, scope)
    return response


async def _answer(request: web.Request, handler, state, spec) -> web.StreamResponse:
    if spec is None:
        error = method_not_allowed() if _path_exists_elsewhere(request) else not_found_route()
        return error.response()
    fault = state.faults.take(request.method, request.path.removeprefix(API_PREFIX).removeprefix("/api"))
    if fault is not None:
        if fault.kind == "delay":
            await asyncio.sleep(fault.delay_s)
        elif fault.kind == "error":
            return json_response({"message": "Internal Server Error", "code": 0}, status=fault.status)
        else:
            return _ratelimited(fault.retry_after, is_global=fault.is_global, scope=fault.scope)
    if spec.auth.startswith("bot") and not _bot_authorised(request, state):
        grant = _bearer(request, state, spec.bearer_scope)
        if grant is None:
            return unauthorized().response()
        request[OAUTH2_GRANT] = grant
    if spec.global_limited:
        retry_after = state.limits.take_global()
        if retry_after is not None:
            return _ratelimited(retry_after, is_global=True, scope="global")
    verdict = state.limits.take_route(spec.bucket, major_parameters(request))
    if verdict.retry_after is not None:
        return _ratelimited(verdict.retry_after, is_global=False, scope="user", headers=verdict.headers)
    try:
        response = await handler(request)
    except DiscordError as error:
        response = error.response()
    response.headers.update(verdict.headers)
    return response


def _bot_authorised(request: web.Request, state) -> bool:
    header = request.headers.get("Authorization", "")
    kind, _, token = header.partition(" ")
    return kind == "Bot" and state.token_is_valid(token)


def _bearer(request: web.Request, state, scope: str | None):
    """The live OAuth2 grant of a ``Bearer`` token that holds ``scope``, or None."""
    if scope is None:
        return None
    kind, _, token = request.headers.get("Authorization", "").partition(" ")
    grant = state.oauth2.bearer(token) if kind == "Bearer" else None
    return grant if grant is not None and scope in grant.scopes else None


def _path_exists_elsewhere(request: web.Request) -> bool:
    return request.match_info.http_exception is not None and request.match_info.http_exception.status == 405
