"""The one task per interaction (queue "interactions")."""

from celery import shared_task

from core.discord_api import TransientError


@shared_task(autoretry_for=(TransientError,), retry_backoff=1, retry_backoff_max=30, max_retries=5)
def handle_interaction(payload: dict) -> None:
    """Route one interaction to its domain's handler and answer it (see dispatcher.handle)."""
    from discord_gateway import dispatcher

    dispatcher.handle(payload)
