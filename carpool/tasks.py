"""Beat ticks for carpool: thin, claiming their work in the database."""

from celery import shared_task
from django.utils import timezone

from carpool import logistics


@shared_task
def send_due_nudges() -> int:
    """DM going members who have no ride yet, once per event (the nudge's time has come)."""
    return logistics.send_due_nudges(now=timezone.now())
