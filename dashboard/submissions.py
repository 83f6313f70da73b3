"""Creating forms take effect once: the same form sent twice makes one event or poll.

The form's hidden one-time token (``event_forms.OnceForm``) is written with the organiser
log's row in the creation's transaction, under a unique constraint; a second sending finds
the first row (or loses the race on the constraint, rolling its creation back) and answers
with what the first one created.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import IntegrityError, transaction

from core import organiser_log


def create_once(request, guild, form, action: str, create: Callable, detail: Callable) -> tuple[int, bool]:
    """(the created row's id, whether this sending created it). A RuleError from ``create`` propagates."""
    token = form.cleaned_data.get("submission") or ""
    done = organiser_log.submitted(guild.id, token)
    if done is not None:
        return done.object_id, False
    try:
        with transaction.atomic():
            row = create()
            organiser_log.record(request, guild.id, action, row, detail(row), submission=token)
    except IntegrityError:
        done = organiser_log.submitted(guild.id, token)
        if done is None:
            raise
        return done.object_id, False
    return row.pk, True
