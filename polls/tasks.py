"""Beat ticks for polls: thin, idempotent, claiming their work in the database."""

from celery import shared_task
from celery.signals import worker_init
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from polls import services


@shared_task
def close_due_polls() -> int:
    """Close polls past their deadline, each once (compare-and-set), posting the result."""
    return len(services.close_due_polls(now=timezone.now()))


@worker_init.connect
def require_poll_voter_key(**kwargs) -> None:
    """A worker records anonymous votes: without POLL_VOTER_KEY (outside DEBUG) it does not start."""
    try:
        services.poll_voter_secret()
    except ImproperlyConfigured as exc:
        raise SystemExit(f"muster: configuration error: {exc}") from None
