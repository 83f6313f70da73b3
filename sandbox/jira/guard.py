"""What stands in front of every REST call: counting, injected hangs and 5xx, basic auth,
write refusal, injected 429s.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
from urllib.parse import quote

from aiohttp import web

from sandbox.jira.api import READ_POSTS, jira_error
from sandbox.jira.oauth import VIEWER, authenticate_api
from sandbox.jira.state import JiraState

API_PREFIX = "/rest/api/"
EX_PREFIX = "/ex/jira/"
OAUTH_PATHS = ("/oauth/token", "/oauth/token/accessible-resources")
READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def rest_path(path: str) -> str:
    """``path`` with the OAuth gateway's ``/ex/jira/{cloudid}`` prefix dropped."""
    if path.startswith(EX_PREFIX):
        return "/" + path.split("/", 4)[-1] if path.count("/") >= 4 else "/"
    return path


def endpoint_name(request: web.Request) -> str:
    """``"GET search/jql"``: the method and the path below ``/rest/api/<version>/``.

    Routed requests use the route's template (``issue/{issue}``) so counts do not
    fragment per issue key; anything else keeps its literal path. Calls through the OAuth
    gateway (``/ex/jira/{cloudid}/rest/...``) count under the same names.
    """
    resource = request.match_info.route.resource
    path = resource.canonical if resource is not None else request.path
    if path in ("/rest/{tail}", "/ex/{tail}"):
        path = request.path
    path = rest_path(path)
    if path.startswith(API_PREFIX):
        path = path[len(API_PREFIX) :].split("/", 1)[-1]
    return f"{request.method} {path.lstrip('/') if path.startswith('/oauth/') else path}"


def _credentials_ok(request: web.Request, state: JiraState) -> bool | None:
    """True/False for good/bad basic credentials; None when none were sent."""
    header = request.headers.get("Authorization")
    if not header:
        return None
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        user, _, token = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return hmac.compare_digest(user.encode(), state.user.encode()) and hmac.compare_digest(
        token.encode(), state.token.encode()
    )


SERVER_ERRORS = {
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service unavailable",
    504: "Gateway timeout",
}


def token_refused(request: web.Request) -> web.Response:
    """Jira Cloud's answer to a revoked or expired API token on a route that needs a user:
    401 in plain text, with ``X-Seraph-LoginReason: AUTHENTICATED_FAILED``.
    """
    return web.Response(
        status=401,
        text="Client must be authenticated to access this resource.",
        content_type="text/plain",
        headers={
            "WWW-Authenticate": f'OAuth realm="{quote(str(request.url.origin()), safe="")}"',
            "X-Seraph-LoginReason": "AUTHENTICATED_FAILED",
        },
    )


async def _hang(request: web.Request, state: JiraState) -> web.Response:
    """Hold the connection without answering, then drop it."""
    hang = state.hang
    hang.count -= 1
    hang.held += 1
    try:
        await asyncio.wait_for(hang.released.wait(), hang.seconds)
    except TimeoutError:
        pass
    finally:
        hang.held -= 1
    if request.transport is not None:
        request.transport.abort()
    return web.Response(status=204)  # never reaches the client: the connection is gone


def _is_write(request: web.Request) -> bool:
    if request.method in READ_METHODS:
        return False
    path = rest_path(request.path)
    if request.method == "POST" and path.startswith(API_PREFIX):
        tail = path[len(API_PREFIX) :].split("/", 1)[-1]
        return tail not in READ_POSTS
    return True


@web.middleware
async def guard(request: web.Request, handler):
    """Count, apply injected hangs and 5xx, authenticate, refuse writes and apply injected
    rate limits, in that order.
    """
    state: JiraState = request.app["state"]
    if request.path in OAUTH_PATHS:
        state.requests[endpoint_name(request)] += 1
        return await handler(request)
    through_gateway = request.path.startswith(EX_PREFIX)
    if not (request.path.startswith("/rest/") or through_gateway):
        return await handler(request)
    name = endpoint_name(request)
    state.requests[name] += 1
    writing = _is_write(request)
    if writing:  # every attempt is recorded, whatever it is answered
        body = await request.text()
        state.refused_writes.append({"method": request.method, "path": request.path, "body": body})
    if state.hang.count > 0:
        return await _hang(request, state)
    if state.server_error.count > 0:
        state.server_error.count -= 1
        status = state.server_error.status
        return jira_error(status, SERVER_ERRORS[status])
    if through_gateway:
        refused = authenticate_api(request, name.split(" ", 1)[1], write=writing)
        if refused is not None:
            return refused
        return await _allowed(request, state, handler, writing)
    request[VIEWER] = state.myself
    authenticated = _credentials_ok(request, state)
    if authenticated and state.api_token_status != "valid":
        # Jira treats a dead token as anonymous: serverInfo still answers, the rest is 401
        if name.endswith(" serverInfo"):
            response = await handler(request)
            response.headers["X-Seraph-LoginReason"] = "AUTHENTICATED_FAILED"
            return response
        return token_refused(request)
    # Jira Cloud answers serverInfo anonymously, but a bad credential is refused everywhere
    if authenticated is False or (authenticated is None and not name.endswith(" serverInfo")):
        return jira_error(
            401,
            "You are not authenticated. Authentication required to perform this operation.",
            headers={"WWW-Authenticate": 'Basic realm="protected-area"'},
        )
    return await _allowed(request, state, handler, writing)


async def _allowed(request: web.Request, state: JiraState, handler, writing: bool):
    """After authentication: refuse writes, apply an injected 429, else answer."""
    if writing:
        return jira_error(405, f"The Muster sandbox is read-only: {request.method} {request.path} is refused.")
    if state.rate_limit.count > 0:
        state.rate_limit.count -= 1
        retry_after = state.rate_limit.retry_after
        return jira_error(
            429,
            "Rate limit exceeded.",
            headers={
                "Retry-After": str(retry_after),
                "X-RateLimit-Limit": "100",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-FillRate": "10",
                "X-RateLimit-Interval-Seconds": "1",
            },
        )
    return await handler(request)
