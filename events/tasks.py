"""Beat ticks for events: thin, idempotent, claiming their work in the database."""

from celery import shared_task
from django.utils import timezone

from events import change_notices, nudges, series, services


@shared_task
def send_due_reminders() -> int:
    """Claim due reminders once each and queue their DMs through the outbox."""
    return services.send_due_reminders(now=timezone.now())


@shared_task
def send_change_notice(notice_id: int) -> int:
    """Tell registrants what changed, once the edit window of ``notice_id`` has ended."""
    return change_notices.send(notice_id, now=timezone.now())


@shared_task
def send_due_change_notices() -> int:
    """The backstop for a lost countdown: every notice whose window has ended."""
    return change_notices.send_due(now=timezone.now())


@shared_task
def materialise_series() -> int:
    """Create the occurrences of every series that came into the window; returns how many."""
    return series.materialise(now=timezone.now()).occurrences


@shared_task
def send_due_nudges() -> int:
    """DM the expected members who have not answered, once per due nudge; returns DMs queued."""
    return nudges.send_due(now=timezone.now())
