"""The plumbing of a domain's sync with Discord: an event's space (``events.spaces``) and its
teams' roles and rooms (``teams.sync``) make Discord match their rows the same way.

A pass spends a bounded number of writes (``Writes._spend``); the bot's permissions are
checked before the first (``Writes._permitted``); a rate limit longer than ``MAX_WAIT_S``, a
refusal or the end of the budget stops the pass (``Stop``), and the task comes back later
(``Synced.more``, ``retry_after``). What is missing is shown on the synced row and DMed once
to the organiser who asked (``Writes._report``). What to make, its names and overwrites stay
in each domain.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import F

from core import outbox
from core.discord_api import PermanentError, TransientError
from core.errors import RuleError

MAX_WAIT_S = 5.0  # a longer rate limit ends the pass; the task comes back after it
THREAD_ARCHIVED = 50083
UNKNOWN_CHANNEL, UNKNOWN_MEMBER, UNKNOWN_ROLE = 10003, 10007, 10011
MISSING_ACCESS, MISSING_PERMISSIONS = 50001, 50013
GONE = (UNKNOWN_CHANNEL, UNKNOWN_MEMBER, UNKNOWN_ROLE)


@dataclass
class Synced:
    """What a sync did; each domain adds its own counts."""

    made: int = 0
    added: int = 0
    removed: int = 0
    closed: bool = False
    more: bool = False
    retry_after: float = 1.0
    claimed: bool = True
    writes: int = 0


class Stop(Exception):
    """Ends a pass: out of writes, rate limited, or refused (or a domain's own wait)."""


def refuse_problem(problems) -> None:
    """Refuse, in one sentence, what ``problems()`` says the bot lacks (where an organiser
    configures, so they learn at once what to grant)."""
    try:
        problem = problems()
    except TransientError:
        raise RuleError("Discord did not answer; try again in a minute.") from None
    if problem:
        raise RuleError(problem)


# --- a pass's writes --------------------------------------------------------------------------


class Writes:
    """The Discord writes of one pass over ``row`` (a model with ``problem``, ``problem_at``,
    ``problems``, ``requested_by_id``, ``event_id`` and ``guild_id``): the permissions checked
    before the first, each counted against the run.

    A domain's plan derives from it and gives ``client``, ``problems_of(event, row, client)``
    (the sentence of what the bot lacks, empty when nothing), ``refused(event, row)`` (the
    sentence when Discord refuses what that check allowed), its log lines (``log``,
    ``subject``), its problem DMs' outbox keys (``key``) and the error codes it handles itself
    (``passed_on``).
    """

    log: logging.Logger
    subject: str  # "space of event": log lines say "space of event 12: ..."
    key: str  # "event-space": the problem DMs' outbox keys are "event-space:12:problem:3"
    problems_of: Callable[..., str]
    refused: Callable[..., str]
    passed_on: tuple[int, ...] = ()

    def __init__(self, event, row, done: Synced, now: datetime, writes: int):
        self.event, self.row, self.done, self.now = event, row, done, now
        self.budget, self.checked, self.wrote = writes, False, 0

    def _problems(self) -> str:
        return self.problems_of(self.event, self.row, self.client)

    def _spend(self) -> None:
        if self.done.writes >= self.budget:
            self.done.more = True
            raise Stop
        self.done.writes += 1
        self.wrote += 1

    def _later(self, exc: TransientError) -> Stop:
        self.done.more, self.done.retry_after = True, exc.retry_after or 5.0
        return Stop()

    def _permitted(self) -> None:
        if self.checked:
            return
        try:
            problem = self._problems()
        except TransientError as exc:
            raise self._later(exc) from None
        if problem:
            self._report(problem)
            raise Stop
        self.checked = True

    def _get(self, path: str, params: dict):
        try:
            return self.client.request("GET", path, params, max_wait=MAX_WAIT_S)
        except TransientError as exc:
            raise self._later(exc) from None

    def _send(self, method, path, params, *, json=None, gone_ok=False, archived_ok=False, thread_id=None):
        """One write. ``gone_ok``: what Discord no longer knows counts as done; ``archived_ok``:
        so does an archived thread; ``thread_id``: the thread to reopen when Discord says it is
        archived, then the write is made again."""
        try:
            return self.client.request(method, path, params, json=json, max_wait=MAX_WAIT_S)
        except TransientError as exc:
            raise self._later(exc) from None
        except PermanentError as exc:
            if gone_ok and exc.code in GONE:
                return None
            if exc.code in self.passed_on:
                raise
            if exc.code == THREAD_ARCHIVED and archived_ok:
                return None
            if exc.code == THREAD_ARCHIVED and thread_id:
                # Archived by someone (or Discord's inactivity timer) before the cleanup: reopen it.
                reopen = {"channel_id": thread_id}
                self.client.request("PATCH", "/channels/{channel_id}", reopen, json={"archived": False})
                return self._send(method, path, params, json=json, gone_ok=gone_ok, archived_ok=True)
            if exc.code in (MISSING_ACCESS, MISSING_PERMISSIONS):
                self._report(self._problems() or self.refused(self.event, self.row))
                raise Stop from None
            self.log.warning(self.subject + " %s: %s %s refused: %s", self.event.id, method, path, exc)
            raise Stop from None

    def _report(self, sentence: str) -> None:
        """Show the problem on the row; a new one DMs the organiser who asked for it, once."""
        row, now = self.row, self.now
        rows = type(row).objects.filter(pk=row.pk)
        with transaction.atomic():
            changed = rows.exclude(problem=sentence[:300]).update(
                problem=sentence[:300], problem_at=now, problems=F("problems") + 1
            )
            if changed and row.requested_by_id:
                count = rows.values_list("problems", flat=True).get()
                outbox.enqueue(
                    key=f"{self.key}:{row.event_id}:problem:{count}",
                    member_id=row.requested_by_id,
                    guild_id=row.guild_id,
                    payload={"content": sentence, "allowed_mentions": {"parse": []}},
                )
        self.log.info(self.subject + " %s: %s", row.event_id, sentence)
