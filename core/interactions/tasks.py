"""The interaction tasks (queue "interactions"): one interaction, or several a burst queued together."""

import logging
import time

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_init, worker_process_init
from django.conf import settings

from core.discord_api import TransientError, get_client
from core.errors import OUTAGES
from core.interactions import signing
from core.interactions.values import route_of

log = logging.getLogger(__name__)


class InteractionTask(Task):
    """A task whose payload is shown by interaction id and route only, never in full.

    Celery copies a task's arguments (``argsrepr``) into its log lines, its task events and
    so into Flower. An interaction's payload holds its token (good for answering as the bot
    for 15 minutes) and the member next to what they chose, which in an anonymous poll
    nobody may see. Set on every send, retries included (a retry does not keep argsrepr).
    """

    def apply_async(self, args=None, kwargs=None, **options):
        first = args[0] if args else None
        if isinstance(first, list):  # handle_interactions
            shown = "; ".join(describe(payload if isinstance(payload, dict) else {}) for payload in first)
        else:
            shown = describe(first if isinstance(first, dict) else {})
        options.setdefault("argsrepr", f"(<{shown}>,)")
        options.setdefault("kwargsrepr", "{}")
        return super().apply_async(args, kwargs, **options)


def describe(payload: dict) -> str:
    """ "interaction 123 component poll:vote": what a payload is, without what it holds."""
    route = route_of(payload.get("kind"), payload.get("command") or "", str(payload.get("custom_id") or ""))
    return f"interaction {payload.get('id')} {payload.get('kind')} {route}".strip()


# Discord's transient errors, and a database or Redis restart: about two minutes of
# retries, well inside the 15 minutes an interaction's token lives.
RETRY = {"autoretry_for": (TransientError, *OUTAGES), "retry_backoff": 1, "retry_backoff_max": 30, "max_retries": 8}


@shared_task(bind=True, base=InteractionTask, **RETRY)
def handle_interaction(self, payload: dict) -> None:
    """Route one interaction to its domain's handler and answer it (see dispatcher.handle).

    Only a payload the gateway signed runs (see core.interactions.signing); anything else
    is refused with one warning naming the interaction id: no answer, nothing recorded.
    """
    from core.interactions import dispatcher

    try:
        _handle_signed(payload)
    except dispatcher.AnswerInFlight as busy:
        # Another delivery is sending the answer; if its worker died, this one sends it then.
        raise self.retry(countdown=busy.retry_in) from None


# A batch hands what it has not reached by then to single tasks: well inside the soft time
# limit, even when each of its interactions waits seconds for an unwell Discord.
BATCH_BUDGET_S = 20.0


@shared_task(bind=True, base=InteractionTask, **RETRY)
def handle_interactions(self, payloads: list) -> None:
    """Several interactions that a burst queued together (discord_gateway.publish), in turn.

    One broker message and one task's overhead in the worker for all of them (Celery's
    part is 2-3 ms of CPU per task). Each runs exactly as ``handle_interaction`` runs it: its
    signature checked, its own transaction, its answer. One that fails (Discord or the
    database unavailable, or its answer in flight in another delivery) goes on to its own
    ``handle_interaction`` task, which retries it as it would have been retried; so do those
    not reached within BATCH_BUDGET_S. A redelivered batch (its worker died) finds the ones
    already done in the command log, and they send nothing again.
    """
    from core.interactions import dispatcher

    started = time.monotonic()
    for index, payload in enumerate(payloads):
        if time.monotonic() - started > BATCH_BUDGET_S:
            _hand_on(payloads[index:], countdown=0, why="the batch ran out of time")
            return
        try:
            _handle_signed(payload)
        except dispatcher.AnswerInFlight as busy:
            _hand_on([payload], countdown=busy.retry_in, why="its answer is in flight")
        except SoftTimeLimitExceeded:
            _hand_on(payloads[index:], countdown=0, why="the batch reached its time limit")
            return
        except Exception as exc:  # retried (or failed) by its own task, as a single one is
            _hand_on([payload], countdown=RETRY["retry_backoff"], why=type(exc).__name__)


def _hand_on(payloads: list, *, countdown: float, why: str) -> None:
    for payload in payloads:
        interaction_id = payload.get("id") if isinstance(payload, dict) else None
        log.warning("interaction %s handed to a task of its own: %s", _id_only(interaction_id), why)
        handle_interaction.apply_async((payload,), countdown=countdown)


def _handle_signed(payload: dict) -> None:
    """Only a payload the gateway signed runs (see core.interactions.signing); anything else
    is refused with one warning naming the interaction id: no answer, nothing recorded."""
    from core.interactions import dispatcher

    checked = signing.verified(payload)
    if checked is None:
        interaction_id = payload.get("id") if isinstance(payload, dict) else None
        log.warning("interaction %s refused: it does not carry the gateway's signature", _id_only(interaction_id))
        return
    dispatcher.handle(checked)


def _id_only(value: object) -> str:
    """The id as digits, or "?": a forged payload must not put its own text in the log."""
    text = str(value)
    return text if text.isdigit() and len(text) <= 20 else "?"


@worker_init.connect
def load_handlers(**kwargs) -> None:
    """Import every domain's handlers in the worker's main process, before its pool forks.

    Otherwise each child process pays for it (about 0.2 s of CPU) on its first
    interaction, all at once when a burst meets a freshly started worker.
    """
    from core.interactions import routing

    routing.discover()
    try:
        signing.signing_key()  # a worker without the key stops at start, not at each interaction
    except signing.SigningKeyMissing as exc:
        raise SystemExit(f"muster worker: {exc}") from None


@worker_process_init.connect
def open_discord_client(**kwargs) -> None:
    """Build this child's Discord client (TLS context, connection pool) as it starts, not on its first answer."""
    if settings.DISCORD_TOKEN:
        get_client()
