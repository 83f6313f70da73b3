"""Celery tasks of custom commands and schedules: thin, idempotent, claiming their work in the database."""

from celery import shared_task
from django.utils import timezone

from community import roster, schedules, slash_sync


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


@shared_task
def apply_roster(guild_id: int) -> dict:
    """The roster's apply step, after an organiser's click: the Member role follows the roster."""
    done = roster.apply(guild_id, now=timezone.now())
    if done.claimed and done.left and not done.problem:
        apply_roster.apply_async((guild_id,), countdown=5)
    return vars(done)


@shared_task
def read_roster_roles(guild_id: int) -> int:
    """The guild's role names from Discord, for the roster's comparison; how many roles."""
    return len(roster.read_roles(guild_id, now=timezone.now()))
