"""The worker side of an interaction: log it once, run its handler once, answer it.

``handle(payload)`` is what the ``handle_interaction`` task runs. The command log row,
keyed by the interaction id (a keyed hash of it when redacted, see ``log_id``), is
written (or its attempts counted) and locked in the transaction the handler runs in, so
a redelivered task (a worker killed mid-task) finds the outcome recorded and only
re-sends the stored answer, and one killed mid-handler left nothing to find.

The answer is claimed on the row before it is sent (``answer_claimed_at``): by the
delivery that ran the handler, in the statement that records its outcome under the lock;
by any later delivery, with a compare-and-set. So two concurrent deliveries of one
interaction never both send it: a component's answer is a follow-up POST, which Discord
would show twice. A delivery that finds the answer claimed and not yet sent raises
``AnswerInFlight``: the task comes back when the claim would have expired, and then finds
it answered, or takes over a claim older than a task may live (``CELERY_TASK_TIME_LIMIT``:
its worker was killed). A failed send gives the claim back for the retry.

When the route redacts the interaction (``redact=`` in ``core.interactions.routing``, e.g. a
vote in an anonymous poll), that is decided before the row is created, and whatever the
outcome the row keeps ``{"redacted": true}`` instead of the options or select values, no
member, times only to the hour (``received_at``, ``answered_at``: enough for usage
statistics, too coarse to match a vote), and only the exception's type instead of its
message; the error is logged with its stack but without exception messages. The
custom_id's ids are never stored (only the route) and the answer is stored as the
handler wrote it, so a redacting handler's answer must not repeat the choice.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
import traceback
from datetime import datetime, timedelta

import redis
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from config import logcontext
from core import directory, metrics
from core.discord_api import PermanentError, TransientError, get_client
from core.discord_api.errors import UNKNOWN_MESSAGE, UNKNOWN_WEBHOOK
from core.errors import OUTAGES, RuleError
from core.interactions import drafts, routing
from core.interactions.components import button, row
from core.interactions.values import Interaction, Reply, Update
from core.models import CommandLog
from core.permissions import REFUSAL

log = logging.getLogger(__name__)

Outcome = CommandLog.Outcome
ERROR_MESSAGE = "Something went wrong on Muster's side. If it happens again, give an organiser this reference: {}"
NO_HANDLER = "This no longer does anything."
NOT_ALLOWED = REFUSAL  # every allowed= check is the organiser rule or extends it: one wording
RETRY_LABEL = "Edit and try again"
REDACTED_OPTIONS = {"redacted": True}
WITHHELD = "<details withheld>"


class AnswerInFlight(Exception):
    """Another delivery of this interaction is sending its answer; look again in ``retry_in`` seconds."""

    def __init__(self, retry_in: float):
        super().__init__(f"the answer is being sent by another delivery; look again in {retry_in:.0f} s")
        self.retry_in = retry_in


def handle(payload: dict) -> None:
    """Record, run and answer one interaction (at most one handler run per interaction id)."""
    interaction = Interaction.from_payload(payload)
    with logcontext.bound(interaction_id=interaction.id, guild_id=interaction.guild_id):
        _handle(interaction)


def _handle(interaction: Interaction) -> None:
    route = routing.find(interaction)
    redacted = route is not None and route.redacts(interaction)
    directory.record_actor(interaction)
    pk = log_id(interaction, redacted=redacted)
    ran, reply, answered = _run_once(interaction, pk, redacted=redacted)
    if answered:
        return
    if ran is not None:
        _count_run(interaction, route, ran)
    if reply is None:  # an earlier delivery ran the handler: take the right to send its answer
        if not _claim_answer(pk):
            _answered_or_in_flight(pk)
            return
        reply = CommandLog.objects.values_list("reply", flat=True).get(pk=pk)
    try:
        answer(interaction, reply)
    except BaseException:
        CommandLog.objects.filter(pk=pk).update(answer_claimed_at=None)  # the retry sends it
        raise
    latency_ms = max(0, int((time.time() - interaction.created_at) * 1000))
    answered_at = timezone.now()
    done = {"answered_at": to_the_hour(answered_at) if redacted else answered_at}
    if reply.get("secret"):
        # Kept only until it is sent: a redelivery after this finds it answered and sends nothing.
        done["reply"] = {"type": reply["type"], "message": {}, "secret": True}
    CommandLog.objects.filter(pk=pk, answered_at__isnull=True).update(
        **done, completion_latency_ms=latency_ms, answer_claimed_at=None
    )
    metrics.END_TO_END_SECONDS.observe(latency_ms / 1000)


def _count_run(interaction: Interaction, route: routing.Route | None, outcome: str) -> None:
    """The handler ran (once per interaction): count it by route and outcome, and its acknowledgement's latency."""
    name = route.name if route is not None else "(none)"
    log.info("interaction %s %s: %s", interaction.id, name, outcome)
    metrics.INTERACTIONS.inc(route=name, outcome=outcome)
    ack_ms = _ack_latency_ms(interaction)
    if ack_ms is not None:
        metrics.ACK_SECONDS.observe(ack_ms / 1000)


def _run_once(interaction: Interaction, pk: int, *, redacted: bool) -> tuple[str | None, dict | None, bool]:
    """Count this delivery and run the handler unless an earlier one did: (outcome, stored
    answer, answered); outcome and answer are None when another delivery ran the handler.

    One transaction: the upsert that creates the row (or counts this delivery on it) locks
    it until the commit, so a concurrent delivery waits there and then finds the outcome
    recorded. The outcome and the claim on the answer are written in one statement: nobody
    can hold a claim on an answer that did not exist yet, and a delivery waiting on the
    lock finds the outcome recorded and the answer claimed.
    """
    with transaction.atomic():
        outcome, answered = _count_attempt(interaction, pk, redacted=redacted)
        if answered or outcome != Outcome.PENDING:
            return None, None, answered
        outcome, reply, error, reference = run(interaction, redacted=redacted)
        CommandLog.objects.filter(pk=pk).update(
            outcome=outcome, reply=reply, error=error, reference=reference, answer_claimed_at=timezone.now()
        )
    return outcome, reply, False


def _answered_or_in_flight(pk: int) -> None:
    """Return if the answer went out meanwhile; else raise ``AnswerInFlight`` until its claim expires."""
    row = CommandLog.objects.filter(pk=pk).values("answered_at", "answer_claimed_at").first()
    if row is None or row["answered_at"] is not None:
        return
    if row["answer_claimed_at"] is None:  # the other delivery failed to send and let go: try again soon
        raise AnswerInFlight(1.0)
    expires = row["answer_claimed_at"] + timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    raise AnswerInFlight(max(1.0, (expires - timezone.now()).total_seconds() + 1))


def _claim_answer(interaction_id: int) -> bool:
    """Take the right to send this interaction's answer (compare-and-set); False if another delivery holds it."""
    now = timezone.now()
    abandoned = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    free = Q(answer_claimed_at__isnull=True) | Q(answer_claimed_at__lt=abandoned)
    unanswered = CommandLog.objects.filter(free, pk=interaction_id, answered_at__isnull=True)
    return bool(unanswered.update(answer_claimed_at=now))


def log_id(interaction: Interaction, *, redacted: bool) -> int:
    """The command log's key: the interaction id, or for a redacted one a keyed hash of it.

    A Discord id holds its creation time to the millisecond; a redacted row must not. The
    hash is negative (no Discord id is), the same for every delivery of the interaction,
    and keyed with POLL_VOTER_KEY (SECRET_KEY where that is not set: DEBUG) so it cannot
    be reversed by hashing every id of an hour.
    """
    if not redacted:
        return interaction.id
    key = (settings.POLL_VOTER_KEY or settings.SECRET_KEY).encode()
    digest = hmac.new(key, f"commandlog:{interaction.id}".encode(), hashlib.sha256).digest()
    return -1 - (int.from_bytes(digest[:8], "big") >> 1)


def to_the_hour(moment: datetime) -> datetime:
    """``moment`` without its minutes: what a redacted interaction's row keeps of a time."""
    return moment.replace(minute=0, second=0, microsecond=0)


def _count_attempt(interaction: Interaction, pk: int, *, redacted: bool = False) -> tuple[str, bool]:
    """Create the log row on the first delivery and count every delivery: (outcome, answered).

    One upsert, in the handler's transaction (``_run_once``): the row it inserts or
    updates stays locked until the commit, which is the lock the handler runs under. A
    delivery whose transaction does not commit (its worker killed mid-handler, the
    database gone) leaves no count, as it leaves no effect; every delivery that records
    or finds an outcome counts one. A concurrent delivery's row is kept, only its count
    goes up. ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` is PostgreSQL's
    and SQLite's (3.35+) alike; Django's ``bulk_create(update_conflicts=True)`` can only
    copy the new row's value, not add one to the stored count.
    """
    entry = CommandLog(
        pk=pk,
        guild_id=interaction.guild_id,
        member_id=None if redacted else interaction.actor.id,
        kind=interaction.kind,
        command=interaction.route[:100],
        options=REDACTED_OPTIONS if redacted else _options(interaction),
        received_at=to_the_hour(timezone.now()) if redacted else timezone.now(),
        ack_latency_ms=_ack_latency_ms(interaction),
        attempts=1,
    )
    with connection.cursor() as cursor:
        cursor.execute(*_upsert(entry))
        outcome, answered_at = cursor.fetchone()
    return outcome, answered_at is not None


def _upsert(entry: CommandLog) -> tuple[str, list]:
    meta, quote = CommandLog._meta, connection.ops.quote_name
    fields = meta.concrete_fields
    table, attempts = quote(meta.db_table), quote("attempts")
    values = [field.get_db_prep_save(field.pre_save(entry, add=True), connection) for field in fields]
    # Only the model's own table and column names are formatted in; every value is a parameter.
    columns = ", ".join(quote(field.column) for field in fields)
    sql = (
        f"INSERT INTO {table} ({columns})"  # noqa: S608
        f" VALUES ({', '.join(['%s'] * len(fields))})"
        f" ON CONFLICT ({quote(meta.pk.column)}) DO UPDATE SET {attempts} = {table}.{attempts} + 1"
        f" RETURNING {quote('outcome')}, {quote('answered_at')}"
    )
    return sql, values


def _options(interaction: Interaction) -> dict:
    return interaction.options or interaction.fields or {"values": list(interaction.values)}


def _ack_latency_ms(interaction: Interaction) -> int | None:
    if not interaction.acked_at or not interaction.created_at:
        return None
    return max(0, int((interaction.acked_at - interaction.created_at) * 1000))


def run(interaction: Interaction, *, redacted: bool = False) -> tuple[str, dict, str, str]:
    """(outcome, stored answer, error, reference) of running the interaction's handler.

    ``redacted``: the error and its log line name exception types only, never messages.
    """
    route = routing.find(interaction)
    parts = route.parts(interaction) if route is not None else None
    if parts is None:  # no handler, or a custom_id of a shape the handler does not know
        return Outcome.UNKNOWN, _private(NO_HANDLER), "", ""
    if not route.permits(interaction):
        return Outcome.REFUSED, _private(NOT_ALLOWED), "", ""
    try:
        with transaction.atomic():
            result = route.handler(interaction, **parts)
    except RuleError as refusal:
        return Outcome.REFUSED, _refusal(interaction, refusal.message, redacted=redacted), "", ""
    except OUTAGES:
        raise  # nothing was done: the task tries again once the database or Redis is back
    except Exception as exc:
        reference = secrets.token_hex(4)
        message = _private(ERROR_MESSAGE.format(reference))
        if redacted:
            stack = _stack_without_messages(exc)
            log.error(
                "interaction %s (%s) failed, reference %s (redacted)\n%s", interaction.id, route.name, reference, stack
            )
            return Outcome.ERROR, message, f"{type(exc).__name__} (details withheld: redacted interaction)", reference
        log.exception("interaction %s (%s) failed, reference %s", interaction.id, interaction.route, reference)
        return Outcome.ERROR, message, repr(exc)[:2000], reference
    return Outcome.OK, _stored(result), "", ""


def _stack_without_messages(exc: BaseException) -> str:
    """The traceback of ``exc`` and of its causes, with each exception's type but not its message.

    Frames show code, not values; messages may quote what the member chose (a database
    error's DETAIL line names the row).
    """
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = "".join(traceback.format_list(traceback.extract_tb(current.__traceback__)))
        parts.append(f"Traceback (most recent call last):\n{frames}{type(current).__qualname__}: {WITHHELD}")
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    return "\n\nThe above exception led to the following one:\n\n".join(reversed(parts))


def _private(text: str) -> dict:
    return {"type": "private", "message": {"content": text}}


def _refusal(interaction: Interaction, text: str, *, redacted: bool) -> dict:
    """The private refusal; a refused form also gets *Edit and try again*, reopening it filled in."""
    stored = _private(text)
    if interaction.kind != "modal" or redacted:
        return stored
    try:
        draft = drafts.keep(interaction)
    except redis.RedisError as exc:  # the refusal still stands, only without the button
        log.warning("interaction %s: the form's values could not be kept: %s", interaction.id, type(exc).__name__)
        return stored
    stored["message"]["components"] = [row(button(RETRY_LABEL, drafts.RETRY.build(draft=draft), style="primary"))]
    return stored


def _stored(result) -> dict:
    if isinstance(result, Reply | Update):
        kind = "reply" if isinstance(result, Reply) else "update"
        return {"type": kind, "message": result.message(), **({"secret": True} if result.secret else {})}
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
        if exc.code in (UNKNOWN_MESSAGE, UNKNOWN_WEBHOOK) and _age_s(interaction) < ACK_RACE_S:
            # In HTTP mode the acknowledgement is web's HTTP response, which Discord may not
            # have taken in yet when a fast worker edits it: the task's retry (1 s, 2 s ...) does.
            raise TransientError(f"the acknowledgement is not there yet ({exc})", status=exc.status) from exc
        # An interaction token lives 15 minutes; past that nothing can be shown.
        log.warning("interaction %s could not be answered: %s", interaction.id, exc)


# How long after its creation an unknown deferral is taken for one not yet registered by
# Discord (retried) rather than one that never came (given up): past Discord's 3 s deadline.
ACK_RACE_S = 5.0


def _age_s(interaction: Interaction) -> float:
    return time.time() - interaction.created_at if interaction.created_at else float("inf")
