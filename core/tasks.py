from celery import current_app, shared_task
from django.utils import timezone

from core.errors import OUTAGES
from core.interactions.tasks import handle_interaction, handle_interactions  # registered where autodiscovery looks
from core.models import Heartbeat
from core.worker_heartbeat import WorkerHeartbeat

# Workers import this module (autodiscovery) before building their consumer: each writes its heartbeat.
current_app.steps["consumer"].add(WorkerHeartbeat)

__all__ = ["handle_interaction", "handle_interactions"]


@shared_task
def record_beat_heartbeat() -> None:
    """Prove that beat is ticking and a worker consumes its ticks (read by /healthz)."""
    Heartbeat.objects.update_or_create(name="beat", defaults={"seen_at": timezone.now()})


@shared_task(autoretry_for=OUTAGES, retry_backoff=1, retry_backoff_max=30, max_retries=8)
def deliver_outbound(message_id: int) -> None:
    """Send one outbox message; schedule its retry when Discord could not take it yet."""
    from core import outbox

    delay = outbox.deliver(message_id)
    if delay is not None:
        deliver_outbound.apply_async((message_id,), countdown=delay)


@shared_task
def deliver_due_outbound() -> None:
    """Beat tick: queue every due outbox message (retries, and any whose task was lost)."""
    from core import outbox

    for message_id in outbox.due():
        deliver_outbound.delay(message_id)


@shared_task
def refresh_message(kind: str, object_id: int) -> None:
    """Re-render one public message (see core.refresh)."""
    from core import refresh

    refresh.refresh(kind, object_id)


@shared_task
def refresh_pending() -> None:
    """Beat tick: queue the refreshes whose task could not be queued (the broker was down)."""
    from core import refresh

    refresh.retry_pending()


# The sync_* tasks may run in any order; ``seen_ns`` (the gateway's stamp) lets the
# directory ignore an event older than one it already applied.


@shared_task
def sync_guild_joined(guild_id: int, name: str, seen_ns: int | None = None) -> None:
    from core import directory

    directory.guild_joined(guild_id, name, seen_ns=seen_ns)


@shared_task
def sync_guild_left(guild_id: int, seen_ns: int | None = None, name: str = "") -> None:
    from core import directory

    directory.guild_left(guild_id, seen_ns=seen_ns, name=name)


@shared_task
def sync_member(guild_id: int, user: dict, seen_ns: int | None = None) -> None:
    """A member joined or changed (nickname, roles)."""
    from core import directory

    directory.member_seen(guild_id, user, seen_ns=seen_ns)


@shared_task
def sync_member_left(guild_id: int, user_id: int, seen_ns: int | None = None, username: str = "") -> None:
    from core import directory

    directory.member_left(guild_id, user_id, seen_ns=seen_ns, username=username)


@shared_task
def sync_role_deleted(guild_id: int, role_id: int) -> None:
    from core import directory

    directory.role_deleted(guild_id, role_id)


@shared_task
def prune_old_records() -> None:
    """Beat tick: delete command logs and delivered outbox rows past RETENTION_DAYS (bounded batches)."""
    from core import retention

    retention.prune(now=timezone.now())


@shared_task
def delete_departed_guilds() -> None:
    """Beat tick: queue the deletion of each guild whose grace after removing Muster is over."""
    from core import retention

    for guild_id in retention.departed_guilds(now=timezone.now()):
        delete_guild_data.delay(guild_id)


@shared_task
def delete_guild_data(guild_id: int) -> None:
    from core import retention

    retention.delete_guild_data(guild_id, now=timezone.now())


@shared_task
def send_away_summaries() -> None:
    """Beat tick: "While you were away" to each member back from leave with nudges held (core.away_summary)."""
    from core import away_summary

    away_summary.send_due(now=timezone.now())
