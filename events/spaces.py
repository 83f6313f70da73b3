"""An event's thread, private channel and attendee role, kept to the members going (a sub-domain of events).

Per event, optional, with a per-guild default (``SpaceDefaults``, ``/event spaces``):

- a **thread** started from the event's post (its id is the post's, so a lost answer is
  adopted, never made twice), or a **private channel** in a chosen category whose
  permission overwrites deny View Channel to @everyone and allow it to the bot and to each
  member going;
- an **attendee role** (mentionable) that members going hold.

Members going (and, if chosen, the waitlist) are let in; those who stop going are let out.
``events.services`` calls ``follow`` with every registration change; the sync then makes
Discord match the registrations (one sync per event at a time, a compare-and-set claim; a
bounded number of writes per run). Each member let in is a ``SpaceMember`` row (unique per
place), written once Discord said yes, so nothing is asked twice.

Registration changes are announced in the thread or channel, coalesced: the changes of
``EVENT_SPACE_NEWS_WINDOW`` seconds from the first go out as one message ("Ana and Ben are
going; Cleo moved up from the waitlist"), its outbox key naming the last change told.

Cleanup: ``cleanup_after`` (default two days) after the event's end the thread is archived,
the channel deleted and the role deleted. A day before, a warning is posted in the thread or
channel; the cleanup never comes less than a day after that warning was written.

Before the first write Muster checks what the bot may do (the guild's roles, the bot's roles
and the channel's overwrites, as Discord reports them, and the role hierarchy). When it may
not, nothing is made, the space shows why, and the organiser who asked for it gets one DM per
problem naming what to grant; the next sync tries again.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import DateTimeField, ExpressionWrapper, F, Q, Value
from django.db.models.functions import Coalesce

from core import discord_sync, outbox
from core.discord_api import PermanentError, TransientError, get_client
from core.discord_api.bot import bot_user_id as _bot_id
from core.discord_api.bot import category_or_none, guild_and_bot
from core.discord_api.bot import channel_or_none as _channel
from core.discord_sync import Stop as _Stop
from core.errors import RuleError
from core.markup import escape, timestamp, truncate
from core.models import Guild, GuildMember
from core.permissions import (
    CREATE_PUBLIC_THREADS,
    MANAGE_CHANNELS,
    MANAGE_ROLES,
    MANAGE_THREADS,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    VIEW_CHANNEL,
    computed_permissions,
    highest_role_position,
    permission_names,
)
from events import native
from events.discord import messages
from events.models import Event, EventSpace, Registration, SpaceDefaults, SpaceKind, SpaceMember, SpaceNews

Status = Registration.Status
Place = SpaceMember.Place
WRITES_PER_RUN = 25
STALE_CLAIM = timedelta(seconds=120)  # longer than a task may live (90 s)
WARNING_AHEAD = timedelta(days=1)
CLEANUP_MIN, CLEANUP_MAX = timedelta(days=1), timedelta(days=30)
THREAD_AUTO_ARCHIVE = 10080  # minutes (a week, Discord's longest): a quiet thread is not archived early
READ_MESSAGE_HISTORY = 1 << 16
MEMBER_ALLOW = VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY
BOT_ALLOW = MEMBER_ALLOW | MANAGE_CHANNELS  # Manage Channels in it: it may delete the channel it made
THREAD_ALREADY_MADE = 160004


def news_window() -> timedelta:
    return timedelta(seconds=settings.EVENT_SPACE_NEWS_WINDOW_S)


def event_end(event: Event) -> datetime:
    return native.ends_at(event)  # the same end Discord's scheduled events show


def close_at(event: Event, space: EventSpace) -> datetime:
    """When the space is cleaned up: its event's end plus the delay."""
    return event_end(event) + space.cleanup_after


def warn_at(event: Event, space: EventSpace) -> datetime:
    return close_at(event, space) - WARNING_AHEAD


# --- the settings -----------------------------------------------------------------------------


def defaults(guild_id: int) -> SpaceDefaults:
    """The guild's defaults for new events (no thread, channel or role when never set)."""
    return SpaceDefaults.objects.filter(guild_id=guild_id).first() or SpaceDefaults(guild_id=guild_id)


def check_cleanup(cleanup_after: timedelta) -> None:
    if not CLEANUP_MIN <= cleanup_after <= CLEANUP_MAX:
        raise RuleError("The cleanup comes 1 to 30 days after the event (a warning is posted a day before it).")


@transaction.atomic
def set_defaults(
    guild: Guild,
    *,
    kind: str | None = None,
    include_waitlist: bool | None = None,
    category_id: int | None = None,
    attendee_role: bool | None = None,
    cleanup_after: timedelta | None = None,
) -> SpaceDefaults:
    """Change the guild's defaults (None: unchanged); new events take them, existing ones keep theirs."""
    found, _ = SpaceDefaults.objects.select_for_update().get_or_create(guild=guild)
    changes = {
        "kind": kind,
        "include_waitlist": include_waitlist,
        "category_id": category_id,
        "attendee_role": attendee_role,
        "cleanup_after": cleanup_after,
    }
    for name, value in changes.items():
        if value is not None:
            setattr(found, name, value)
    if found.kind not in SpaceKind.values:
        raise RuleError("The space is one of thread, channel or none.")
    check_cleanup(found.cleanup_after)
    found.save()
    return found


def check_defaults(guild: Guild, chosen: SpaceDefaults) -> None:
    """Refuse, in one sentence, defaults the bot could not carry out (checked where it can be:
    a thread in the announcement channel, a channel in its category, the role)."""
    probe = Event(guild=guild, title="new events", channel_id=guild.announcement_channel_id)
    space = EventSpace(kind=chosen.kind, category_id=chosen.category_id, attendee_role=chosen.attendee_role)
    if space.kind == SpaceKind.THREAD and probe.channel_id is None:
        space.kind = SpaceKind.NONE  # each event's own channel is checked when its thread is made
    discord_sync.refuse_problem(lambda: problems_of(probe, space))


def defaults_text(chosen: SpaceDefaults) -> str:
    """What /event defaults says of the guild's defaults."""
    if chosen.kind == SpaceKind.THREAD:
        where = "a thread under its post"
    elif chosen.kind == SpaceKind.CHANNEL:
        category = f" in <#{chosen.category_id}>" if chosen.category_id else ""
        where = f"a private channel{category}"
    else:
        where = ""
    role = "an attendee role" if chosen.attendee_role else ""
    days = chosen.cleanup_after.days
    if not where and not role:
        return (
            "New events get no thread, channel or attendee role. `/event defaults space:thread` gives each "
            "a thread under its post (or `/event edit space:` for one event)."
        )
    who = "members going and the waitlist" if chosen.include_waitlist else "members going"
    what = " and ".join(part for part in (where, role) if part)
    return (
        f"New events get {what} for {who}, cleaned up {days} day{'s' if days != 1 else ''} after the event "
        "(with a warning a day before). `/event edit` changes one event."
    )


def space_of(event_id: int) -> EventSpace | None:
    return EventSpace.objects.filter(event_id=event_id).first()


def open_for_new_event(event: Event) -> EventSpace | None:
    """A new event takes its guild's defaults (called by ``services.create_event``)."""
    chosen = defaults(event.guild_id)
    if chosen.kind == SpaceKind.NONE and not chosen.attendee_role:
        return None
    space = EventSpace.objects.create(
        event=event,
        guild_id=event.guild_id,
        kind=chosen.kind,
        include_waitlist=chosen.include_waitlist,
        category_id=chosen.category_id,
        attendee_role=chosen.attendee_role,
        cleanup_after=chosen.cleanup_after,
        requested_by_id=event.created_by_id,
    )
    request_sync(event.id)
    return space


def open_for_occurrences(events: list[Event]) -> int:
    """New occurrences of series take their guild's defaults, in bulk (two queries); the beat
    tick makes their threads as their posts arrive (``due``). Returns how many got a space."""
    chosen = {d.guild_id: d for d in SpaceDefaults.objects.filter(guild_id__in={e.guild_id for e in events})}
    rows = [
        EventSpace(
            event=event,
            guild_id=event.guild_id,
            kind=found.kind,
            include_waitlist=found.include_waitlist,
            category_id=found.category_id,
            attendee_role=found.attendee_role,
            cleanup_after=found.cleanup_after,
            requested_by_id=event.created_by_id,
        )
        for event in events
        if (found := chosen.get(event.guild_id)) and (found.kind != SpaceKind.NONE or found.attendee_role)
    ]
    EventSpace.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


NO_CATEGORY = 0  # ``configure(category_id=NO_CATEGORY)``: the private channel goes at the top of the server


def known_categories(guild_id: int) -> list[int]:
    """Categories Muster knows in the guild: its default's and those its events' channels were
    put in (each chosen in Discord, which offers only the server's own). The web, which holds no
    bot token, offers these."""
    found = set(SpaceDefaults.objects.filter(guild_id=guild_id).values_list("category_id", flat=True))
    found.update(EventSpace.objects.filter(guild_id=guild_id).values_list("category_id", flat=True))
    found.discard(None)
    return sorted(found)


def check_category(guild: Guild, category_id: int) -> None:
    """Refuse a category that is not one Muster knows in ``guild`` (where Discord cannot be asked)."""
    if category_id not in known_categories(guild.id):
        raise RuleError(
            f"That category is not one Muster knows in {guild.name}: choose it once in Discord "
            "(/event edit space_category: or /event defaults space_category:), which offers only the server's own."
        )


@transaction.atomic
def configure(
    event_id: int,
    *,
    member_id: int | None,
    kind: str | None = None,
    include_waitlist: bool | None = None,
    category_id: int | None = None,
    attendee_role: bool | None = None,
    check: bool = True,
) -> EventSpace:
    """Give an event a thread or channel and role, or change them (``/event edit``).

    What is already made stays what it is: a thread does not become a channel. With
    ``check``, the bot's permissions are checked first and a missing one refused in one
    sentence, so an organiser learns at once what to grant; without (the web, which cannot ask
    Discord), a category must be one Muster knows in the event's guild, and the sync checks the
    permissions before making anything. ``category_id=NO_CATEGORY`` takes the category away.
    """
    event = Event.objects.select_for_update().select_related("guild").get(id=event_id)
    space = EventSpace.objects.select_for_update().filter(event=event).first()
    if space is None:
        base = defaults(event.guild_id)
        space = EventSpace(
            event=event,
            guild_id=event.guild_id,
            kind=SpaceKind.NONE,
            include_waitlist=base.include_waitlist,
            category_id=base.category_id,
            cleanup_after=base.cleanup_after,
        )
    if space.closed_at is not None:
        raise RuleError("This event's space was already cleaned up.")
    if kind is not None:
        if kind not in SpaceKind.values:
            raise RuleError("The space is one of thread, channel or none.")
        if space.channel_id is not None and kind != space.kind:
            made = "thread" if space.kind == SpaceKind.THREAD else "channel"
            raise RuleError(f"This event already has a {made}; it stays until its cleanup.")
        space.kind = kind
    if include_waitlist is not None:
        space.include_waitlist = include_waitlist
    if category_id == NO_CATEGORY:
        space.category_id = None
    elif category_id is not None:
        if not check and category_id != space.category_id:
            check_category(event.guild, category_id)
        space.category_id = category_id
    if attendee_role is not None:
        if not attendee_role and space.role_id is not None:
            raise RuleError("This event's attendee role is already made; it is removed after the event.")
        space.attendee_role = attendee_role
    if event.status == Event.Status.CANCELLED and (space.kind != SpaceKind.NONE or space.attendee_role):
        raise RuleError("This event is cancelled.")
    if check and (space.kind != SpaceKind.NONE or space.attendee_role):
        problem = problems_of(event, space)
        if problem:
            raise RuleError(problem)
    space.requested_by_id = member_id or space.requested_by_id
    space.problem, space.problem_at = "", None
    space.save()
    request_sync(event.id)
    return space


def deletion_refusal(event: Event, space: EventSpace | None, *, now: datetime) -> str:
    """Why ``event`` may not be deleted yet (empty: it may): its thread, channel or role is in
    Discord, or being made. Deleting would leave it behind, or take it away by surprise;
    cancelling tells registrants and cleans it up on its schedule, warned a day before."""
    if space is None or space.closed_at is not None:
        return ""
    made = (
        space.channel_id is not None
        or space.role_id is not None
        or space.channel_creating_since is not None
        or space.role_creating_since is not None
    )
    wanted = space.kind != SpaceKind.NONE or space.attendee_role
    syncing = space.sync_claimed_at is not None and space.sync_claimed_at >= now - STALE_CLAIM
    if not made and not (wanted and syncing):
        return ""
    what = _what(space) or "thread, channel and role"
    title = truncate(event.title, 80)
    if not made:
        return f"Muster is updating {title}'s {what} in Discord right now; try again in a minute."
    if event.status == Event.Status.CANCELLED or now >= event_end(event):
        when = close_at(event, space).astimezone(UTC)
        return (
            f"{title} still has its {what} in Discord, cleaned up {when:%Y-%m-%d %H:%M} UTC "
            "(with a warning in it a day before); delete the event after that."
        )
    return (
        f"{title} has its {what} in Discord: cancel the event instead (the list's action "
        '"Cancel the selected events"). Registrants are told, and Muster cleans up in Discord '
        f"{space.cleanup_after.days} day{'s' if space.cleanup_after.days != 1 else ''} after the event, "
        "with a warning a day before; then the event can be deleted."
    )


# --- following registrations ------------------------------------------------------------------


def admitted(space: EventSpace) -> tuple[str, ...]:
    """The statuses let into the thread or channel (the role is for members going only)."""
    return (Status.GOING, Status.WAITLISTED) if space.include_waitlist else (Status.GOING,)


def follow(event: Event, member_id: int, old: str | None, new: str | None, *, now: datetime) -> None:
    """A registration changed (``events.services``, in its transaction): note it for the
    thread's news and ask for a sync after the commit. Nothing when the event has no space."""
    if old == new:
        return
    space = _open_space(event)
    if space is None:
        return
    told = {Status.GOING, Status.WAITLISTED}
    if space.kind != SpaceKind.NONE and (old in told or new in told):
        SpaceNews.objects.create(space=space, member_id=member_id, old=old or "", new=new or "", at=now)
        if EventSpace.objects.filter(pk=space.pk, news_due_at__isnull=True).update(news_due_at=now + news_window()):
            request_sync(event.id, countdown=settings.EVENT_SPACE_NEWS_WINDOW_S)
    request_sync(event.id)


def _open_space(event: Event) -> EventSpace | None:
    """The event's space unless closed: as read with the event when it came along
    (``select_related("space")``, see ``services._locked``), else one query."""
    if not Event.space.is_cached(event):
        return EventSpace.objects.filter(event_id=event.id, closed_at__isnull=True).first()
    try:
        space = event.space
    except EventSpace.DoesNotExist:
        return None
    return space if space.closed_at is None else None


def event_changed(event: Event) -> None:
    """The event moved, or was cancelled: the sync looks again (cleanup times follow the end)."""
    if EventSpace.objects.filter(event_id=event.id, closed_at__isnull=True).exists():
        request_sync(event.id)


def request_sync(event_id: int, *, countdown: float | None = None) -> None:
    """After the caller's commit, sync the event's space."""
    from events.tasks import sync_event_space

    if countdown:
        transaction.on_commit(lambda: sync_event_space.apply_async((event_id,), countdown=countdown), robust=True)
    else:
        transaction.on_commit(lambda: sync_event_space.delay(event_id), robust=True)


def due(*, now: datetime, limit: int = 200) -> list[int]:
    """Events whose space has work the beat tick should start (a backstop for lost tasks):
    something to make, news to tell, a warning or a cleanup due. Bounded, one query."""
    end = Coalesce(F("event__ends_at"), F("event__starts_at") + Value(native.default_duration()))
    spaces = EventSpace.objects.filter(closed_at__isnull=True).alias(
        close=ExpressionWrapper(end + F("cleanup_after"), output_field=DateTimeField())
    )
    unmade = Q(channel_id__isnull=True, kind__in=(SpaceKind.THREAD, SpaceKind.CHANNEL)) | Q(
        role_id__isnull=True, attendee_role=True
    )
    found = spaces.filter(
        (unmade & Q(event__status=Event.Status.SCHEDULED, event__starts_at__gt=now))
        | Q(news_due_at__lte=now)
        | Q(warned_at__isnull=True, close__lte=now + WARNING_AHEAD)
        | Q(close__lte=now)
    )
    return list(found.order_by("event__starts_at", "event_id").values_list("event_id", flat=True)[:limit])


# --- what the bot may do ----------------------------------------------------------------------


def needs(event: Event, space: EventSpace) -> dict[str, int]:
    """What each part of the space needs the bot to have: where (channel id or "guild") to bits."""
    wanted: dict[str, int] = {}
    if space.kind == SpaceKind.THREAD:
        wanted["post"] = VIEW_CHANNEL | CREATE_PUBLIC_THREADS | SEND_MESSAGES_IN_THREADS | MANAGE_THREADS
    elif space.kind == SpaceKind.CHANNEL:
        wanted["category" if space.category_id else "guild"] = VIEW_CHANNEL | MANAGE_CHANNELS | MANAGE_ROLES
    if space.attendee_role:
        wanted["guild"] = wanted.get("guild", 0) | MANAGE_ROLES
    return wanted


def problems_of(event: Event, space: EventSpace, client=None) -> str:
    """The one sentence saying what the bot lacks for this space (empty when it has it all),
    computed from the guild's roles, the bot's roles and the channels' overwrites."""
    client = client or get_client()
    try:
        return _problems(client, event, space)
    except TransientError:
        raise
    except PermanentError:
        return f"Muster cannot see {event.guild.name} in Discord; is the bot still in it?"


def _problems(client, event: Event, space: EventSpace) -> str:
    guild, bot = guild_and_bot(client, event.guild_id)
    title = truncate(event.title, 80)
    for where, bits in needs(event, space).items():
        channel = None
        if where == "post":
            if event.channel_id is None:
                return f"{title} has no post to start a thread under: give it a channel."
            channel = _channel(client, event.channel_id)
        elif where == "category":
            channel = category_or_none(client, event.guild_id, space.category_id)
            if channel is None:
                return f"The category for {title}'s channel is gone or is not a category: choose another."
        if where == "post" and channel is None:
            return f"Muster cannot see the channel of {title}'s post: give its role View Channel there."
        missing = bits & ~computed_permissions(guild, bot, channel)
        if missing:
            place = "in the post's channel" if where == "post" else "in that category" if channel else ""
            return (
                f"Muster cannot make the {_what(space)} of {title}: give its role {permission_names(missing)}"
                f"{' ' + place if place else ''} (Server Settings, Roles); it tries again by itself."
            )
    if space.attendee_role and space.role_id:
        role = next((r for r in guild.get("roles", []) if str(r["id"]) == str(space.role_id)), None)
        if role is not None and int(role.get("position", 0)) >= highest_role_position(guild, bot):
            return (
                f"Muster cannot hand out {title}'s attendee role: drag Muster's role above it "
                "(Server Settings, Roles); it tries again by itself."
            )
    return ""


def _what(space: EventSpace) -> str:
    parts = []
    if space.kind == SpaceKind.THREAD:
        parts.append("thread")
    elif space.kind == SpaceKind.CHANNEL:
        parts.append("private channel")
    if space.attendee_role:
        parts.append("attendee role")
    return " and ".join(parts)


# --- the sync ---------------------------------------------------------------------------------


@dataclass
class Synced(discord_sync.Synced):
    announced: int = 0


def sync(event_id: int, *, now: datetime, writes: int = WRITES_PER_RUN) -> Synced:
    """Make the event's thread, channel and role match its registrations, announce what
    changed, warn and clean up when due; at most ``writes`` Discord writes (``more``: left)."""
    claim = Q(sync_claimed_at__isnull=True) | Q(sync_claimed_at__lt=now - STALE_CLAIM)
    row = EventSpace.objects.filter(event_id=event_id, closed_at__isnull=True)
    if not row.filter(claim).update(sync_claimed_at=now, resync=False):
        row.update(resync=True)  # the holder makes another pass (or it is closed, or none)
        return Synced(claimed=False)
    done = Synced()
    try:
        while True:
            _pass(event_id, done, now=now, writes=writes)
            if done.more or done.closed or not row.filter(resync=True).update(resync=False):
                break
    finally:
        EventSpace.objects.filter(event_id=event_id).update(sync_claimed_at=None, synced_at=now)
    return done


def _pass(event_id: int, done: Synced, *, now: datetime, writes: int) -> None:
    space = EventSpace.objects.select_related("event__guild").get(event_id=event_id)
    event = space.event
    plan = _Plan(get_client(), event, space, done, now, writes)
    try:
        if now >= close_at(event, space) and plan.warned_long_enough():
            plan.close()
            return
        live = event.status == Event.Status.SCHEDULED and now < event_end(event)
        if live and now < event.starts_at:
            plan.make()
            plan.members()
        plan.announce()
        if now >= warn_at(event, space):
            plan.warn()
    except _Stop:
        return
    if plan.wrote and space.problem:
        EventSpace.objects.filter(pk=space.pk).update(problem="", problem_at=None)


def _refused(event: Event, space: EventSpace) -> str:
    return (
        f"Discord refused Muster the {_what(space)} of {truncate(event.title, 80)}: check its role's permissions "
        "in that channel and that its role is above the attendee role; it tries again by itself."
    )


class _Plan(discord_sync.Writes):
    """The writes of one pass: permissions checked before the first, counted against the run
    (``_Stop`` also when the post the thread starts from is not delivered yet)."""

    log = logging.getLogger(__name__)
    subject, key = "space of event", "event-space"
    problems_of, refused = staticmethod(problems_of), staticmethod(_refused)
    passed_on = (THREAD_ALREADY_MADE,)  # a thread from the post made before: adopted by ``_make_thread``

    def __init__(self, client, event: Event, space: EventSpace, done: Synced, now: datetime, writes: int):
        super().__init__(event, space, done, now, writes)
        self.client, self.space = client, space

    # making

    def make(self) -> None:
        space = self.space
        if space.kind == SpaceKind.THREAD and space.channel_id is None:
            self._make_thread()
        elif space.kind == SpaceKind.CHANNEL and space.channel_id is None:
            self._make_channel()
        if space.attendee_role and space.role_id is None:
            self._make_role()

    def _make_thread(self) -> None:
        event = self.event
        message_id = outbox.posted_message_id(event, messages.post_key(event))
        if message_id is None:  # the post is not delivered yet: come back when it is
            self.done.more, self.done.retry_after = True, 5.0
            raise _Stop
        self._permitted()
        self._spend()
        self._mark(channel_creating_since=self.now)
        params = {"channel_id": event.channel_id, "message_id": message_id}
        body = {"name": truncate(event.title, 100), "auto_archive_duration": THREAD_AUTO_ARCHIVE}
        try:
            made = self._send("POST", "/channels/{channel_id}/messages/{message_id}/threads", params, json=body)
            thread_id = int(made["id"])
        except PermanentError as exc:
            if exc.code != THREAD_ALREADY_MADE:
                raise
            thread_id = message_id  # a thread from a message has the message's id: ours, made before
        self._opened(thread_id)

    def _make_channel(self) -> None:
        event, space = self.event, self.space
        name = channel_name(event)
        self._permitted()
        if space.channel_creating_since is not None:  # a create whose answer was lost: adopt it
            for channel in self._get("/guilds/{guild_id}/channels", {"guild_id": event.guild_id}):
                same_parent = str(channel.get("parent_id") or "") == str(space.category_id or "")
                if channel.get("name") == name and same_parent and int(channel.get("type", -1)) == 0:
                    self._opened(int(channel["id"]))
                    return
        self._spend()
        self._mark(channel_creating_since=self.now)
        bot_id = _bot_id(self.client)
        body = {
            "name": name,
            "type": 0,
            "topic": truncate(f"For everyone going to {event.title} ({messages.event_link(event)}).", 1024),
            "permission_overwrites": [
                {"id": str(event.guild_id), "type": 0, "allow": "0", "deny": str(VIEW_CHANNEL)},
                {"id": str(bot_id), "type": 1, "allow": str(BOT_ALLOW), "deny": "0"},
            ],
        }
        if space.category_id:
            body["parent_id"] = str(space.category_id)
        made = self._send("POST", "/guilds/{guild_id}/channels", {"guild_id": event.guild_id}, json=body)
        self._opened(int(made["id"]))

    def _opened(self, channel_id: int) -> None:
        self._mark(channel_id=channel_id, channel_creating_since=None)
        self.space.channel_id = channel_id
        self.done.made += 1
        outbox.enqueue(
            key=f"event-space:{self.event.id}:welcome",
            channel_id=channel_id,
            guild_id=self.event.guild_id,
            payload={"content": welcome_text(self.event, self.space), "allowed_mentions": {"parse": []}},
        )

    def _make_role(self) -> None:
        event, space = self.event, self.space
        name = role_name(event)
        self._permitted()
        if space.role_creating_since is not None:
            for role in self._get("/guilds/{guild_id}/roles", {"guild_id": event.guild_id}):
                if role.get("name") == name and not role.get("managed"):
                    self._role_made(int(role["id"]))
                    return
        self._spend()
        self._mark(role_creating_since=self.now)
        body = {"name": name, "permissions": "0", "mentionable": True, "hoist": False}
        made = self._send("POST", "/guilds/{guild_id}/roles", {"guild_id": event.guild_id}, json=body)
        self._role_made(int(made["id"]))

    def _role_made(self, role_id: int) -> None:
        self._mark(role_id=role_id, role_creating_since=None)
        self.space.role_id = role_id
        self.done.made += 1

    # members

    def members(self) -> None:
        space = self.space
        if space.channel_id is not None and space.kind in (SpaceKind.THREAD, SpaceKind.CHANNEL):
            self._follow(Place.CHANNEL, admitted(space))
        if space.role_id is not None:
            self._follow(Place.ROLE, (Status.GOING,))

    def _follow(self, place: str, statuses: tuple[str, ...]) -> None:
        event = self.event
        members = GuildMember.objects.filter(guild_id=event.guild_id, left_at__isnull=True)
        current = set(members.values_list("member_id", flat=True))
        wanted = [
            member_id
            for member_id in event.registrations.filter(status__in=statuses)
            .order_by("sequence", "id")
            .values_list("member_id", flat=True)
            if member_id in current
        ]
        held = set(SpaceMember.objects.filter(space=self.space, place=place).values_list("member_id", flat=True))
        for member_id in held - set(wanted):
            self._permitted()
            self._spend()
            self._send("DELETE", *self._member_route(place, member_id), gone_ok=True, thread_id=self.space.channel_id)
            SpaceMember.objects.filter(space=self.space, place=place, member_id=member_id).delete()
            self.done.removed += 1
        for member_id in wanted:
            if member_id in held:
                continue
            self._permitted()
            self._spend()
            path, params, body = self._member_route(place, member_id, adding=True)
            self._send("PUT", path, params, json=body, gone_ok=True, thread_id=self.space.channel_id)
            SpaceMember.objects.get_or_create(space=self.space, place=place, member_id=member_id)
            self.done.added += 1

    def _member_route(self, place: str, member_id: int, *, adding: bool = False):
        space = self.space
        if place == Place.ROLE:
            path = "/guilds/{guild_id}/members/{user_id}/roles/{role_id}"
            params = {"guild_id": space.guild_id, "user_id": member_id, "role_id": space.role_id}
            return (path, params, None) if adding else (path, params)
        if space.kind == SpaceKind.THREAD:
            path = "/channels/{channel_id}/thread-members/{user_id}"
            params = {"channel_id": space.channel_id, "user_id": member_id}
            return (path, params, None) if adding else (path, params)
        path = "/channels/{channel_id}/permissions/{overwrite_id}"
        params = {"channel_id": space.channel_id, "overwrite_id": member_id}
        body = {"type": 1, "allow": str(MEMBER_ALLOW), "deny": "0"}
        return (path, params, body) if adding else (path, params)

    # telling

    def announce(self) -> None:
        """The news of the window, in one message (after the window; none before the thread)."""
        space = self.space
        if space.channel_id is None or space.news_due_at is None or space.news_due_at > self.now:
            return
        with transaction.atomic():
            if not EventSpace.objects.filter(pk=space.pk, news_due_at__lte=self.now).update(news_due_at=None):
                return
            waiting = list(SpaceNews.objects.filter(space=space, announced_at__isnull=True).order_by("id"))
            if not waiting:
                return
            SpaceNews.objects.filter(id__in=[n.id for n in waiting]).update(announced_at=self.now)
            text = news_text(waiting)
            if text:
                outbox.enqueue(
                    key=f"event-space:{self.event.id}:news:{waiting[-1].id}",
                    channel_id=space.channel_id,
                    guild_id=self.event.guild_id,
                    payload={"content": text, "allowed_mentions": {"parse": []}},
                )
                self.done.announced += 1

    def warn(self) -> None:
        space = self.space
        if space.warned_at is not None:
            return
        if space.channel_id is not None:
            outbox.enqueue(
                key=f"event-space:{self.event.id}:warning",
                channel_id=space.channel_id,
                guild_id=self.event.guild_id,
                payload={"content": warning_text(self.event, space, self.now), "allowed_mentions": {"parse": []}},
            )
        EventSpace.objects.filter(pk=space.pk, warned_at__isnull=True).update(warned_at=self.now)
        space.warned_at = self.now

    def warned_long_enough(self) -> bool:
        """Cleanup never comes less than a day after the warning was written (none made: no warning)."""
        space = self.space
        if space.channel_id is None:
            return True
        if space.warned_at is None:
            self.warn()
            return False
        return self.now >= space.warned_at + WARNING_AHEAD

    # cleaning up

    def close(self) -> None:
        space, event = self.space, self.event
        if space.channel_id is not None and space.kind == SpaceKind.THREAD:
            self._spend()
            params, body = {"channel_id": space.channel_id}, {"archived": True}
            self._send("PATCH", "/channels/{channel_id}", params, json=body, gone_ok=True, archived_ok=True)
        elif space.channel_id is not None:
            self._spend()
            self._send("DELETE", "/channels/{channel_id}", {"channel_id": space.channel_id}, gone_ok=True)
        if space.role_id is not None:
            self._spend()
            path = "/guilds/{guild_id}/roles/{role_id}"
            self._send("DELETE", path, {"guild_id": event.guild_id, "role_id": space.role_id}, gone_ok=True)
        with transaction.atomic():
            EventSpace.objects.filter(pk=space.pk).update(closed_at=self.now, news_due_at=None)
            SpaceMember.objects.filter(space=space).delete()
        self.done.closed = True

    # plumbing

    def _mark(self, **fields) -> None:
        EventSpace.objects.filter(pk=self.space.pk).update(**fields)
        for name, value in fields.items():
            setattr(self.space, name, value)


# --- what it says -----------------------------------------------------------------------------


def channel_name(event: Event) -> str:
    """A private channel's name: lower case, dashes, the event's id to tell two apart."""
    slug = re.sub(r"[^a-z0-9]+", "-", event.title.lower()).strip("-")[:80] or "event"
    return f"{slug}-{event.id}"


def role_name(event: Event) -> str:
    return truncate(f"Going: {event.title}", 90) + f" #{event.id}"


def welcome_text(event: Event, space: EventSpace) -> str:
    who = "everyone going and on the waitlist" if space.include_waitlist else "everyone going"
    where = "thread" if space.kind == SpaceKind.THREAD else "channel"
    gone = "archived" if space.kind == SpaceKind.THREAD else "deleted"
    return (
        f"This {where} is for {who} to {messages.event_link(event)} ({timestamp(event.starts_at, 'F')}). "
        f"Muster lets members in as they register and out when they stop going; it is {gone} "
        f"{timestamp(close_at(event, space), 'R')}, with a warning here a day before."
    )


def warning_text(event: Event, space: EventSpace, now: datetime) -> str:
    when = max(close_at(event, space), now + WARNING_AHEAD)
    if space.kind == SpaceKind.THREAD:
        what = "This thread will be archived"
        after = "It stays readable in the channel's archived threads."
    else:
        what = "This channel will be deleted"
        after = "Save anything you want to keep."
    return f"{what} {timestamp(when, 'R')} ({timestamp(when, 'F')}), as {escape(event.title)} is over. {after}"


def _mentions(member_ids: list[int]) -> str:
    shown = [f"<@{member_id}>" for member_id in member_ids[:20]]
    if len(member_ids) > 20:
        shown.append(f"{len(member_ids) - 20} more")
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"


def news_text(news: list[SpaceNews]) -> str:
    """One sentence for the window's changes, each member as they ended it (a change undone tells nothing)."""
    first: dict[int, str] = {}
    last: dict[int, SpaceNews] = {}
    for item in news:
        first.setdefault(item.member_id, item.old)
        last[item.member_id] = item
    going, promoted, waiting, left = [], [], [], []
    for member_id, old in first.items():
        new = last[member_id].new
        if new == old:
            continue
        if new == Status.GOING:  # the last step from the waitlist: moved up (even if they joined it meanwhile)
            (promoted if last[member_id].old == Status.WAITLISTED else going).append(member_id)
        elif new == Status.WAITLISTED and old != Status.GOING:
            waiting.append(member_id)
        elif old in (Status.GOING, Status.WAITLISTED):
            left.append(member_id)
    parts = []
    for ids, one, many in (
        (going, "is going", "are going"),
        (promoted, "moved up from the waitlist", "moved up from the waitlist"),
        (waiting, "is on the waitlist", "are on the waitlist"),
        (left, "is no longer going", "are no longer going"),
    ):
        if ids:
            parts.append(f"{_mentions(ids)} {one if len(ids) == 1 else many}")
    if not parts:
        return ""
    text = "; ".join(parts) + "."
    return text[0].upper() + text[1:] if not text.startswith("<") else text


# --- what organisers see ----------------------------------------------------------------------


def shown(space: EventSpace | None) -> str:
    """What /event show says of the event's space, to anyone: what is in Discord now, as mentions
    (empty when nothing is made; a deleted channel and role are not mentioned)."""
    if space is None:
        return ""
    parts = []
    if space.channel_id is not None and space.kind == SpaceKind.THREAD:
        parts.append(f"Thread: <#{space.channel_id}>" + (" (archived)" if space.closed_at else ""))
    elif space.channel_id is not None and space.kind == SpaceKind.CHANNEL and space.closed_at is None:
        parts.append(f"Private channel: <#{space.channel_id}>")
    if space.role_id is not None and space.closed_at is None:
        parts.append(f"Attendee role: <@&{space.role_id}>")
    return " · ".join(parts)


def described(space: EventSpace | None) -> str:
    """A line for /event show and the organiser's answers."""
    if space is None or (space.kind == SpaceKind.NONE and not space.attendee_role):
        return "No thread, channel or attendee role."
    parts = []
    if space.kind == SpaceKind.THREAD:
        parts.append(f"thread <#{space.channel_id}>" if space.channel_id else "a thread (being made)")
    elif space.kind == SpaceKind.CHANNEL:
        parts.append(f"private channel <#{space.channel_id}>" if space.channel_id else "a private channel (being made)")
    if space.attendee_role:
        parts.append(f"role <@&{space.role_id}>" if space.role_id else "an attendee role (being made)")
    text = " and ".join(parts)
    text = text[0].upper() + text[1:]
    if space.include_waitlist and space.kind != SpaceKind.NONE:
        text += " (the waitlist too)"
    if space.closed_at:
        text += "; cleaned up."
    else:
        text += f"; cleaned up {timestamp(close_at(space.event, space), 'R')}."
    if space.problem:
        text += f" Stuck: {space.problem}"
    return text
