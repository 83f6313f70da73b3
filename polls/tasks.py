"""Beat ticks for polls: thin, idempotent, claiming their work in the database."""

from celery import shared_task
from django.utils import timezone

from polls import services


@shared_task
def close_due_polls() -> int:
    """Close polls past their deadline, each once (compare-and-set), posting the result."""
    return len(services.close_due_polls(now=timezone.now()))
