"""Beat ticks of results: thin, claiming their work in the database."""

from celery import shared_task
from django.utils import timezone

from results import checkin


@shared_task
def redraw_check_in_windows() -> int:
    """Redraw event posts whose check-in window just opened or closed (each once)."""
    return checkin.redraw_windows(timezone.now())
