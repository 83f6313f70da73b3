"""The Interactions Endpoint URL (HTTP mode): Discord POSTs interactions here, signed.

On only where DISCORD_PUBLIC_KEY is set (404 otherwise). A request that is not Discord's,
not fresh or seen before gets 401 and does nothing else: no task, no command log row, one
log line without the body. A PING gets a PONG; anything else is answered as the gateway
would (``discord_gateway.endpoint``).
"""

from __future__ import annotations

import json
import logging

import redis
from asgiref.sync import async_to_sync
from django.conf import settings
from django.http import Http404, HttpRequest, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.interactions import signing
from discord_gateway import forwarding, signature
from discord_gateway.endpoint import EPHEMERAL, endpoint_client, publish_after

log = logging.getLogger("discord_gateway")

PING, PONG = 1, 1


@csrf_exempt
@require_POST
def interactions(request: HttpRequest) -> HttpResponseBase:
    if not settings.DISCORD_PUBLIC_KEY:
        raise Http404("HTTP interactions are off")
    try:
        interaction = signature.checked(
            request.body,
            request.headers.get("X-Signature-Ed25519"),
            request.headers.get("X-Signature-Timestamp"),
        )
        if interaction.get("type") != PING:  # a PING does nothing, and a URL validated again may send the same one
            signature.mark_delivered(interaction)
    except signature.Refused as refusal:
        log.warning("interaction request refused (401): %s", refusal)
        return JsonResponse({"error": "invalid request signature"}, status=401)
    except redis.RedisError as exc:  # genuine, but whether it is a replay cannot be known
        log.error("interaction request not taken: Redis is unreachable (%s)", type(exc).__name__)
        return JsonResponse(_private(forwarding.UNAVAILABLE))
    if interaction.get("type") == PING:
        return JsonResponse({"type": PONG})
    try:
        signing.signing_key()  # web signs what it enqueues, as the gateway does
    except signing.SigningKeyMissing as exc:
        log.error("interaction %s not taken: %s", interaction["id"], exc)
        return JsonResponse(_private(forwarding.UNAVAILABLE))
    try:
        answered = async_to_sync(endpoint_client().answer)(interaction)
    except Exception:
        log.exception("interaction %s: the endpoint could not answer it", interaction["id"])
        answered = None
    if answered is None or answered.body is None:  # as in the gateway, Discord then tells the member it failed
        return JsonResponse({"error": "the interaction was not answered"}, status=500)
    if answered.payload is None:
        return JsonResponse(answered.body)
    return _then_publish(answered.body, answered.payload)


def _then_publish(body: dict, payload: dict) -> StreamingHttpResponse:
    """The response, with the payload published once the server has written it.

    WSGI servers write each chunk an application yields before asking for the next, so the
    code after ``yield`` runs once the deferral is on its way to Discord; Content-Length
    tells Discord the response is complete without waiting for the connection to close.
    """
    content = json.dumps(body).encode()

    def chunks():
        yield content
        try:
            publish_after(payload)
        except Exception:  # the response is gone: nothing to answer with but the log
            log.exception("interaction %s: publishing after the response failed", payload["id"])

    response = StreamingHttpResponse(chunks(), content_type="application/json")
    response["Content-Length"] = str(len(content))
    return response


def _private(text: str) -> dict:
    return {"type": 4, "data": {"content": text, "flags": EPHEMERAL}}
