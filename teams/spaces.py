"""Each team's role, private thread or text channel, and voice channel, kept to its members.

Per event, optional (``TeamSpaces``, ``/team spaces``): every team of the event gets

- a **role** named after the team, mentionable, that its members hold;
- a **private thread** under the event's channel (members added one by one), or a **private
  text channel** (in a chosen category) whose permission overwrites deny View Channel to
  @everyone and allow it to the bot, to the guild's organiser role and to each member;
- a **voice channel** with the same overwrites (Connect and Speak come from the server's
  usual permissions once the member may see it).

Team changes (``teams.services``) ask for a sync after the commit; it makes Discord match
the teams (one sync per event at a time, a compare-and-set claim; a bounded number of writes
per run). Each member let in is a ``TeamPlace`` row, written once Discord said yes, so
nothing is asked twice; a deleted team's role and channels are ``TeamLeftover`` rows the sync
deletes. Members are told their team by DM once the changes of ``TEAM_NOTICE_WINDOW`` seconds
settled (a member moved three times in a minute gets one DM, for where they ended).

Cleanup: ``cleanup_after`` (default two days) after the event's end the threads are archived,
the channels and roles deleted. A day before, a warning is posted in each team's thread or
channel (in the event's channel when the teams have none); the cleanup never comes less than
a day after that warning was written.

Before the first write Muster checks what the bot may do (the guild's roles, the bot's roles,
the channels' overwrites and the role hierarchy, as Discord reports them). When it may not,
nothing is made, the organiser who asked gets one DM naming what to grant (one per new
problem), and the next sync tries again.
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

from core import outbox
from core.discord_api import PermanentError, TransientError, get_client
from core.discord_api.bot import bot_user_id, channel_or_none
from core.errors import RuleError
from core.markup import escape, timestamp, truncate
from core.models import GuildMember
from core.permissions import (
    CREATE_PRIVATE_THREADS,
    MANAGE_CHANNELS,
    MANAGE_ROLES,
    MANAGE_THREADS,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    VIEW_CHANNEL,
    computed_permissions,
    highest_role_position,
)
from teams.discord import messages
from teams.models import RoomKind, Team, TeamCreating, TeamLeftover, TeamMember, TeamPlace, TeamSpaces

log = logging.getLogger(__name__)

Place = TeamPlace.Place
WRITES_PER_RUN = 25
MAX_WAIT_S = 5.0
STALE_CLAIM = timedelta(seconds=120)  # longer than a task may live (90 s)
WARNING_AHEAD = timedelta(days=1)
CLEANUP_MIN, CLEANUP_MAX = timedelta(days=1), timedelta(days=30)
THREAD_AUTO_ARCHIVE = 10080  # minutes (a week): a quiet team thread is not archived early
PRIVATE_THREAD, TEXT, VOICE, CATEGORY = 12, 0, 2, 4
READ_MESSAGE_HISTORY = 1 << 16
MEMBER_ALLOW = VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY
BOT_ALLOW = MEMBER_ALLOW | MANAGE_CHANNELS  # Manage Channels in it: it may delete the channel it made
THREAD_ARCHIVED = 50083
UNKNOWN_CHANNEL, UNKNOWN_MEMBER, UNKNOWN_ROLE = 10003, 10007, 10011
MISSING_ACCESS, MISSING_PERMISSIONS = 50001, 50013
GONE = (UNKNOWN_CHANNEL, UNKNOWN_MEMBER, UNKNOWN_ROLE)

PERMISSION_NAMES = {
    VIEW_CHANNEL: "View Channel",
    MANAGE_CHANNELS: "Manage Channels",
    MANAGE_ROLES: "Manage Roles",
    MANAGE_THREADS: "Manage Threads",
    CREATE_PRIVATE_THREADS: "Create Private Threads",
    SEND_MESSAGES_IN_THREADS: "Send Messages in Threads",
}


def notice_window() -> timedelta:
    return timedelta(seconds=settings.TEAM_NOTICE_WINDOW_S)


def event_end(event) -> datetime:
    """The event's end (its start plus the default length when it has none), as events reckon it."""
    return event.ends_at or event.starts_at + timedelta(minutes=settings.NATIVE_EVENT_DEFAULT_MINUTES)


def close_at(event, held: TeamSpaces) -> datetime:
    return event_end(event) + held.cleanup_after


def warn_at(event, held: TeamSpaces) -> datetime:
    return close_at(event, held) - WARNING_AHEAD


# --- the settings -----------------------------------------------------------------------------


@transaction.atomic
def configure(
    event_id: int,
    *,
    member_id: int | None,
    role: bool | None = None,
    room: str | None = None,
    voice: bool | None = None,
    category_id: int | None = None,
    cleanup_after: timedelta | None = None,
    check: bool = True,
) -> TeamSpaces:
    """What the event's teams get in Discord (None: unchanged). What is made stays until the
    cleanup. With ``check`` the bot's permissions are checked first and a missing one refused
    in one sentence; without (the web, which cannot ask Discord) the sync checks them before
    making anything and tells ``member_id`` once."""
    Event = Team._meta.get_field("event").related_model
    event = Event.objects.select_for_update().select_related("guild").get(id=event_id)
    held, _ = TeamSpaces.objects.select_for_update().get_or_create(event=event, defaults={"guild_id": event.guild_id})
    if held.closed_at is not None:
        raise RuleError("This event's teams were already cleaned up in Discord.")
    teams = Team.objects.filter(event=event)
    if role is not None:
        if not role and teams.filter(role_id__isnull=False).exists():
            raise RuleError("The teams' roles are already made; they are removed after the event.")
        held.role = role
    if room is not None:
        if room not in RoomKind.values:
            raise RuleError("A team's room is a thread, a channel or none.")
        if room != held.room and teams.filter(thread_id__isnull=False).exists():
            raise RuleError("The teams' threads or channels are already made; they stay until the cleanup.")
        held.room = room
    if voice is not None:
        if not voice and teams.filter(voice_channel_id__isnull=False).exists():
            raise RuleError("The teams' voice channels are already made; they are removed after the event.")
        held.voice = voice
    if category_id is not None:
        held.category_id = category_id or None
    if cleanup_after is not None:
        if not CLEANUP_MIN <= cleanup_after <= CLEANUP_MAX:
            raise RuleError("The cleanup comes 1 to 30 days after the event (a warning is posted a day before it).")
        held.cleanup_after = cleanup_after
    if held.wanted and event.status == "cancelled":
        raise RuleError("This event is cancelled.")
    if check and held.wanted:
        try:
            problem = problems_of(event, held)
        except TransientError:
            raise RuleError("Discord did not answer; try again in a minute.") from None
        if problem:
            raise RuleError(problem)
    held.requested_by_id = member_id or held.requested_by_id
    held.problem, held.problem_at = "", None
    held.save()
    request_sync(event.id)
    return held


def request_sync(event_id: int, *, countdown: float | None = None) -> None:
    """After the caller's commit, sync the event's teams (and again after the notice window)."""
    from teams.tasks import sync_teams

    window = settings.TEAM_NOTICE_WINDOW_S
    transaction.on_commit(lambda: sync_teams.delay(event_id), robust=True)
    if countdown or window:
        later = countdown or window
        transaction.on_commit(lambda: sync_teams.apply_async((event_id,), countdown=later), robust=True)


def due(*, now: datetime, limit: int = 200) -> list[int]:
    """Events whose teams have work the beat tick should start (a backstop for lost tasks):
    members to tell, something to make, rename or delete, a warning or a cleanup due."""
    default = timedelta(minutes=settings.NATIVE_EVENT_DEFAULT_MINUTES)
    end = Coalesce(F("event__ends_at"), F("event__starts_at") + Value(default))
    rows = TeamSpaces.objects.filter(closed_at__isnull=True, event__teams__isnull=False).alias(
        close=ExpressionWrapper(end + F("cleanup_after"), output_field=DateTimeField()),
        ends=ExpressionWrapper(end, output_field=DateTimeField()),
    )
    settled = now - notice_window()
    untold = Q(event__teams__memberships__told_at__isnull=True, event__teams__memberships__added_at__lte=settled)
    unmade = (
        Q(role=True, event__teams__role_id__isnull=True)
        | Q(voice=True, event__teams__voice_channel_id__isnull=True)
        | (~Q(room=RoomKind.NONE) & Q(event__teams__thread_id__isnull=True))
        | Q(event__teams__renamed=True)
    )
    live = Q(event__status="scheduled", ends__gt=now)
    cleanup = Q(warned_at__isnull=True, close__lte=now + WARNING_AHEAD) | Q(close__lte=now)
    found = rows.filter(untold | (live & unmade) | Q(leftovers__isnull=False) | cleanup)
    ids = found.order_by("event__starts_at", "event_id").values_list("event_id", flat=True)
    return list(dict.fromkeys(ids[: limit * 10]))[:limit]  # joins repeat an event: one each, in order


def deletion_refusal(event_id: int, now: datetime) -> str:
    """Why the event may not be deleted yet (``core.hooks.event_deletion_refusals``): its
    teams' roles or channels are in Discord, and deleting would leave them behind. Cancelling
    cleans them up on schedule, warned a day before."""
    held = TeamSpaces.objects.select_related("event").filter(event_id=event_id, closed_at__isnull=True).first()
    if held is None:
        return ""
    made = Q(role_id__isnull=False) | Q(voice_channel_id__isnull=False) | Q(thread_id__isnull=False)
    if not Team.objects.filter(event_id=event_id).filter(made).exists() and not held.leftovers.exists():
        return ""
    event, title = held.event, truncate(held.event.title, 80)
    if event.status == "cancelled" or now >= event_end(event):
        when = close_at(event, held).astimezone(UTC)
        return (
            f"{title}'s teams still have their roles or channels in Discord, cleaned up {when:%Y-%m-%d %H:%M} UTC "
            "(with a warning a day before); delete the event after that."
        )
    days = held.cleanup_after.days
    return (
        f"{title}'s teams have their roles or channels in Discord: cancel the event instead, and Muster cleans "
        f"them up {days} day{'s' if days != 1 else ''} after it, with a warning a day before; then it can be deleted."
    )


# --- what the bot may do ----------------------------------------------------------------------


def _names(bits: int) -> str:
    names = [name for bit, name in PERMISSION_NAMES.items() if bits & bit]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def needs(event, held: TeamSpaces) -> dict[str, int]:
    """What each part needs the bot to have: where ("post", "category" or "guild") to bits."""
    wanted: dict[str, int] = {}
    if held.room == RoomKind.THREAD:
        wanted["post"] = VIEW_CHANNEL | CREATE_PRIVATE_THREADS | SEND_MESSAGES_IN_THREADS | MANAGE_THREADS
    if held.room == RoomKind.CHANNEL or held.voice:
        wanted["category" if held.category_id else "guild"] = VIEW_CHANNEL | MANAGE_CHANNELS | MANAGE_ROLES
    if held.role:
        wanted["guild"] = wanted.get("guild", 0) | MANAGE_ROLES
    return wanted


def what(held: TeamSpaces) -> str:
    parts = []
    if held.role:
        parts.append("roles")
    if held.room == RoomKind.THREAD:
        parts.append("threads")
    elif held.room == RoomKind.CHANNEL:
        parts.append("channels")
    if held.voice:
        parts.append("voice channels")
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def problems_of(event, held: TeamSpaces, client=None) -> str:
    """The one sentence saying what the bot lacks for the event's teams (empty when nothing)."""
    client = client or get_client()
    try:
        return _problems(client, event, held)
    except TransientError:
        raise
    except PermanentError:
        return f"Muster cannot see {event.guild.name} in Discord; is the bot still in it?"


def _problems(client, event, held: TeamSpaces) -> str:
    bot_id = bot_user_id(client)
    guild = client.request("GET", "/guilds/{guild_id}", {"guild_id": event.guild_id})
    bot = client.request("GET", "/guilds/{guild_id}/members/{user_id}", {"guild_id": event.guild_id, "user_id": bot_id})
    title = truncate(event.title, 80)
    for where, bits in needs(event, held).items():
        channel = None
        if where == "post":
            if event.channel_id is None:
                return f"{title} has no channel to start its teams' threads in: give it one, or use channels."
            channel = channel_or_none(client, event.channel_id)
            if channel is None:
                return f"Muster cannot see the channel of {title}'s post: give its role View Channel there."
        elif where == "category":
            channel = channel_or_none(client, held.category_id)
            theirs = channel is not None and str(channel.get("guild_id")) == str(event.guild_id)
            if not theirs or int(channel.get("type", -1)) != CATEGORY:
                return f"The category for {title}'s team channels is gone or is not a category: choose another."
        missing = bits & ~computed_permissions(guild, bot, channel)
        if missing:
            place = " in the post's channel" if where == "post" else " in that category" if channel else ""
            return (
                f"Muster cannot make the team {what(held)} of {title}: give its role {_names(missing)}{place} "
                "(Server Settings, Roles); it tries again by itself."
            )
    if held.role:
        top = highest_role_position(guild, bot)
        role_ids = {
            str(r) for r in Team.objects.filter(event=event, role_id__isnull=False).values_list("role_id", flat=True)
        }
        for role in guild.get("roles", []):
            if str(role["id"]) in role_ids and int(role.get("position", 0)) >= top:
                return (
                    f"Muster cannot hand out the team roles of {title}: drag Muster's role above them "
                    "(Server Settings, Roles); it tries again by itself."
                )
    return ""


# --- the sync ---------------------------------------------------------------------------------


@dataclass
class Synced:
    made: int = 0
    added: int = 0
    removed: int = 0
    renamed: int = 0
    deleted: int = 0
    told: int = 0
    closed: bool = False
    more: bool = False
    retry_after: float = 1.0
    claimed: bool = True
    writes: int = 0


class _Stop(Exception):
    """Ends a pass: out of writes, rate limited, or refused."""


def sync(event_id: int, *, now: datetime, writes: int = WRITES_PER_RUN) -> Synced:
    """Make the event's team roles, rooms and voice channels match its teams, tell members their
    team, warn and clean up when due; at most ``writes`` Discord writes (``more``: some left)."""
    claim = Q(sync_claimed_at__isnull=True) | Q(sync_claimed_at__lt=now - STALE_CLAIM)
    row = TeamSpaces.objects.filter(event_id=event_id, closed_at__isnull=True)
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
        TeamSpaces.objects.filter(event_id=event_id).update(sync_claimed_at=None, synced_at=now)
    return done


def _pass(event_id: int, done: Synced, *, now: datetime, writes: int) -> None:
    held = TeamSpaces.objects.select_related("event__guild").get(event_id=event_id)
    event = held.event
    plan = _Plan(event, held, done, now, writes)
    plan.tell()
    try:
        if now >= close_at(event, held) and plan.warned_long_enough():
            plan.close()
            return
        plan.delete_leftovers()
        if event.status == "scheduled" and now < event_end(event) and held.wanted:
            for team in Team.objects.filter(event=event).order_by("position", "id"):
                plan.make(team)
                plan.members(team)
        if now >= warn_at(event, held):
            plan.warn()
    except _Stop:
        return
    if plan.wrote and held.problem:
        TeamSpaces.objects.filter(pk=held.pk).update(problem="", problem_at=None)


class _Plan:
    """The writes of one pass: permissions checked before the first, counted against the run."""

    def __init__(self, event, held: TeamSpaces, done: Synced, now: datetime, writes: int):
        self.event, self.held, self.done, self.now = event, held, done, now
        self.budget, self.checked, self.wrote = writes, False, 0
        self._client = None

    @property
    def client(self):
        """Asked for at the first Discord call: a pass that only tells members needs none."""
        if self._client is None:
            self._client = get_client()
        return self._client

    # telling (no Discord write: DMs through the outbox)

    def tell(self) -> None:
        settled = self.now - notice_window()
        waiting = TeamMember.objects.filter(event=self.event, told_at__isnull=True, added_at__lte=settled)
        for membership in waiting.select_related("team").order_by("id"):
            with transaction.atomic():
                if TeamMember.objects.filter(pk=membership.pk, told_at__isnull=True).update(told_at=self.now):
                    messages.tell_placed(self.event, membership.team, membership)
                    self.done.told += 1

    # making

    def make(self, team: Team) -> None:
        held = self.held
        if held.role and team.role_id is None:
            self._make_role(team)
        if held.room == RoomKind.THREAD and team.thread_id is None:
            self._make_thread(team)
        elif held.room == RoomKind.CHANNEL and team.thread_id is None:
            self._make_channel(team, TeamCreating.Kind.ROOM, TEXT)
        if held.voice and team.voice_channel_id is None:
            self._make_channel(team, TeamCreating.Kind.VOICE, VOICE)
        if team.renamed:
            self._rename(team)

    def _creating(self, team: Team, kind: str) -> bool:
        """Whether an earlier create of this kind went unanswered; marks this one."""
        _, made = TeamCreating.objects.get_or_create(team=team, kind=kind, defaults={"since": self.now})
        return not made

    def _made(self, team: Team, kind: str, **fields) -> None:
        Team.objects.filter(pk=team.pk).update(**fields)
        for name, value in fields.items():
            setattr(team, name, value)
        TeamCreating.objects.filter(team=team, kind=kind).delete()
        self.done.made += 1

    def _make_role(self, team: Team) -> None:
        name = role_name(team)
        self._permitted()
        if self._creating(team, TeamCreating.Kind.ROLE):  # a create whose answer was lost: adopt it
            for role in self._get("/guilds/{guild_id}/roles", {"guild_id": self.event.guild_id}):
                if role.get("name") == name and not role.get("managed"):
                    self._made(team, TeamCreating.Kind.ROLE, role_id=int(role["id"]))
                    return
        self._spend()
        body = {"name": name, "permissions": "0", "mentionable": True, "hoist": False}
        made = self._send("POST", "/guilds/{guild_id}/roles", {"guild_id": self.event.guild_id}, json=body)
        self._made(team, TeamCreating.Kind.ROLE, role_id=int(made["id"]))

    def _make_thread(self, team: Team) -> None:
        self._permitted()
        self._spend()
        self._creating(team, TeamCreating.Kind.ROOM)
        body = {
            "name": truncate(team.name, 100),
            "type": PRIVATE_THREAD,
            "invitable": False,
            "auto_archive_duration": THREAD_AUTO_ARCHIVE,
        }
        made = self._send("POST", "/channels/{channel_id}/threads", {"channel_id": self.event.channel_id}, json=body)
        self._made(team, TeamCreating.Kind.ROOM, thread_id=int(made["id"]))
        self._welcome(team)

    def _make_channel(self, team: Team, kind: str, channel_type: int) -> None:
        event, held = self.event, self.held
        name = channel_name(team) if channel_type == TEXT else truncate(team.name, 100)
        field = "thread_id" if kind == TeamCreating.Kind.ROOM else "voice_channel_id"
        self._permitted()
        if self._creating(team, kind):  # a create whose answer was lost: adopt it
            for channel in self._get("/guilds/{guild_id}/channels", {"guild_id": event.guild_id}):
                same_parent = str(channel.get("parent_id") or "") == str(held.category_id or "")
                if channel.get("name") == name and same_parent and int(channel.get("type", -1)) == channel_type:
                    self._made(team, kind, **{field: int(channel["id"])})
                    return
        self._spend()
        overwrites = [
            {"id": str(event.guild_id), "type": 0, "allow": "0", "deny": str(VIEW_CHANNEL)},
            {"id": str(bot_user_id(self.client)), "type": 1, "allow": str(BOT_ALLOW), "deny": "0"},
        ]
        if event.guild.organiser_role_id:
            overwrites.append(
                {"id": str(event.guild.organiser_role_id), "type": 0, "allow": str(MEMBER_ALLOW), "deny": "0"}
            )
        body = {"name": name, "type": channel_type, "permission_overwrites": overwrites}
        if channel_type == TEXT:
            body["topic"] = truncate(f"Team {team.name} of {event.title}.", 1024)
        if held.category_id:
            body["parent_id"] = str(held.category_id)
        made = self._send("POST", "/guilds/{guild_id}/channels", {"guild_id": event.guild_id}, json=body)
        self._made(team, kind, **{field: int(made["id"])})
        if channel_type == TEXT:
            self._welcome(team)

    def _welcome(self, team: Team) -> None:
        outbox.enqueue(
            key=f"team:{team.id}:welcome",
            channel_id=team.thread_id,
            guild_id=self.event.guild_id,
            payload={"content": welcome_text(self.event, self.held, team), "allowed_mentions": {"parse": []}},
        )

    def _rename(self, team: Team) -> None:
        guild_id = self.event.guild_id
        renames = []
        if team.role_id:
            renames.append(
                ("/guilds/{guild_id}/roles/{role_id}", {"guild_id": guild_id, "role_id": team.role_id}, role_name(team))
            )
        if team.thread_id:
            name = truncate(team.name, 100) if self.held.room == RoomKind.THREAD else channel_name(team)
            renames.append(("/channels/{channel_id}", {"channel_id": team.thread_id}, name))
        if team.voice_channel_id:
            renames.append(("/channels/{channel_id}", {"channel_id": team.voice_channel_id}, truncate(team.name, 100)))
        for path, params, name in renames:
            self._permitted()
            self._spend()
            self._send("PATCH", path, params, json={"name": name}, gone_ok=True)
        Team.objects.filter(pk=team.pk, name=team.name).update(renamed=False)
        self.done.renamed += 1

    # members

    def members(self, team: Team) -> None:
        current = set(
            GuildMember.objects.filter(guild_id=self.event.guild_id, left_at__isnull=True).values_list(
                "member_id", flat=True
            )
        )
        wanted = [
            m for m in team.memberships.order_by("added_at", "id").values_list("member_id", flat=True) if m in current
        ]
        for place, role_or_channel_id in (
            (Place.ROLE, team.role_id),
            (Place.ROOM, team.thread_id),
            (Place.VOICE, team.voice_channel_id),
        ):
            if role_or_channel_id is not None:
                self._follow(team, place, wanted)

    def _follow(self, team: Team, place: str, wanted: list[int]) -> None:
        held = set(TeamPlace.objects.filter(team=team, place=place).values_list("member_id", flat=True))
        for member_id in sorted(held - set(wanted)):
            self._permitted()
            self._spend()
            self._send("DELETE", *self._route(team, place, member_id)[:2], gone_ok=True, thread=team)
            TeamPlace.objects.filter(team=team, place=place, member_id=member_id).delete()
            self.done.removed += 1
        for member_id in wanted:
            if member_id in held:
                continue
            self._permitted()
            self._spend()
            path, params, body = self._route(team, place, member_id)
            self._send("PUT", path, params, json=body, gone_ok=True, thread=team)
            TeamPlace.objects.get_or_create(team=team, place=place, member_id=member_id)
            self.done.added += 1

    def _route(self, team: Team, place: str, member_id: int):
        if place == Place.ROLE:
            params = {"guild_id": self.event.guild_id, "user_id": member_id, "role_id": team.role_id}
            return "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", params, None
        if place == Place.ROOM and self.held.room == RoomKind.THREAD:
            return (
                "/channels/{channel_id}/thread-members/{user_id}",
                {"channel_id": team.thread_id, "user_id": member_id},
                None,
            )
        channel_id = team.thread_id if place == Place.ROOM else team.voice_channel_id
        params = {"channel_id": channel_id, "overwrite_id": member_id}
        return (
            "/channels/{channel_id}/permissions/{overwrite_id}",
            params,
            {"type": 1, "allow": str(MEMBER_ALLOW), "deny": "0"},
        )

    def delete_leftovers(self) -> None:
        for leftover in TeamLeftover.objects.filter(spaces=self.held).order_by("id"):
            self._permitted()
            self._spend()
            if leftover.kind == TeamLeftover.Kind.ROLE:
                params = {"guild_id": self.event.guild_id, "role_id": leftover.role_or_channel_id}
                self._send("DELETE", "/guilds/{guild_id}/roles/{role_id}", params, gone_ok=True)
            else:
                self._send(
                    "DELETE", "/channels/{channel_id}", {"channel_id": leftover.role_or_channel_id}, gone_ok=True
                )
            leftover.delete()
            self.done.deleted += 1

    # warning and cleaning up

    def _rooms(self) -> list[int]:
        return list(Team.objects.filter(event=self.event, thread_id__isnull=False).values_list("thread_id", flat=True))

    def _made_anything(self) -> bool:
        made = Q(role_id__isnull=False) | Q(thread_id__isnull=False) | Q(voice_channel_id__isnull=False)
        return Team.objects.filter(event=self.event).filter(made).exists()

    def warn(self) -> None:
        held = self.held
        if held.warned_at is not None:
            return
        text = warning_text(self.event, held, self.now)
        rooms = self._rooms()
        targets = rooms or ([self.event.channel_id] if self._made_anything() and self.event.channel_id else [])
        for channel_id in targets:
            outbox.enqueue(
                key=f"team-spaces:{self.event.id}:warning:{channel_id}",
                channel_id=channel_id,
                guild_id=self.event.guild_id,
                payload={"content": text, "allowed_mentions": {"parse": []}},
            )
        TeamSpaces.objects.filter(pk=held.pk, warned_at__isnull=True).update(warned_at=self.now)
        held.warned_at = self.now

    def warned_long_enough(self) -> bool:
        """The cleanup never comes less than a day after the warning was written (nothing made: no warning)."""
        if not self._made_anything():
            return True
        if self.held.warned_at is None:
            self.warn()
            return False
        return self.now >= self.held.warned_at + WARNING_AHEAD

    def close(self) -> None:
        self.delete_leftovers()
        for team in Team.objects.filter(event=self.event).order_by("position", "id"):
            if team.thread_id and self.held.room == RoomKind.THREAD:
                self._spend()
                params, body = {"channel_id": team.thread_id}, {"archived": True}
                self._send("PATCH", "/channels/{channel_id}", params, json=body, gone_ok=True, archived_ok=True)
            elif team.thread_id:
                self._spend()
                self._send("DELETE", "/channels/{channel_id}", {"channel_id": team.thread_id}, gone_ok=True)
            if team.voice_channel_id:
                self._spend()
                self._send("DELETE", "/channels/{channel_id}", {"channel_id": team.voice_channel_id}, gone_ok=True)
            if team.role_id:
                self._spend()
                path, params = (
                    "/guilds/{guild_id}/roles/{role_id}",
                    {"guild_id": self.event.guild_id, "role_id": team.role_id},
                )
                self._send("DELETE", path, params, gone_ok=True)
            # The thread stays (archived, readable); the deleted role and voice channel are forgotten.
            kept = team.thread_id if self.held.room == RoomKind.THREAD else None
            Team.objects.filter(pk=team.pk).update(role_id=None, voice_channel_id=None, thread_id=kept)
        with transaction.atomic():
            TeamSpaces.objects.filter(pk=self.held.pk).update(closed_at=self.now)
            TeamPlace.objects.filter(team__event=self.event).delete()
        self.done.closed = True

    # plumbing

    def _spend(self) -> None:
        if self.done.writes >= self.budget:
            self.done.more = True
            raise _Stop
        self.done.writes += 1
        self.wrote += 1

    def _permitted(self) -> None:
        if self.checked:
            return
        try:
            problem = problems_of(self.event, self.held, self.client)
        except TransientError as exc:
            self.done.more, self.done.retry_after = True, exc.retry_after or 5.0
            raise _Stop from None
        if problem:
            report(self.held, problem, now=self.now)
            raise _Stop
        self.checked = True

    def _get(self, path: str, params: dict):
        try:
            return self.client.request("GET", path, params, max_wait=MAX_WAIT_S)
        except TransientError as exc:
            self.done.more, self.done.retry_after = True, exc.retry_after or 5.0
            raise _Stop from None

    def _send(self, method, path, params, *, json=None, gone_ok=False, archived_ok=False, thread: Team | None = None):
        try:
            return self.client.request(method, path, params, json=json, max_wait=MAX_WAIT_S)
        except TransientError as exc:
            self.done.more, self.done.retry_after = True, exc.retry_after or 5.0
            raise _Stop from None
        except PermanentError as exc:
            if gone_ok and exc.code in GONE:
                return None
            if exc.code == THREAD_ARCHIVED and archived_ok:
                return None
            if exc.code == THREAD_ARCHIVED and thread is not None and thread.thread_id:
                # Archived by someone (or Discord's inactivity timer) before the cleanup: reopen it.
                reopen = {"channel_id": thread.thread_id}
                self.client.request("PATCH", "/channels/{channel_id}", reopen, json={"archived": False})
                return self._send(method, path, params, json=json, gone_ok=gone_ok, archived_ok=True)
            if exc.code in (MISSING_ACCESS, MISSING_PERMISSIONS):
                found = problems_of(self.event, self.held, self.client)
                report(self.held, found or _refused(self.event, self.held), now=self.now)
                raise _Stop from None
            log.warning("teams of event %s: %s %s refused: %s", self.event.id, method, path, exc)
            raise _Stop from None


def _refused(event, held: TeamSpaces) -> str:
    return (
        f"Discord refused Muster the team {what(held)} of {truncate(event.title, 80)}: check its role's permissions "
        "there and that its role is above the team roles; it tries again by itself."
    )


def report(held: TeamSpaces, sentence: str, *, now: datetime) -> None:
    """Show the problem on the event's teams; a new one DMs the organiser who asked, once."""
    with transaction.atomic():
        changed = (
            TeamSpaces.objects.filter(pk=held.pk)
            .exclude(problem=sentence[:300])
            .update(problem=sentence[:300], problem_at=now, problems=F("problems") + 1)
        )
        if changed and held.requested_by_id:
            count = TeamSpaces.objects.filter(pk=held.pk).values_list("problems", flat=True).get()
            outbox.enqueue(
                key=f"team-spaces:{held.event_id}:problem:{count}",
                member_id=held.requested_by_id,
                guild_id=held.guild_id,
                payload={"content": sentence, "allowed_mentions": {"parse": []}},
            )
    log.info("teams of event %s: %s", held.event_id, sentence)


# --- what it says -----------------------------------------------------------------------------


def channel_name(team: Team) -> str:
    """A text channel's name: lower case, dashes, the team's id to tell two events' teams apart."""
    slug = re.sub(r"[^a-z0-9]+", "-", team.name.lower()).strip("-")[:80] or "team"
    return f"{slug}-{team.id}"


def role_name(team: Team) -> str:
    return truncate(team.name, 90)


def welcome_text(event, held: TeamSpaces, team: Team) -> str:
    where = "thread" if held.room == RoomKind.THREAD else "channel"
    gone = "archived" if held.room == RoomKind.THREAD else "deleted"
    return (
        f"This {where} is for team **{escape(team.name)}** of {escape(truncate(event.title, 100))} "
        f"({timestamp(event.starts_at, 'F')}). Muster lets members in as they join the team and out when "
        f"they leave it; it is {gone} {timestamp(close_at(event, held), 'R')}, with a warning here a day before."
    )


def warning_text(event, held: TeamSpaces, now: datetime) -> str:
    when = max(close_at(event, held), now + WARNING_AHEAD)
    parts = []
    if held.room == RoomKind.THREAD:
        parts.append("team threads are archived (they stay readable)")
    elif held.room == RoomKind.CHANNEL:
        parts.append("team channels are deleted (save anything you want to keep)")
    if held.voice:
        parts.append("team voice channels are deleted")
    if held.role:
        parts.append("team roles are removed")
    said = "; ".join(parts) or "teams are cleaned up in Discord"
    return f"{escape(truncate(event.title, 100))} is over: its {said} {timestamp(when, 'R')} ({timestamp(when, 'F')})."


def described(held: TeamSpaces | None) -> str:
    """A line for organisers: what the teams get in Discord, and whether something is stuck."""
    if held is None or not held.wanted:
        return "The teams get nothing in Discord (no roles, threads or voice channels)."
    parts = ["a role"] if held.role else []
    if held.room != RoomKind.NONE:
        parts.append(f"a private {held.room}")
    if held.voice:
        parts.append("a voice channel")
    listed = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
    when = "cleaned up" if held.closed_at else f"cleaned up {held.cleanup_after.days} days after the event"
    text = f"Each team gets {listed}; {when}."
    if held.problem:
        text += f" Stuck: {held.problem}"
    return text
