"""The outbox: messages that must reach Discord, written with the change that causes them.

Usage, inside the caller's transaction::

    from core import outbox

    with transaction.atomic():
        registration = promote_waitlist(event)
        outbox.enqueue(
            key=f"event:{event.id}:promoted:{registration.member_id}",
            member_id=registration.member_id,            # a DM, or channel_id=... for a channel
            payload={"content": f"A seat opened up: you are going to {event.title}!"},
            guild_id=event.guild_id,
        )

The key is unique: enqueueing the same key twice stores (and sends) one message. The
delivery task is queued when the transaction commits; ``deliver`` sends, records the
outcome and schedules retries; closed DMs are marked undeliverable at the first refusal.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.discord_api import PermanentError, TransientError, get_client
from core.discord_api.limits import check_message
from core.models import Member, OutboundMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
STALE_SENDING = timedelta(minutes=5)
Status = OutboundMessage.Status


def enqueue(
    *, key: str, payload: dict, channel_id: int | None = None, member_id: int | None = None, guild_id: int | None = None
) -> OutboundMessage:
    """Store a message for delivery (once per ``key``) and send it after the commit.

    Exactly one of ``channel_id`` and ``member_id`` (a DM) names the target. The payload
    is Discord message JSON and is checked against Discord's limits here, so a bad
    message fails in the caller, not in a worker.
    """
    if (channel_id is None) == (member_id is None):
        raise ValueError("give exactly one of channel_id and member_id")
    check_message(payload)
    message, created = OutboundMessage.objects.get_or_create(
        idempotency_key=key,
        defaults={"payload": payload, "channel_id": channel_id, "member_id": member_id, "guild_id": guild_id},
    )
    if created:
        from core.tasks import deliver_outbound

        transaction.on_commit(lambda: deliver_outbound.delay(message.id))
    return message


def deliver(message_id: int) -> float | None:
    """Try to send one due message; seconds until its retry, or None when settled.

    The claim is a compare-and-set from pending to sending, so two workers (a sweep and
    an on-commit task) never send the same message at once.
    """
    now = timezone.now()
    claimed = OutboundMessage.objects.filter(id=message_id, status=Status.PENDING, next_attempt_at__lte=now).update(
        status=Status.SENDING, attempts=F("attempts") + 1, updated_at=now
    )
    if not claimed:
        return None
    message = OutboundMessage.objects.get(id=message_id)
    client = get_client()
    try:
        channel_id = message.channel_id
        if message.member_id is not None:
            channel_id = int(client.open_dm(message.member_id)["id"])
        # Discord drops a second message with the same nonce sent within minutes, so a
        # retry after a lost answer does not post twice.
        payload = {**message.payload, "nonce": _nonce(message.idempotency_key), "enforce_nonce": True}
        sent = client.send_message(channel_id, payload)
    except PermanentError as exc:
        _settle(message, Status.UNDELIVERABLE, str(exc))
        if exc.cannot_dm and message.member_id is not None:
            Member.objects.filter(id=message.member_id).update(dms_closed_at=timezone.now())
        log.info("outbound %s undeliverable: %s", message.idempotency_key, exc)
        return None
    except TransientError as exc:
        if message.attempts >= MAX_ATTEMPTS:
            _settle(message, Status.FAILED, str(exc))
            return None
        delay = min(max(exc.retry_after or 0, 5 * 2 ** (message.attempts - 1)), settings.MAX_RETRY_DELAY_S)
        OutboundMessage.objects.filter(id=message.id).update(
            status=Status.PENDING,
            last_error=str(exc)[:2000],
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
            updated_at=timezone.now(),
        )
        return delay
    OutboundMessage.objects.filter(id=message.id).update(
        status=Status.DELIVERED,
        delivered_message_id=int(sent["id"]),
        delivered_channel_id=channel_id,
        last_error="",
        updated_at=timezone.now(),
    )
    return None


def due(limit: int = 500) -> list[int]:
    """Ids of messages to send now, after freeing those stuck in "sending" (a killed worker)."""
    now = timezone.now()
    OutboundMessage.objects.filter(status=Status.SENDING, updated_at__lt=now - STALE_SENDING).update(
        status=Status.PENDING, updated_at=now
    )
    return list(
        OutboundMessage.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:limit]
    )


def _settle(message: OutboundMessage, status: str, error: str) -> None:
    OutboundMessage.objects.filter(id=message.id).update(
        status=status, last_error=error[:2000], updated_at=timezone.now()
    )


def _nonce(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:25]


def posted_message_id(instance, key: str) -> int | None:
    """The id of the message the outbox posted under ``key``, remembered on ``instance``.

    ``instance`` is any model with a nullable ``message_id`` (an event, a poll): the id is
    copied from the delivered outbox row the first time it is known.
    """
    if instance.message_id is None:
        delivered = (
            OutboundMessage.objects.filter(idempotency_key=key, delivered_message_id__isnull=False)
            .values_list("delivered_message_id", flat=True)
            .first()
        )
        if delivered is not None:
            type(instance).objects.filter(pk=instance.pk, message_id__isnull=True).update(message_id=delivered)
            instance.message_id = delivered
    return instance.message_id
