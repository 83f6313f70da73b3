"""Celery tasks of leave: thin, claiming their work in the database."""

from celery import shared_task
from django.utils import timezone

from leave import away


@shared_task
def post_away_today() -> int:
    """Each guild's daily "Away today" post, once per local day (leave.away.post_due)."""
    return away.post_due(now=timezone.now())
