"""The ids a log line carries where they are known: interaction, guild, task, request.

Context variables, so each thread (gunicorn's threads, Celery's threads pool) and each
asyncio task sees its own. Set by whoever knows them: ``config.middleware.RequestId`` for a
web request, ``core.interactions.dispatcher`` for an interaction, Celery's task signals
(``config.celery_app``) for a task. The JSON log formatter (``config.logfilters``) reads
them; nothing else may put anything in them but ids.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar

FIELDS = ("interaction_id", "guild_id", "task_id", "request_id")
_vars: dict[str, ContextVar] = {name: ContextVar(name, default=None) for name in FIELDS}


def current() -> dict[str, str | int]:
    """The ids known here and now (the unset ones left out)."""
    return {name: value for name, var in _vars.items() if (value := var.get()) is not None}


def set_ids(**ids) -> dict:
    """Set some ids until ``reset(tokens)``; ``None`` unsets one."""
    return {name: _vars[name].set(value) for name, value in ids.items()}


def reset(tokens: dict) -> None:
    for name, token in tokens.items():
        _vars[name].reset(token)


@contextlib.contextmanager
def bound(**ids):
    """``with bound(interaction_id=..., guild_id=...):`` lines logged inside carry them."""
    tokens = set_ids(**ids)
    try:
        yield
    finally:
        reset(tokens)
