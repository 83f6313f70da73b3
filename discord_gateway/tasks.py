"""The one task per interaction (queue "interactions")."""

from celery import shared_task
from celery.signals import worker_init, worker_process_init
from django.conf import settings

from core.discord_api import TransientError, get_client


@shared_task(autoretry_for=(TransientError,), retry_backoff=1, retry_backoff_max=30, max_retries=5)
def handle_interaction(payload: dict) -> None:
    """Route one interaction to its domain's handler and answer it (see dispatcher.handle)."""
    from discord_gateway import dispatcher

    dispatcher.handle(payload)


@worker_init.connect
def load_handlers(**kwargs) -> None:
    """Import every domain's handlers in the worker's main process, before its pool forks.

    Otherwise each child process pays for it (about 0.2 s of CPU) on its first
    interaction, all at once when a burst meets a freshly started worker.
    """
    from discord_gateway import routing

    routing.discover()


@worker_process_init.connect
def open_discord_client(**kwargs) -> None:
    """Build this child's Discord client (TLS context, connection pool) as it starts, not on its first answer."""
    if settings.DISCORD_TOKEN:
        get_client()
