"""The sync of an event's teams with Discord (a sub-domain of ``teams.spaces``): one pass
tells members their team, makes each team's role, thread or channel and voice channel, lets
members in and out, renames, deletes what deleted teams left, warns and cleans up. One sync
per event at a time (a compare-and-set claim on ``TeamSpaces``), a bounded number of writes
per run, the bot's permissions checked before the first write.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core import discord_sync, outbox
from core.discord_api import get_client
from core.discord_api.bot import bot_user_id
from core.discord_sync import Stop as _Stop
from core.markup import truncate
from core.models import GuildMember
from core.permissions import VIEW_CHANNEL
from teams.discord import messages
from teams.models import RoomKind, Team, TeamCreating, TeamLeftover, TeamMember, TeamPlace, TeamSpaces
from teams.spaces import (
    BOT_ALLOW,
    MEMBER_ALLOW,
    PRIVATE_THREAD,
    STALE_CLAIM,
    TEXT,
    THREAD_AUTO_ARCHIVE,
    VOICE,
    WARNING_AHEAD,
    WRITES_PER_RUN,
    channel_name,
    close_at,
    event_end,
    notice_window,
    problems_of,
    role_name,
    warn_at,
    warning_text,
    welcome_text,
    what,
)

Place = TeamPlace.Place


@dataclass
class Synced(discord_sync.Synced):
    renamed: int = 0
    deleted: int = 0
    told: int = 0


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
            # Asked for while this ran (a countdown after the notice window, say): that pass sees
            # the time it runs at, so a placement that settled meanwhile is told now.
            now = max(now, timezone.now())
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
        else:  # over or cancelled: no one is let in any more, but whoever left a team (Forget me) is let out
            for team in Team.objects.filter(event=event, places__isnull=False).distinct().order_by("position", "id"):
                plan.members(team, let_in=False)
        if now >= warn_at(event, held):
            plan.warn()
    except _Stop:
        return
    if plan.wrote and held.problem:
        TeamSpaces.objects.filter(pk=held.pk).update(problem="", problem_at=None)


def _refused(event, held: TeamSpaces) -> str:
    return (
        f"Discord refused Muster the team {what(held)} of {truncate(event.title, 80)}: check its role's permissions "
        "there and that its role is above the team roles; it tries again by itself."
    )


class _Plan(discord_sync.Writes):
    """The writes of one pass: permissions checked before the first, counted against the run."""

    log = logging.getLogger(__name__)
    subject, key = "teams of event", "team-spaces"
    problems_of, refused = staticmethod(problems_of), staticmethod(_refused)

    def __init__(self, event, held: TeamSpaces, done: Synced, now: datetime, writes: int):
        super().__init__(event, held, done, now, writes)
        self.held, self._client = held, None

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
        name = truncate(team.name, 100)
        if self._creating(team, TeamCreating.Kind.ROOM):  # a create whose answer was lost: adopt it
            bot = str(bot_user_id(self.client))
            active = self._get("/guilds/{guild_id}/threads/active", {"guild_id": self.event.guild_id})
            for thread in active.get("threads", []):
                ours = str(thread.get("owner_id")) == bot and str(thread.get("parent_id")) == str(self.event.channel_id)
                if ours and thread.get("name") == name and int(thread.get("type", -1)) == PRIVATE_THREAD:
                    self._made(team, TeamCreating.Kind.ROOM, thread_id=int(thread["id"]))
                    self._welcome(team)
                    return
        self._spend()
        body = {
            "name": name,
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

    def members(self, team: Team, *, let_in: bool = True) -> None:
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
                self._follow(team, place, wanted, let_in=let_in)

    def _follow(self, team: Team, place: str, wanted: list[int], *, let_in: bool = True) -> None:
        held = set(TeamPlace.objects.filter(team=team, place=place).values_list("member_id", flat=True))
        for member_id in sorted(held - set(wanted)):
            self._permitted()
            self._spend()
            self._send("DELETE", *self._route(team, place, member_id)[:2], gone_ok=True, thread_id=team.thread_id)
            TeamPlace.objects.filter(team=team, place=place, member_id=member_id).delete()
            self.done.removed += 1
        if not let_in:
            return
        for member_id in wanted:
            if member_id in held:
                continue
            self._permitted()
            self._spend()
            path, params, body = self._route(team, place, member_id)
            self._send("PUT", path, params, json=body, gone_ok=True, thread_id=team.thread_id)
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
