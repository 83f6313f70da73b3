"""How long Muster keeps what it no longer needs.

- Command logs and delivered outbox rows older than ``RETENTION_DAYS`` (default 90) are
  deleted by the ``retention-prune`` beat tick, ``BATCH`` rows per query, at most
  ``ROUNDS`` queries per model and tick (the next tick goes on), so a first run over a
  large backlog never holds a long lock. Only delivered outbox rows go: failed and
  undeliverable ones stay for the problems page and an operator's resend. So do nudges
  held while a member was away once their summary was written that long ago.
- A guild that removed Muster (``Guild.left_at``, set on GUILD_DELETE) has its data
  deleted ``GUILD_DATA_GRACE_DAYS`` (default 30) later by ``retention-departed-guilds``;
  Muster added back within the grace clears ``left_at`` and keeps everything.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from core.models import CommandLog, Guild, HeldNudge, Member, OutboundMessage

log = logging.getLogger(__name__)

BATCH = 1000
ROUNDS = 20


def prune(*, now: datetime, batch: int = BATCH, rounds: int = ROUNDS) -> dict[str, int]:
    """Delete expired command logs, delivered outbox rows and summarised held nudges; rows deleted per kind.

    Each query deletes at most ``batch`` rows by primary key; a kind with more left is
    picked up by the next tick once ``rounds`` queries ran.
    """
    cutoff = now - timedelta(days=settings.RETENTION_DAYS)
    expired = {
        "command_logs": CommandLog.objects.filter(received_at__lt=cutoff),
        "outbox": OutboundMessage.objects.filter(status=OutboundMessage.Status.DELIVERED, created_at__lt=cutoff),
        "held_nudges": HeldNudge.objects.filter(summarised_at__lt=cutoff),
    }
    deleted = {}
    for kind, rows in expired.items():
        deleted[kind] = 0
        for _ in range(rounds):
            ids = list(rows.order_by().values_list("pk", flat=True)[:batch])
            if not ids:
                break
            n, _ = rows.model.objects.filter(pk__in=ids).delete()
            deleted[kind] += n
    if any(deleted.values()):
        log.info("retention pruned %s", ", ".join(f"{n} {kind}" for kind, n in deleted.items()))
    return deleted


def departed_guilds(*, now: datetime) -> list[int]:
    """Ids of guilds whose grace after removing Muster is over."""
    cutoff = now - timedelta(days=settings.GUILD_DATA_GRACE_DAYS)
    return list(Guild.objects.filter(active=False, left_at__lte=cutoff).values_list("id", flat=True))


def delete_guild_data(guild_id: int, *, now: datetime) -> bool:
    """Delete a departed guild and everything of it (True), unless it came back meanwhile.

    Its rows in every app go with it (their foreign keys cascade); so do its command logs
    and outbox rows (which only point at it), and the members left with no guild at all.
    """
    cutoff = now - timedelta(days=settings.GUILD_DATA_GRACE_DAYS)
    with transaction.atomic():
        guild = Guild.objects.select_for_update().filter(id=guild_id, active=False, left_at__lte=cutoff).first()
        if guild is None:
            return False
        member_ids = list(guild.memberships.values_list("member_id", flat=True))
        CommandLog.objects.filter(guild_id=guild_id).delete()
        OutboundMessage.objects.filter(guild_id=guild_id).delete()
        guild.delete()
        Member.objects.filter(id__in=member_ids, memberships__isnull=True).delete()
    log.info("deleted the data of guild %s, %s days after Muster was removed", guild_id, settings.GUILD_DATA_GRACE_DAYS)
    return True
