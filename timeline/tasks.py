"""The timeline's beat tick: thin, claiming its work in the database (timeline.services)."""

from celery import shared_task
from django.utils import timezone

from core import dm_channels
from timeline import services


@shared_task
def tick() -> dict:
    """Send the timeline alerts and pre-alerts due (each once per time), post the Now / Next messages due."""
    return vars(services.tick(now=timezone.now()))


@shared_task
def open_dm_channels(member_ids: list[int]) -> int:
    """Open (and remember) these members' DM channels ahead of their alerts; how many opened."""
    return dm_channels.open_many(member_ids)
