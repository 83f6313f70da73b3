"""Error tracking: SENTRY_DSN turns on sentry-sdk (Django and Celery integrations) with the logs' scrubbing.

What could carry an interaction token or an anonymous choice never leaves: frames' local
variables (a payload, an ``Interaction``) are not sent, nor request bodies (Discord's signed
POSTs in HTTP interactions mode), cookies or headers, nor a Celery task's arguments (an
interaction's payload); every string left is redacted as log lines are
(``config.logfilters.redact``: interaction tokens, calendar links). No personal data
(``send_default_pii=False``). A redacted interaction's failure is logged with exception
types only (``core.interactions.dispatcher``), so its event holds no choice either.
"""

from __future__ import annotations

from config.logfilters import redact

DROPPED_REQUEST_PARTS = ("data", "cookies", "headers", "query_string", "env")


def scrub(value):
    """``value`` with every string redacted, recursively."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(item) for item in value]
    return value


def before_send(event: dict, hint: dict) -> dict:
    request = event.get("request")
    if isinstance(request, dict):
        for part in DROPPED_REQUEST_PARTS:
            request.pop(part, None)
    job = (event.get("extra") or {}).get("celery-job")
    if isinstance(job, dict):
        job.pop("args", None)
        job.pop("kwargs", None)
    for exception in (event.get("exception") or {}).get("values") or []:
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    return scrub(event)


def before_breadcrumb(crumb: dict, hint: dict) -> dict:
    return scrub(crumb)


def init(dsn: str, *, environment: str | None = None) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=before_send,
        before_breadcrumb=before_breadcrumb,
        traces_sample_rate=0,
    )
