"""Beat ticks for teams: thin, idempotent, claiming their work in the database."""

from celery import shared_task
from django.utils import timezone

from teams import spaces
from teams import sync as teams_sync


@shared_task
def sync_teams(event_id: int) -> int:
    """Make the event's team roles, threads and voice channels follow its teams, and tell
    members their team; returns the writes. What a run leaves goes on in another run."""
    done = teams_sync.sync(event_id, now=timezone.now())
    if done.more:
        sync_teams.apply_async((event_id,), countdown=max(1.0, done.retry_after))
    return done.writes


@shared_task
def sync_due_teams() -> int:
    """The beat tick: teams with members to tell, something to make or delete, a warning or cleanup due."""
    due = spaces.due(now=timezone.now())
    for event_id in due:
        sync_teams.delay(event_id)
    return len(due)
