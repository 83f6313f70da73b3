"""Beat ticks for events: thin, idempotent, claiming their work in the database."""

from celery import shared_task
from django.utils import timezone

from core import metrics
from events import change_notices, native, nudges, series, services, spaces


@shared_task
def send_due_reminders() -> int:
    """Claim due reminders once each and queue their DMs through the outbox."""
    sent = services.send_due_reminders(now=timezone.now())
    metrics.REMINDERS_SENT.inc(sent, kind="event")
    return sent


@shared_task
def send_change_notice(notice_id: int) -> int:
    """Tell registrants what changed, once the edit window of ``notice_id`` has ended."""
    return change_notices.send(notice_id, now=timezone.now())


@shared_task
def send_due_change_notices() -> int:
    """The backstop for a lost countdown: every notice whose window has ended."""
    return change_notices.send_due(now=timezone.now())


@shared_task
def materialise_series() -> int:
    """Create the occurrences of every series that came into the window; returns how many."""
    return series.materialise(now=timezone.now()).occurrences


@shared_task
def send_due_nudges() -> int:
    """DM the expected members who have not answered, once per due nudge; returns DMs queued."""
    return nudges.send_due(now=timezone.now())


@shared_task
def sync_native_events(guild_id: int) -> int:
    """Make the guild's Discord scheduled events match its upcoming events; returns the writes.

    A run does a bounded number of writes; what is left goes on in another run.
    """
    done = native.sync(guild_id, now=timezone.now())
    if done.more:
        sync_native_events.apply_async((guild_id,), countdown=max(1.0, done.retry_after))
    return done.writes


@shared_task
def reconcile_native_events() -> int:
    """The beat tick: every mirroring guild is synced (an event ended, the next one comes in)."""
    guilds = native.guilds_to_sync()
    for guild_id in guilds:
        sync_native_events.delay(guild_id)
    return len(guilds)


@shared_task
def sync_event_space(event_id: int) -> int:
    """Make the event's thread, channel and role follow its registrations; returns the writes.

    A run does a bounded number of writes; what is left goes on in another run.
    """
    done = spaces.sync(event_id, now=timezone.now())
    if done.more:
        sync_event_space.apply_async((event_id,), countdown=max(1.0, done.retry_after))
    return done.writes


@shared_task
def sync_due_event_spaces() -> int:
    """The beat tick: spaces with something to make, news to tell, or a warning or cleanup due."""
    due = spaces.due(now=timezone.now())
    for event_id in due:
        sync_event_space.delay(event_id)
    return len(due)
