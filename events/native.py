"""Discord's native scheduled events: upcoming Muster events mirrored one way (a sub-domain of events).

Optional per guild (``NativeMirroring``, off by default). While it is on, each upcoming
event that is not cancelled is an EXTERNAL Guild Scheduled Event in Discord with its name,
start, end (``NATIVE_EVENT_DEFAULT_MINUTES`` after the start when it has none), location
and a description linking to the Muster post. Muster is the source: a sync makes Discord
match it (creates, edits, cancels, removes) and overwrites changes made in Discord.
"Interested" in Discord is not a registration; only the post's buttons register.

Discord keeps at most ``LIMIT`` (100) scheduled or active events per guild. The guild's own
(not Muster's) count first; Muster fills the rest with its nearest events, and when one
ends the next comes in (the beat tick reconciles every guild).

One sync per guild at a time (a compare-and-set claim; a sync asked for meanwhile becomes
another pass of the holder). Each event has one ``NativeEvent`` row, written before Discord
is asked, so a retry never makes two: a create whose answer was lost is adopted from
Discord's list the next time, and any other scheduled event the bot made that no row
claims is removed. A run does at most ``WRITES_PER_RUN`` writes, then asks for another.

The bot needs Create Events (to make them; it then may edit and remove its own). It is
checked before anything is written; when it is missing nothing is done, the setting shows
why and the organiser who turned mirroring on gets one DM per problem.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from core import outbox
from core.discord_api import DiscordError, PermanentError, TransientError, get_client
from core.discord_api.bot import bot_user_id as _bot_id
from core.errors import RuleError
from core.markup import truncate
from core.models import Guild
from core.permissions import ADMINISTRATOR, CREATE_EVENTS, MANAGE_EVENTS
from events.discord import messages
from events.models import Event, NativeEvent, NativeMirroring

log = logging.getLogger(__name__)

LIMIT = 100  # Discord: SCHEDULED or ACTIVE events per guild
SCHEDULED, ACTIVE, COMPLETED, CANCELED = 1, 2, 3, 4
EXTERNAL, GUILD_ONLY = 3, 2
LIVE = (SCHEDULED, ACTIVE)
UNKNOWN_SCHEDULED_EVENT = 10070
MAX_SCHEDULED_EVENTS = 30038
MISSING_ACCESS, MISSING_PERMISSIONS = 50001, 50013
WRITES_PER_RUN = 20
MAX_WAIT_S = 5.0  # a rate limit longer than this ends the run; the next one goes on
STALE_CLAIM = timedelta(seconds=120)  # longer than a task may live (90 s)
START_MARGIN = timedelta(seconds=30)  # Discord refuses a start in the past: not made this close to it
NOT_REGISTRATION = '"Interested" here is not a registration: use the buttons on the post.'
NEEDS_PERMISSION = (
    "Muster cannot make Discord events in {guild}: give its role the Create Events permission "
    "(Server Settings, Roles); mirroring resumes by itself once it has it."
)


def default_duration() -> timedelta:
    return timedelta(minutes=settings.NATIVE_EVENT_DEFAULT_MINUTES)


# --- the setting -------------------------------------------------------------------------------


def mirroring(guild_id: int) -> NativeMirroring:
    """The guild's setting (off when it was never set)."""
    return NativeMirroring.objects.filter(guild_id=guild_id).first() or NativeMirroring(guild_id=guild_id)


@transaction.atomic
def set_enabled(guild: Guild, enabled: bool, *, member_id: int | None, now: datetime) -> NativeMirroring:
    """Turn mirroring on or off; the sync that follows creates (or removes) the scheduled events.

    Turning it on clears an old problem, so a new one is told again.
    """
    setting, _ = NativeMirroring.objects.select_for_update().get_or_create(guild=guild)
    if setting.enabled != enabled:
        setting.enabled, setting.changed_at = enabled, now
        setting.changed_by_id = member_id
        if enabled:
            setting.problem, setting.problem_at = "", None
        setting.save()
    request_sync(guild.id)
    return setting


def check_permissions(guild: Guild) -> None:
    """Refuse, in one sentence, to turn mirroring on where the bot may not make scheduled events."""
    client = get_client()
    try:
        allowed = _bot_permissions(client, guild.id) & (ADMINISTRATOR | CREATE_EVENTS)
    except PermanentError:
        raise RuleError(f"I cannot see {guild.name} in Discord; is the bot still in it?") from None
    except DiscordError:
        raise RuleError("Discord did not answer; try again in a minute.") from None
    if not allowed:
        raise RuleError(NEEDS_PERMISSION.format(guild=guild.name))


def request_sync(guild_id: int) -> None:
    """After the caller's commit, sync the guild's scheduled events (if it mirrors, or did)."""
    if not (
        NativeMirroring.objects.filter(guild_id=guild_id, enabled=True).exists()
        or NativeEvent.objects.filter(guild_id=guild_id).exists()
    ):
        return
    from events.tasks import sync_native_events

    transaction.on_commit(lambda: sync_native_events.delay(guild_id), robust=True)


def guilds_to_sync() -> list[int]:
    """Every guild that mirrors, or has mirrored events left to remove (the beat tick's)."""
    on = set(NativeMirroring.objects.filter(enabled=True).values_list("guild_id", flat=True))
    return sorted(on | set(NativeEvent.objects.values_list("guild_id", flat=True).distinct()))


@dataclass(frozen=True)
class Shown:
    """What /event native and the Settings page show."""

    enabled: bool
    mirrored: int
    problem: str


def shown(guild_id: int) -> Shown:
    setting = mirroring(guild_id)
    mirrored = NativeEvent.objects.filter(guild_id=guild_id, scheduled_event_id__isnull=False, event__isnull=False)
    return Shown(setting.enabled, mirrored.count(), setting.problem)


# --- what Discord should show ------------------------------------------------------------------


def ends_at(event: Event) -> datetime:
    return event.ends_at or event.starts_at + default_duration()


def body(event: Event) -> dict:
    """The scheduled event's fields for ``event`` (Discord's JSON)."""
    post = f"https://discord.com/channels/{event.guild_id}/{event.channel_id}"
    if event.message_id:
        post += f"/{event.message_id}"
    footer = f"Register on Muster's post: {post}\n{NOT_REGISTRATION}"
    text = event.description.strip()
    description = f"{truncate(text, 1000 - len(footer) - 2)}\n\n{footer}" if text else footer
    return {
        "name": truncate(event.title, 100),
        "scheduled_start_time": event.starts_at.isoformat(),
        "scheduled_end_time": ends_at(event).isoformat(),
        "description": description,
        "entity_metadata": {"location": truncate(event.location.strip(), 100) or "See the event's post"},
    }


def _changes(current: dict, wanted: dict, *, started: bool) -> dict:
    """The fields of ``wanted`` that Discord's ``current`` differs in (a started one keeps its start)."""
    changes = {}
    for key in ("name", "description"):
        if (current.get(key) or "") != wanted[key]:
            changes[key] = wanted[key]
    for key in ("scheduled_start_time", "scheduled_end_time"):
        if key == "scheduled_start_time" and started:
            continue
        if not current.get(key) or datetime.fromisoformat(current[key]) != datetime.fromisoformat(wanted[key]):
            changes[key] = wanted[key]
    if ((current.get("entity_metadata") or {}).get("location") or "") != wanted["entity_metadata"]["location"]:
        changes["entity_metadata"] = wanted["entity_metadata"]
    return changes


def _wanted(guild_id: int, room: int, *, now: datetime) -> list[Event]:
    """The guild's nearest ``room`` events not cancelled and not yet over, soonest first."""
    if room <= 0:
        return []
    not_over = Q(ends_at__gt=now) | Q(ends_at__isnull=True, starts_at__gt=now - default_duration())
    events = Event.objects.filter(guild_id=guild_id, status=Event.Status.SCHEDULED).filter(not_over)
    return list(events.order_by("starts_at", "id")[:room])


# --- the sync ----------------------------------------------------------------------------------


@dataclass
class Synced:
    created: int = 0
    updated: int = 0
    removed: int = 0
    more: bool = False  # work is left for another run
    retry_after: float = 1.0
    claimed: bool = True

    @property
    def writes(self) -> int:
        return self.created + self.updated + self.removed


class _Stop(Exception):
    """Ends a pass: out of writes for this run, rate limited, or a permission refused."""


def sync(guild_id: int, *, now: datetime, writes: int = WRITES_PER_RUN) -> Synced:
    """Make the guild's scheduled events match its upcoming events, in at most ``writes``
    requests that change something (``more`` says when some are left); see the module docstring."""
    claim = Q(sync_claimed_at__isnull=True) | Q(sync_claimed_at__lt=now - STALE_CLAIM)
    setting = NativeMirroring.objects.filter(guild_id=guild_id)
    if not setting.exists():
        NativeMirroring.objects.get_or_create(guild_id=guild_id)
    if not setting.filter(claim).update(sync_claimed_at=now, resync=False):
        setting.update(resync=True)  # the holder makes another pass
        return Synced(claimed=False)
    done = Synced()
    try:
        while True:
            _pass(guild_id, done, now=now, writes=writes)
            if done.more or not setting.filter(resync=True).update(resync=False):
                break
    finally:
        setting.update(sync_claimed_at=None, synced_at=now)
    return done


def _pass(guild_id: int, done: Synced, *, now: datetime, writes: int) -> None:
    setting = mirroring(guild_id)
    rows = list(NativeEvent.objects.filter(guild_id=guild_id).select_related("event"))
    if not setting.enabled and not rows:
        return
    client = get_client()
    try:
        listing = client.request("GET", "/guilds/{guild_id}/scheduled-events", {"guild_id": guild_id})
        bot_id = _bot_id(client)
    except TransientError as exc:
        done.more, done.retry_after = True, exc.retry_after or 5.0
        return
    except PermanentError as exc:
        _report(setting, f"Discord refused to list {setting.guild.name}'s events ({exc})", now=now)
        return
    found = {int(entry["id"]): entry for entry in listing}
    known = {row.scheduled_event_id for row in rows if row.scheduled_event_id}
    strangers = [entry for entry in listing if entry["status"] in LIVE and int(entry["id"]) not in known]
    own = [entry for entry in strangers if str(entry.get("creator_id")) == str(bot_id)]
    others = len(strangers) - len(own)
    wanted = _wanted(guild_id, LIMIT - others, now=now) if setting.enabled else []
    messages.link_posts(wanted)
    bodies = {event.id: body(event) for event in wanted}
    _adopt(rows, own, bodies)
    plan = _Plan(client, guild_id, setting, done, now, writes)
    try:
        plan.removals(rows, found, set(bodies))
        for entry in own:  # made by the bot, claimed by no row: a lost create or a leftover
            if not any(row.scheduled_event_id == int(entry["id"]) for row in rows):
                plan.write("DELETE", int(entry["id"]))
        by_event = {row.event_id: row for row in rows if row.event_id in bodies}
        for event in wanted:
            plan.mirror(event, by_event.get(event.id), found, bodies[event.id])
    except _Stop:
        return
    if plan.writes_needed and setting.problem:
        NativeMirroring.objects.filter(guild_id=guild_id).update(problem="", problem_at=None)


def _adopt(rows: list[NativeEvent], own: list[dict], bodies: dict[int, dict]) -> None:
    """Rows whose create was sent but whose answer was lost take the bot's event of that name and start."""
    for row in rows:
        if row.scheduled_event_id or row.creating_since is None or row.event_id not in bodies:
            continue
        wanted = bodies[row.event_id]
        for entry in own:
            same_start = datetime.fromisoformat(entry["scheduled_start_time"]) == datetime.fromisoformat(
                wanted["scheduled_start_time"]
            )
            if entry["name"] == wanted["name"] and same_start:
                row.scheduled_event_id, row.creating_since = int(entry["id"]), None
                row.save(update_fields=["scheduled_event_id", "creating_since"])
                own.remove(entry)
                break


class _Plan:
    """The writes of one pass, checked for permission before the first and counted against the run."""

    def __init__(self, client, guild_id: int, setting: NativeMirroring, done: Synced, now: datetime, writes: int):
        self.client, self.guild_id, self.setting, self.done, self.now = client, guild_id, setting, done, now
        self.budget = writes
        self.checked = False
        self.writes_needed = 0
        self.full = False  # Discord said the guild has 100 already

    def removals(self, rows: list[NativeEvent], found: dict[int, dict], wanted: set[int]) -> None:
        """Rows whose event is no longer mirrored: cancel, end or remove the scheduled event."""
        for row in rows:
            if row.event_id in wanted:
                continue
            entry = found.get(row.scheduled_event_id) if row.scheduled_event_id else None
            if entry is not None and entry["status"] in LIVE:
                event = row.event
                if event is not None and event.status == Event.Status.CANCELLED:
                    status = CANCELED if entry["status"] == SCHEDULED else COMPLETED
                    self.write("PATCH", row.scheduled_event_id, {"status": status})
                elif event is not None and ends_at(event) <= self.now and entry["status"] == ACTIVE:
                    self.write("PATCH", row.scheduled_event_id, {"status": COMPLETED})
                else:  # over without starting, beyond the limit, mirroring off, or the event deleted
                    self.write("DELETE", row.scheduled_event_id)
            row.delete()

    def mirror(self, event: Event, row: NativeEvent | None, found: dict[int, dict], wanted: dict) -> None:
        """Create the event's scheduled event, or edit it to match."""
        entry = found.get(row.scheduled_event_id) if row and row.scheduled_event_id else None
        if entry is not None and entry["status"] in LIVE:
            changes = _changes(entry, wanted, started=event.starts_at <= self.now)
            if changes:
                self.write("PATCH", row.scheduled_event_id, changes)
            return
        if self.full or event.starts_at <= self.now + START_MARGIN:
            return  # Discord makes none in the past; removed in Discord once started: left so
        if row is None:
            row, _ = NativeEvent.objects.get_or_create(event=event, defaults={"guild_id": self.guild_id})
        self._permitted()
        self._spend()
        NativeEvent.objects.filter(id=row.id).update(scheduled_event_id=None, creating_since=self.now)
        made = self._send(
            "POST",
            "/guilds/{guild_id}/scheduled-events",
            {"guild_id": self.guild_id},
            json={
                **wanted,
                "privacy_level": GUILD_ONLY,
                "entity_type": EXTERNAL,
            },
        )
        if made is not None:
            NativeEvent.objects.filter(id=row.id).update(
                scheduled_event_id=int(made["id"]), creating_since=None, synced_at=self.now
            )
            self.done.created += 1

    def write(self, method: str, scheduled_event_id: int, json: dict | None = None) -> None:
        self._permitted()
        self._spend()
        path = "/guilds/{guild_id}/scheduled-events/{event_id}"
        params = {"guild_id": self.guild_id, "event_id": scheduled_event_id}
        self._send(method, path, params, json=json, gone_ok=True)
        if method == "PATCH" and "status" not in (json or {}):
            self.done.updated += 1
        else:
            self.done.removed += 1

    def _spend(self) -> None:
        self.writes_needed += 1
        if self.done.writes >= self.budget:
            self.done.more = True
            raise _Stop

    def _permitted(self) -> None:
        if self.checked:
            return
        try:
            allowed = _bot_permissions(self.client, self.guild_id) & (ADMINISTRATOR | CREATE_EVENTS | MANAGE_EVENTS)
        except TransientError as exc:
            self.done.more, self.done.retry_after = True, exc.retry_after or 5.0
            raise _Stop from None
        except PermanentError:
            allowed = 0
        if not allowed & (ADMINISTRATOR | CREATE_EVENTS):
            self._refused()
        self.checked = True

    def _refused(self):
        _report(self.setting, NEEDS_PERMISSION.format(guild=self.setting.guild.name), now=self.now)
        raise _Stop

    def _send(self, method: str, path: str, params: dict, *, json: dict | None = None, gone_ok: bool = False):
        try:
            return self.client.request(method, path, params, json=json, max_wait=MAX_WAIT_S)
        except TransientError as exc:
            self.done.more, self.done.retry_after = True, exc.retry_after or 5.0
            raise _Stop from None
        except PermanentError as exc:
            if gone_ok and exc.code == UNKNOWN_SCHEDULED_EVENT:
                return None
            if exc.code in (MISSING_ACCESS, MISSING_PERMISSIONS):
                self._refused()
            if exc.code == MAX_SCHEDULED_EVENTS:
                self.full = True
                return None
            log.warning("native events of guild %s: %s %s refused: %s", self.guild_id, method, path, exc)
            return None


def _report(setting: NativeMirroring, sentence: str, *, now: datetime) -> None:
    """Show the problem with the setting; a new one DMs the organiser who turned mirroring on, once."""
    with transaction.atomic():
        changed = (
            NativeMirroring.objects.filter(guild_id=setting.guild_id)
            .exclude(problem=sentence)
            .update(problem=sentence[:300], problem_at=now, problems=setting.problems + 1)
        )
        if changed and setting.changed_by_id:
            outbox.enqueue(
                key=f"native-events:{setting.guild_id}:problem:{setting.problems + 1}",
                member_id=setting.changed_by_id,
                guild_id=setting.guild_id,
                payload={"content": sentence, "allowed_mentions": {"parse": []}},
            )
    log.info("native events of guild %s: %s", setting.guild_id, sentence)


# --- the bot in the guild ---------------------------------------------------------------------


def _bot_permissions(client, guild_id: int) -> int:
    """The bot's guild-wide permissions, as Discord computes them: @everyone's and its roles' together."""
    bot_id = _bot_id(client)
    guild = client.request("GET", "/guilds/{guild_id}", {"guild_id": guild_id})
    member = client.request("GET", "/guilds/{guild_id}/members/{user_id}", {"guild_id": guild_id, "user_id": bot_id})
    held = {str(role_id) for role_id in member.get("roles", [])} | {str(guild_id)}
    bits = 0
    for role in guild.get("roles", []):
        if str(role["id"]) in held:
            bits |= int(role["permissions"])
    return bits
