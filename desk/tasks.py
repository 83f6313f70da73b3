"""Beat ticks of the desk: thin, claiming their work in the database."""

from celery import shared_task
from django.utils import timezone

from desk import digest, services


@shared_task
def send_due_reminders() -> int:
    """DM assignees whose task's reminder time has come (each claimed once); redraw boards
    where a task just became overdue."""
    now = timezone.now()
    services.refresh_boards_of_newly_overdue(now)
    return services.send_due_reminders(now)


@shared_task
def send_digests() -> int:
    """The overdue-tasks digest of members whose hour has come and whom no other digest carries."""
    return digest.send_own_digests(timezone.now())
