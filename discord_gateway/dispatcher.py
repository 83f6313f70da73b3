"""The worker side of an interaction: log it once, run its handler once, answer it.

``handle(payload)`` is what the ``handle_interaction`` task runs. The command log row,
keyed by the interaction id, is locked while the handler runs in the same transaction,
so a redelivered task (a worker killed mid-task) finds the outcome recorded and only
re-sends the stored answer, which is idempotent (an edit of the deferred response).
"""

from __future__ import annotations

import logging
import secrets
import time

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core import directory
from core.discord_api import PermanentError, get_client
from core.models import CommandLog
from discord_gateway import routing
from discord_gateway.interaction import Interaction, Refusal, Reply, Update

log = logging.getLogger(__name__)

Outcome = CommandLog.Outcome
ERROR_MESSAGE = "Something went wrong on Muster's side. If it happens again, give an organiser this reference: {}"
NO_HANDLER = "This no longer does anything."
NOT_ALLOWED = "You are not allowed to use this here."


def handle(payload: dict) -> None:
    """Record, run and answer one interaction (at most one handler run per interaction id)."""
    interaction = Interaction.from_payload(payload)
    directory.record_actor(interaction)
    _count_attempt(interaction)
    with transaction.atomic():
        entry = CommandLog.objects.select_for_update().get(pk=interaction.id)
        if entry.outcome == Outcome.PENDING:
            entry.outcome, entry.reply, entry.error, entry.reference = run(interaction)
            entry.save(update_fields=["outcome", "reply", "error", "reference"])
    if entry.answered_at is None:
        answer(interaction, entry.reply)
        latency_ms = max(0, int((time.time() - interaction.created_at) * 1000))
        CommandLog.objects.filter(pk=interaction.id, answered_at__isnull=True).update(
            answered_at=timezone.now(), completion_latency_ms=latency_ms
        )


def _count_attempt(interaction: Interaction) -> None:
    """Create the log row on the first delivery and count every delivery.

    Committed at once (two statements, no transaction), so a worker killed mid-handler
    still shows in ``attempts``; a concurrent delivery's row is kept, not overwritten.
    """
    entry = CommandLog(
        pk=interaction.id,
        guild_id=interaction.guild_id,
        member_id=interaction.actor.id,
        kind=interaction.kind,
        command=interaction.route[:100],
        options=interaction.options or interaction.fields or {"values": list(interaction.values)},
        ack_latency_ms=_ack_latency_ms(interaction),
    )
    CommandLog.objects.bulk_create([entry], ignore_conflicts=True)
    CommandLog.objects.filter(pk=interaction.id).update(attempts=F("attempts") + 1)


def _ack_latency_ms(interaction: Interaction) -> int | None:
    if not interaction.acked_at or not interaction.created_at:
        return None
    return max(0, int((interaction.acked_at - interaction.created_at) * 1000))


def run(interaction: Interaction) -> tuple[str, dict, str, str]:
    """(outcome, stored answer, error, reference) of running the interaction's handler."""
    route = routing.find(interaction)
    if route is None:
        return Outcome.UNKNOWN, _private(NO_HANDLER), "", ""
    if not route.permits(interaction):
        return Outcome.REFUSED, _private(NOT_ALLOWED), "", ""
    try:
        with transaction.atomic():
            result = route.handler(interaction)
    except Refusal as refusal:
        return Outcome.REFUSED, _private(refusal.message), "", ""
    except Exception as exc:
        reference = secrets.token_hex(4)
        log.exception("interaction %s (%s) failed, reference %s", interaction.id, interaction.route, reference)
        return Outcome.ERROR, _private(ERROR_MESSAGE.format(reference)), repr(exc)[:2000], reference
    return Outcome.OK, _stored(result), "", ""


def _private(text: str) -> dict:
    return {"type": "private", "message": {"content": text}}


def _stored(result) -> dict:
    if isinstance(result, Reply):
        return {"type": "reply", "message": result.message()}
    if isinstance(result, Update):
        return {"type": "update", "message": result.message()}
    if result is None:
        return {"type": "none", "message": {}}
    raise TypeError(f"a handler returned {type(result).__name__}; expected Reply, Update or None")


def answer(interaction: Interaction, stored: dict) -> None:
    """Show the stored answer: edit the deferred response, or send a follow-up."""
    client = get_client()
    app, token = interaction.application_id, interaction.token
    kind, message = stored["type"], dict(stored["message"])
    private = {**message, "flags": 64}
    try:
        if interaction.kind == "component":
            if kind == "update":
                client.edit_original(app, token, message)
            elif kind == "reply":
                client.followup(app, token, message)
            elif kind == "private":
                client.followup(app, token, private)
            return
        message.pop("flags", None)  # the deferral already chose public or private
        if kind == "private" and not interaction.ephemeral:
            client.delete_original(app, token)
            client.followup(app, token, private)
        elif kind == "none":
            client.edit_original(app, token, {"content": "Done."})
        else:
            client.edit_original(app, token, message)
    except PermanentError as exc:
        # An interaction token lives 15 minutes; past that nothing can be shown.
        log.warning("interaction %s could not be answered: %s", interaction.id, exc)
