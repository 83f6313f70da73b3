from celery import shared_task
from django.utils import timezone

from core.models import Heartbeat


@shared_task
def record_beat_heartbeat() -> None:
    """Prove that beat is ticking and a worker consumes its ticks (read by /healthz)."""
    Heartbeat.objects.update_or_create(name="beat", defaults={"seen_at": timezone.now()})
