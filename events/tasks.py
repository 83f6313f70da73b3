"""Beat ticks for events: thin, idempotent, claiming their work in the database."""

from celery import shared_task
from django.utils import timezone

from events import services


@shared_task
def send_due_reminders() -> int:
    """Claim due reminders once each and queue their DMs through the outbox."""
    return services.send_due_reminders(now=timezone.now())
