"""The standups' beat tick: thin, claiming its work in the database (standups.services)."""

from celery import shared_task
from django.utils import timezone

from standups import services


@shared_task
def tick() -> dict:
    """Ask who is due at their local time, remind who has not answered, post the digests due."""
    done = services.tick(now=timezone.now())
    return vars(done)
