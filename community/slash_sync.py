"""Registering a guild's custom commands as guild slash commands (``/<name>``), debounced.

Every change that affects them calls ``request_sync(guild_id)``: the guild's one
``GuildCommandSync`` row gets a ``due_at`` (unless one is already due) and one task is
queued for it, so ten edits in a row make one request. The task claims the row with a
compare-and-set and replaces the guild's command set with one bulk overwrite (``PUT
/applications/{app}/guilds/{guild}/commands``) through the shared Discord client, which
keeps the route's and the global rate limits for every worker together.

Discord allows 100 chat-input commands per guild: the oldest 100 are registered, and each
one left out says why on its row (``slash_error``). A refusal or an outage is recorded on
the sync row and on every slash command of the guild (the admin shows it); an outage is
retried with backoff, a refusal waits for the next change. Commands Discord already holds
in the guild under Muster's own names (a development guild the gateway syncs into,
``DISCORD_DEV_GUILD_ID``) are kept in the overwrite.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from community.models import CustomCommand, GuildCommandSync
from core.discord_api import DiscordError, PermanentError, TransientError, get_client
from core.interactions.declare import top_level

log = logging.getLogger(__name__)

DEBOUNCE = timedelta(seconds=3)
GUILD_COMMAND_LIMIT = 100
STALE_RUN = timedelta(seconds=120)  # longer than a task may live: its worker was killed
MAX_BACKOFF_S = 900
PATH = "/applications/{application_id}/guilds/{guild_id}/commands"
KEPT_FIELDS = ("name", "type", "description", "options", "default_member_permissions", "nsfw", "contexts")


def request_sync(guild_id: int, *, now: datetime) -> None:
    """Ask for the guild's slash commands to be registered again, once, ``DEBOUNCE`` from now."""
    GuildCommandSync.objects.get_or_create(guild_id=guild_id)
    if GuildCommandSync.objects.filter(guild_id=guild_id, due_at__isnull=True).update(due_at=now + DEBOUNCE):
        _queue(guild_id, DEBOUNCE.total_seconds())


def _queue(guild_id: int, countdown: float) -> None:
    from community.tasks import sync_guild_commands

    # robust: if the broker refuses, the community-slash-sync tick picks the row up.
    transaction.on_commit(lambda: sync_guild_commands.apply_async((guild_id,), countdown=countdown), robust=True)


def _claimable(now: datetime) -> Q:
    """Due and not running, or left running by a worker that was killed (its change is not registered)."""
    free = Q(running_since__isnull=True) | Q(running_since__lt=now - STALE_RUN)
    return (Q(due_at__lte=now) & free) | Q(running_since__lt=now - STALE_RUN)


def due(now: datetime) -> list[int]:
    """Guilds whose sync is due (the backstop tick for a lost countdown or a killed worker)."""
    return list(GuildCommandSync.objects.filter(_claimable(now)).values_list("guild_id", flat=True)[:100])


def sync(guild_id: int, *, now: datetime) -> float | None:
    """Register the guild's slash commands if its sync is due; seconds until a retry, else None."""
    claimed = GuildCommandSync.objects.filter(_claimable(now), guild_id=guild_id)
    if not claimed.update(due_at=None, running_since=now):
        return None
    commands = list(CustomCommand.objects.filter(guild_id=guild_id, slash_command=True).order_by("created_at", "id"))
    try:
        client = get_client()
        kept = _muster_commands(client, guild_id)
        room = max(0, GUILD_COMMAND_LIMIT - len(kept))
        registered, left_out = commands[:room], commands[room:]
        body = kept + [{"type": 1, "name": c.name, "description": c.description} for c in registered]
        client.request("PUT", PATH, _params(guild_id), json=body, attempts=2, max_wait=10.0)
    except DiscordError as exc:
        return _failed(guild_id, commands, exc, now=now)
    CustomCommand.objects.filter(id__in=[c.id for c in registered]).update(slash_registered_at=now, slash_error="")
    limit = (
        f"Not registered: Discord allows {GUILD_COMMAND_LIMIT} commands per server and "
        f"{len(registered) + len(kept)} are registered; use /custom run name:<name>, or turn another off."
    )
    CustomCommand.objects.filter(id__in=[c.id for c in left_out]).update(slash_registered_at=None, slash_error=limit)
    CustomCommand.objects.filter(guild_id=guild_id, slash_command=False).exclude(slash_registered_at=None).update(
        slash_registered_at=None
    )
    GuildCommandSync.objects.filter(guild_id=guild_id).update(
        running_since=None, synced_at=now, registered=len(registered), last_error="", attempts=0
    )
    log.info("guild %s: %d custom slash commands registered", guild_id, len(registered))
    return None


def _params(guild_id: int) -> dict:
    if not settings.DISCORD_APPLICATION_ID:
        raise DiscordError("DISCORD_APPLICATION_ID is not set, so Muster cannot name its application")
    return {"application_id": settings.DISCORD_APPLICATION_ID, "guild_id": guild_id}


def _muster_commands(client, guild_id: int) -> list[dict]:
    """Commands already in the guild under Muster's own names (a development guild), to keep."""
    own = {entry.name for entry in top_level()}
    existing = client.request("GET", PATH, _params(guild_id), attempts=2, max_wait=10.0) or []
    return [
        {key: command[key] for key in KEPT_FIELDS if command.get(key) is not None}
        for command in existing
        if command.get("name") in own
    ]


def _failed(guild_id: int, commands: list[CustomCommand], exc: DiscordError, *, now: datetime) -> float | None:
    sync_row = GuildCommandSync.objects.get(guild_id=guild_id)
    attempts = sync_row.attempts + 1
    retry = isinstance(exc, TransientError)
    delay = min(max(exc.retry_after or 0, 15 * 2 ** (attempts - 1)), MAX_BACKOFF_S) if retry else None
    if isinstance(exc, PermanentError) and exc.status == 403:
        why = "Discord refused: Muster may not add commands in this server (invite it with applications.commands)"
    elif retry:
        why = f"Discord did not answer ({exc}); trying again in {delay:.0f} s"
    else:
        why = f"Discord refused the commands: {exc}"
    fields = {"running_since": None, "last_error": why[:2000], "attempts": attempts}
    if delay is not None:
        # Only if no newer change made it due meanwhile (that one is queued already).
        retry_at = now + timedelta(seconds=delay)
        GuildCommandSync.objects.filter(guild_id=guild_id, due_at__isnull=True).update(due_at=retry_at)
    GuildCommandSync.objects.filter(guild_id=guild_id).update(**fields)
    CustomCommand.objects.filter(id__in=[c.id for c in commands]).update(slash_error=why[:2000])
    log.warning("guild %s: custom slash commands not registered: %s", guild_id, why)
    return delay
