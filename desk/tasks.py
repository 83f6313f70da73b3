"""Beat ticks of the desk: thin, claiming their work in the database."""

from celery import shared_task
from django.utils import timezone

from core import metrics
from desk import digest, services


@shared_task
def send_due_reminders() -> int:
    """DM assignees whose task's reminder time has come (each claimed once); redraw boards
    where a task just became overdue."""
    now = timezone.now()
    services.refresh_boards_of_newly_overdue(now)
    sent = services.send_due_reminders(now)
    metrics.REMINDERS_SENT.inc(sent, kind="task")
    return sent


@shared_task
def send_digests() -> int:
    """The overdue-tasks digest of members whose hour has come and whom no other digest carries;
    the record of which days were sent is kept a week."""
    now = timezone.now()
    digest.prune(now)
    return digest.send_own_digests(now)
