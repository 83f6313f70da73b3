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
delivery task is queued when the transaction commits (if the broker refuses, the row
waits for the ``outbox-due`` tick; the commit's other hooks go ahead); ``deliver`` sends,
records the outcome and schedules retries. A post that its domain re-renders passes
``refresh=(kind, id)``: once delivered, the coalesced refresh draws its current state, so
a post delivered late never shows what it looked like when it was written.

An edit of a post the outbox made passes ``edits=<that post's key>`` (a channel post only):
delivered, it edits the post in place (once the post is delivered; nothing when the post
was never sent, see ``withdraw``). Sending an edit twice changes nothing, so an edit is
resent whatever happened to an earlier attempt, with no nonce.

Failures:

- Closed DMs (50007) and other refusals of the message itself: undeliverable at once.
- 401 (the token was revoked) and 403 (the bot lost access to a channel): not the
  message's fault. Delivery pauses (a ``DeliveryPause``, for everything or that channel),
  ``/healthz`` reports it under "delivery" and the admin shows it; every
  ``PAUSE_RETRY`` one message is tried, and its success lifts the pause.
- Anything else (5xx, timeouts, rate limits, a bug): retried with backoff, at most
  ``MAX_ATTEMPTS`` attempts, then failed. A row left in "sending" (its worker was killed)
  goes back to pending after ``STALE_SENDING`` and counts as an attempt.
- Each send carries a nonce derived from the key with ``enforce_nonce``, so Discord
  returns the first message instead of posting a second one, but only for a few minutes.
  A message whose earlier attempt may have reached Discord (a timeout, a 5xx, a killed
  worker: ``uncertain_since``) is resent only within ``NONCE_WINDOW`` of that attempt;
  past it, it is failed with "outcome unknown" rather than risk a double post (an
  operator who checked the channel can send it again from the admin).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.module_loading import import_string

from core import dm_channels
from core.discord_api import PermanentError, TransientError, get_client
from core.discord_api.errors import UNKNOWN_CHANNEL
from core.discord_api.limits import UPLOAD_LIMIT, check_message
from core.models import DeliveryPause, Member, OutboundMessage
from core.refresh import posted as redraw_posted

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# Longer than a task may live (CELERY_TASK_TIME_LIMIT, 90 s): a row still "sending" after
# this has lost its worker. Short enough that its resend stays inside the nonce window.
STALE_SENDING = timedelta(seconds=100)
# Discord checks an enforced nonce "in the past few minutes" (its documentation gives no
# figure); Muster resends a possibly-posted message only within this much of that attempt.
NONCE_WINDOW = timedelta(minutes=3)
PAUSE_RETRY = timedelta(minutes=5)
# The longest a worker waits on a rate limit for one message. A message whose channel (or
# the DM-opening route) is busy for longer goes back, to be sent when the limit allows, and
# the worker sends others meanwhile: a burst at one channel never holds every worker.
RATE_LIMIT_HOLD_S = 2.0
UNKNOWN_OUTCOME = "outcome unknown: an earlier attempt may have been posted, and Discord's nonce window has passed"
Status = OutboundMessage.Status
# Files a message carries, made when it is delivered from what is current then (so nothing is
# stored twice): name -> "module.function" taking the message, returning a discord_api Upload.
ATTACHMENTS = {"personal-data": "core.privacy.export_upload"}
TOO_LARGE = "(Your file is larger than Discord's 10 MiB upload limit, so it could not be attached.)"


def enqueue(
    *,
    key: str,
    payload: dict,
    channel_id: int | None = None,
    member_id: int | None = None,
    guild_id: int | None = None,
    refresh: tuple[str, int] | None = None,
    attachment: str = "",
    edits: str = "",
) -> OutboundMessage:
    """Store a message for delivery (once per ``key``) and send it after the commit.

    Exactly one of ``channel_id`` and ``member_id`` (a DM) names the target. The payload
    is Discord message JSON and is checked against Discord's limits here, so a bad
    message fails in the caller, not in a worker. ``refresh``: the (kind, id) of the
    ``core.refresh`` renderer that redraws this post once it is delivered. ``attachment``:
    the name of a file maker in ``ATTACHMENTS``, run at delivery. ``edits``: the key of
    the channel post this message replaces the content of (an edit, not a new message).
    """
    if (channel_id is None) == (member_id is None):
        raise ValueError("give exactly one of channel_id and member_id")
    if attachment and attachment not in ATTACHMENTS:
        raise ValueError(f"no attachment maker named {attachment!r}")
    if edits and (member_id is not None or attachment or refresh):
        raise ValueError("an edit is of a channel post, with no attachment and no refresh")
    check_message(payload, edit=bool(edits))
    message, created = OutboundMessage.objects.get_or_create(
        idempotency_key=key,
        defaults={
            "payload": payload,
            "channel_id": channel_id,
            "member_id": member_id,
            "guild_id": guild_id,
            "refresh_kind": refresh[0] if refresh else "",
            "refresh_object_id": refresh[1] if refresh else None,
            "attachment": attachment,
            "edits_key": edits,
        },
    )
    if created:
        from core.tasks import deliver_outbound

        # robust: a broker error is logged and the outbox-due tick sends the row instead.
        transaction.on_commit(lambda: deliver_outbound.delay(message.id), robust=True)
    return message


@dataclass(frozen=True)
class Outgoing:
    """One message for ``enqueue_many``: the arguments of ``enqueue``."""

    key: str
    payload: dict
    channel_id: int | None = None
    member_id: int | None = None
    guild_id: int | None = None
    refresh: tuple[str, int] | None = None


def enqueue_many(messages: list[Outgoing]) -> int:
    """``enqueue`` for many messages in two queries (a beat tick's bulk work); returns how many are new.

    Keys already stored are left as they are (once per key, as ``enqueue``).
    """
    if not messages:
        return 0
    for message in messages:
        if (message.channel_id is None) == (message.member_id is None):
            raise ValueError("give exactly one of channel_id and member_id")
        check_message(message.payload)
    keys = [message.key for message in messages]
    known = set(OutboundMessage.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True))
    rows = [
        OutboundMessage(
            idempotency_key=message.key,
            payload=message.payload,
            channel_id=message.channel_id,
            member_id=message.member_id,
            guild_id=message.guild_id,
            refresh_kind=message.refresh[0] if message.refresh else "",
            refresh_object_id=message.refresh[1] if message.refresh else None,
        )
        for message in {m.key: m for m in messages if m.key not in known}.values()
    ]
    try:
        with transaction.atomic():
            created = OutboundMessage.objects.bulk_create(rows)
    except IntegrityError:
        # Someone stored one of the keys since the look-up: one at a time, each once.
        return sum(_enqueue_one(row) for row in rows)
    from core.tasks import deliver_outbound

    ids = [row.id for row in created]
    transaction.on_commit(lambda: [deliver_outbound.delay(i) for i in ids], robust=True)
    return len(created)


def _enqueue_one(row: OutboundMessage) -> bool:
    refresh = (row.refresh_kind, row.refresh_object_id) if row.refresh_kind else None
    before = OutboundMessage.objects.filter(idempotency_key=row.idempotency_key).exists()
    enqueue(
        key=row.idempotency_key,
        payload=row.payload,
        channel_id=row.channel_id,
        member_id=row.member_id,
        guild_id=row.guild_id,
        refresh=refresh,
    )
    return not before


def deliver(message_id: int) -> float | None:
    """Try to send one due message; seconds until its retry, or None when settled or paused.

    The claim is a compare-and-set from pending to sending, so two workers (a sweep and
    an on-commit task) never send the same message at once.
    """
    now = timezone.now()
    message = OutboundMessage.objects.filter(id=message_id, status=Status.PENDING, next_attempt_at__lte=now).first()
    if message is None or _paused(message, now):
        return None
    if message.uncertain_since is not None and not message.edits_key and now - message.uncertain_since > NONCE_WINDOW:
        claimed = OutboundMessage.objects.filter(id=message_id, status=Status.PENDING).update(
            status=Status.FAILED, last_error=UNKNOWN_OUTCOME, updated_at=now
        )
        if claimed:
            log.warning("outbound %s failed: %s", message.idempotency_key, UNKNOWN_OUTCOME)
        return None
    claimed = OutboundMessage.objects.filter(id=message_id, status=Status.PENDING, next_attempt_at__lte=now).update(
        status=Status.SENDING, attempts=F("attempts") + 1, updated_at=now
    )
    if not claimed:
        return None
    message.refresh_from_db()
    if message.edits_key:
        return _edit(message, now)
    channel_id = message.channel_id
    try:
        if message.member_id is not None:
            channel_id = dm_channels.dm_channel(message.member_id, max_wait=RATE_LIMIT_HOLD_S)
        # Discord answers a second message with the same nonce, sent within minutes, with
        # the first one: a retry after a lost answer does not post twice.
        payload = {**message.payload, "nonce": _nonce(message.idempotency_key), "enforce_nonce": True}
        files = _files(message, payload)
        try:
            sent = get_client().send_message(channel_id, payload, files, max_wait=RATE_LIMIT_HOLD_S)
        except PermanentError as exc:
            if message.member_id is None or exc.code != UNKNOWN_CHANNEL:
                raise
            # The one remembered is gone.
            channel_id = dm_channels.dm_channel(message.member_id, reopen=True, max_wait=RATE_LIMIT_HOLD_S)
            sent = get_client().send_message(channel_id, payload, files, max_wait=RATE_LIMIT_HOLD_S)
    except PermanentError as exc:
        # A 403 on a channel post is the bot's access to it; on a DM it concerns the member.
        if exc.status == 401 or (exc.status == 403 and message.member_id is None):
            _pause_for(message, channel_id, exc, now)
            return None
        _settle(message, Status.UNDELIVERABLE, str(exc))
        if exc.cannot_dm and message.member_id is not None:
            Member.objects.filter(id=message.member_id).update(dms_closed_at=timezone.now())
        log.info("outbound %s undeliverable: %s", message.idempotency_key, exc)
        return None
    except Exception as exc:
        return _retry_later(message, exc, attempt_started=now)
    OutboundMessage.objects.filter(id=message.id).update(
        status=Status.DELIVERED,
        delivered_message_id=int(sent["id"]),
        delivered_channel_id=channel_id,
        last_error="",
        updated_at=timezone.now(),
    )
    DeliveryPause.objects.filter(scope__in=_scopes(channel_id)).delete()
    if message.member_id is not None:  # a DM arrived: their DMs are open (again), for core.nudging
        Member.objects.filter(id=message.member_id, dms_closed_at__isnull=False).update(dms_closed_at=None)
    if message.refresh_kind and message.refresh_object_id is not None:
        redraw_posted(message.refresh_kind, message.refresh_object_id, message.payload)
    return None


def withdraw(key: str, reason: str) -> bool:
    """Give up the message stored under ``key`` if it has not been sent yet (a post whose
    object is gone); False when it is being sent or was. A compare-and-set: no worker sends it after."""
    return bool(
        OutboundMessage.objects.filter(idempotency_key=key, status=Status.PENDING).update(
            status=Status.UNDELIVERABLE, last_error=reason[:2000], updated_at=timezone.now()
        )
    )


def _edit(message: OutboundMessage, now) -> float | None:
    """Deliver an edit (claimed by ``deliver``): the post it edits must be delivered first."""
    target = OutboundMessage.objects.filter(idempotency_key=message.edits_key).first()
    if target is None or target.status in (Status.UNDELIVERABLE, Status.FAILED):
        _settle(message, Status.UNDELIVERABLE, f"the post {message.edits_key} was never sent: nothing to edit")
        return None
    if target.delivered_message_id is None:  # still on its way: the edit waits for it
        return _retry_later(
            message, TransientError(f"waiting for {message.edits_key} to be posted"), attempt_started=now
        )
    channel_id = target.delivered_channel_id or message.channel_id
    try:
        get_client().edit_message(channel_id, target.delivered_message_id, message.payload)
    except PermanentError as exc:
        if exc.status in (401, 403):
            _pause_for(message, channel_id, exc, now)
        else:  # the post was deleted in Discord (Unknown Message), or the edit refused: nothing to retry
            _settle(message, Status.UNDELIVERABLE, str(exc))
        return None
    except Exception as exc:
        return _retry_later(message, exc, attempt_started=now)
    OutboundMessage.objects.filter(id=message.id).update(
        status=Status.DELIVERED,
        delivered_message_id=target.delivered_message_id,
        delivered_channel_id=channel_id,
        last_error="",
        updated_at=timezone.now(),
    )
    DeliveryPause.objects.filter(scope__in=_scopes(channel_id)).delete()
    return None


def _files(message: OutboundMessage, payload: dict) -> list:
    """The message's file, made now; one over Discord's upload limit is left out and the message says so."""
    if not message.attachment:
        return []
    upload = import_string(ATTACHMENTS[message.attachment])(message)
    if len(upload.content) > UPLOAD_LIMIT:
        payload["content"] = f"{payload.get('content', '')}\n{TOO_LARGE}".strip()
        return []
    return [upload]


def _retry_later(message: OutboundMessage, exc: Exception, *, attempt_started) -> float | None:
    """Put a failed attempt back for a retry with backoff; None once attempts or the nonce window ran out."""
    if isinstance(exc, TransientError) and exc.held_back:
        return _hold_back(message, exc)
    if not isinstance(exc, TransientError):
        log.exception("outbound %s: attempt %s failed", message.idempotency_key, message.attempts)
    # A rate limit (429, or a wait the client refused) or Discord's edge being unavailable
    # (502, 503) certainly created nothing; a timeout, a 500, a 504 or an unexpected error
    # may have come after Discord posted it.
    certain = isinstance(exc, TransientError) and (exc.status in (429, 502, 503) or exc.retry_after is not None)
    certain = certain or bool(message.edits_key)  # an edit made twice is the same edit
    uncertain_since = message.uncertain_since or (None if certain else attempt_started)
    retry_after = exc.retry_after if isinstance(exc, TransientError) else None
    delay = min(max(retry_after or 0, 5 * 2 ** (message.attempts - 1)), settings.MAX_RETRY_DELAY_S)
    if uncertain_since is not None:
        left = (uncertain_since + NONCE_WINDOW - timezone.now()).total_seconds()
        delay = min(delay, max(left - 5, 0))  # the retry must start inside the window
    if message.attempts >= MAX_ATTEMPTS:
        _settle(message, Status.FAILED, str(exc) or type(exc).__name__)
        return None
    OutboundMessage.objects.filter(id=message.id).update(
        status=Status.PENDING,
        last_error=(str(exc) or type(exc).__name__)[:2000],
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
        uncertain_since=uncertain_since,
        updated_at=timezone.now(),
    )
    return delay


def _hold_back(message: OutboundMessage, exc: TransientError) -> float:
    """Nothing was sent (a rate limit outlasted ``RATE_LIMIT_HOLD_S``): put the message back
    untouched until the limit allows it. Not an attempt, so a burst never fails a message."""
    delay = exc.retry_after
    OutboundMessage.objects.filter(id=message.id).update(
        status=Status.PENDING,
        attempts=F("attempts") - 1,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
        updated_at=timezone.now(),
    )
    return delay


def _scopes(channel_id: int | None) -> list[str]:
    return ["all"] if channel_id is None else ["all", f"channel:{channel_id}"]


def _paused(message: OutboundMessage, now) -> bool:
    """Whether a pause holds this message back; when a pause is due for a try, one message takes it."""
    for pause in DeliveryPause.objects.filter(scope__in=_scopes(message.channel_id)):
        if pause.retry_at > now:
            return True
        # This message is the pause's probe if it wins the compare-and-set.
        taken = DeliveryPause.objects.filter(id=pause.id, retry_at=pause.retry_at).update(retry_at=now + PAUSE_RETRY)
        if not taken:
            return True
    return False


def _pause_for(message: OutboundMessage, channel_id: int | None, exc: PermanentError, now) -> None:
    """Discord refused the bot, not the message: pause its scope and put the message back untouched."""
    scope = "all" if exc.status == 401 or channel_id is None else f"channel:{channel_id}"
    reason = f"{exc} (while sending {message.idempotency_key})"[:2000]
    DeliveryPause.objects.update_or_create(scope=scope, defaults={"reason": reason, "retry_at": now + PAUSE_RETRY})
    OutboundMessage.objects.filter(id=message.id).update(
        status=Status.PENDING, attempts=F("attempts") - 1, last_error=reason, next_attempt_at=now, updated_at=now
    )
    log.error("outbound delivery paused for %s: %s", scope, reason)


def due(limit: int = 500) -> list[int]:
    """Ids of messages to send now, after settling those stuck in "sending" (a killed worker)."""
    now = timezone.now()
    stale = OutboundMessage.objects.filter(status=Status.SENDING, updated_at__lt=now - STALE_SENDING)
    stale.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=Status.FAILED, last_error="its worker stopped while sending, and it had no attempts left", updated_at=now
    )
    # Its worker may have posted it before dying: resends stay within the nonce window.
    stale.update(status=Status.PENDING, uncertain_since=Coalesce("uncertain_since", "updated_at"), updated_at=now)
    pending = OutboundMessage.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
    paused = set(DeliveryPause.objects.filter(retry_at__gt=now).values_list("scope", flat=True))
    if "all" in paused:
        return []
    channels = [int(scope.split(":", 1)[1]) for scope in paused if scope.startswith("channel:")]
    if channels:
        pending = pending.exclude(channel_id__in=channels)
    return list(pending.order_by("next_attempt_at").values_list("id", flat=True)[:limit])


def paused() -> list[DeliveryPause]:
    """The pauses in force, oldest first (for /healthz and the admin)."""
    return list(DeliveryPause.objects.order_by("paused_at"))


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
