"""Celery tasks of custom commands and schedules: thin, idempotent, claiming their work in the database."""

from celery import shared_task
from django.utils import timezone

from community import schedules, slash_sync


@shared_task(bind=True, max_retries=None)
def sync_guild_commands(self, guild_id: int) -> None:
    """Register the guild's custom slash commands (debounced: one run per burst of changes)."""
    retry_in = slash_sync.sync(guild_id, now=timezone.now())
    if retry_in is not None:
        raise self.retry(countdown=retry_in)


@shared_task
def sync_due_guild_commands() -> int:
    """The backstop for a lost countdown: every guild whose sync is due."""
    guild_ids = slash_sync.due(timezone.now())
    for guild_id in guild_ids:
        sync_guild_commands.delay(guild_id)
    return len(guild_ids)


@shared_task
def post_due_schedules() -> int:
    """Claim due occurrences once each and queue their posts through the outbox."""
    return schedules.post_due(now=timezone.now())
