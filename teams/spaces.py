"""Each team's role, private thread or text channel, and voice channel, kept to its members.

Per event, optional (``TeamSpaces``, ``/team spaces``): every team of the event gets

- a **role** named after the team, mentionable, that its members hold;
- a **private thread** under the event's channel (members added one by one), or a **private
  text channel** (in a chosen category) whose permission overwrites deny View Channel to
  @everyone and allow it to the bot, to the guild's organiser role and to each member;
- a **voice channel** with the same overwrites (Connect and Speak come from the server's
  usual permissions once the member may see it).

Team changes (``teams.services``) ask for a sync after the commit; it (``teams.sync``) makes
Discord match the teams (one sync per event at a time, a compare-and-set claim; a bounded number of writes
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

import re
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import DateTimeField, Exists, ExpressionWrapper, F, OuterRef, Q, Value
from django.db.models.functions import Coalesce

from core import discord_sync
from core.discord_api import PermanentError, TransientError, get_client
from core.discord_api.bot import category_or_none, channel_or_none, guild_and_bot
from core.errors import RuleError
from core.markup import escape, timestamp, truncate
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
    permission_names,
)
from teams.models import RoomKind, Team, TeamMember, TeamPlace, TeamSpaces

WRITES_PER_RUN = 25
STALE_CLAIM = timedelta(seconds=120)  # longer than a task may live (90 s)
WARNING_AHEAD = timedelta(days=1)
CLEANUP_MIN, CLEANUP_MAX = timedelta(days=1), timedelta(days=30)
THREAD_AUTO_ARCHIVE = 10080  # minutes (a week): a quiet team thread is not archived early
PRIVATE_THREAD, TEXT, VOICE = 12, 0, 2
READ_MESSAGE_HISTORY = 1 << 16
MEMBER_ALLOW = VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY
BOT_ALLOW = MEMBER_ALLOW | MANAGE_CHANNELS  # Manage Channels in it: it may delete the channel it made


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
        discord_sync.refuse_problem(lambda: problems_of(event, held))
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
    members to tell, something to make, rename or delete, access to take away (a member
    who left a team, or was forgotten), a warning or a cleanup due."""
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
    in_team = TeamMember.objects.filter(team_id=OuterRef("team_id"), member_id=OuterRef("member_id"))
    let_out = Exists(TeamPlace.objects.filter(team__event_id=OuterRef("event_id")).filter(~Exists(in_team)))
    live = Q(event__status="scheduled", ends__gt=now)
    cleanup = Q(warned_at__isnull=True, close__lte=now + WARNING_AHEAD) | Q(close__lte=now)
    found = rows.filter(untold | (live & unmade) | Q(leftovers__isnull=False) | let_out | cleanup)
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
    guild, bot = guild_and_bot(client, event.guild_id)
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
            channel = category_or_none(client, event.guild_id, held.category_id)
            if channel is None:
                return f"The category for {title}'s team channels is gone or is not a category: choose another."
        missing = bits & ~computed_permissions(guild, bot, channel)
        if missing:
            place = " in the post's channel" if where == "post" else " in that category" if channel else ""
            return (
                f"Muster cannot make the team {what(held)} of {title}: give its role {permission_names(missing)}"
                f"{place} (Server Settings, Roles); it tries again by itself."
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
