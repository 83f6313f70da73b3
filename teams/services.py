"""The rules of teams: making, renaming and deleting them, placing members, captains, the
automatic split, and members' preferences.

Every change takes the event's row lock first (``select_for_update``), so an event's teams
change one at a time. Only members going to the event are placed; a member who stops going
leaves their team (``on_registration_status``, subscribed to
``core.hooks.registration_status_changed``). Each change asks ``teams.spaces`` for a sync
after the commit (the roles, threads and voice channels follow, and members are told their
team by DM) and the event's post for a redraw (``core.hooks.event_post_stale``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Max

from core import hooks
from core.errors import RuleError
from core.markup import truncate
from teams import spaces
from teams.discord import messages
from teams.models import Preference, Team, TeamLeftover, TeamMember, TeamSpaces

# What teams read of an event through the ORM (it never imports events).
GOING, CANCELLED = "going", "cancelled"
NAME_MAX = 80
TEAMS_MAX = 25
SKILL_MAX = 10000
ROLE_MAX = 40
BY_COUNT, BY_SKILL, BY_ROLE = "count", "skill", "role"


def event_model():
    """``events.Event``, reached through the lazy foreign key (no import of events)."""
    return Team._meta.get_field("event").related_model


def locked_event(event_id: int, *, guild_id: int | None, now: datetime):
    """The event's row, locked; refused when it is not this guild's, cancelled or over."""
    event = event_model().objects.select_for_update().select_related("guild").filter(id=event_id).first()
    if event is None or (guild_id is not None and event.guild_id != guild_id):
        raise RuleError("There is no such event in this server.")
    if event.status == CANCELLED:
        raise RuleError("This event is cancelled.")
    if now >= spaces.event_end(event):
        raise RuleError("This event is over: its teams can no longer change.")
    return event


def _team(event, team_id: int) -> Team:
    team = Team.objects.select_for_update().filter(event=event, id=team_id).first()
    if team is None:
        raise RuleError("There is no such team in this event.")
    return team


def team_named(event, name: str) -> Team:
    """The event's team of that name (any case), or a refusal naming the teams there are."""
    found = Team.objects.filter(event=event, name__iexact=name.strip()).first()
    if found is None:
        names = list(Team.objects.filter(event=event).values_list("name", flat=True))
        known = f" Its teams: {', '.join(names)}." if names else " It has no teams yet."
        raise RuleError(f"This event has no team called {truncate(name.strip(), 80)}.{known}")
    return found


def going_ids(event) -> list[int]:
    """The members going, in the order they registered."""
    going = event.registrations.filter(status=GOING).order_by("sequence", "id")
    return list(going.values_list("member_id", flat=True))


def _must_be_going(event, member_id: int) -> None:
    if not event.registrations.filter(member_id=member_id, status=GOING).exists():
        raise RuleError(f"<@{member_id}> is not going to this event: only members going are put in teams.")


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not 1 <= len(name) <= NAME_MAX:
        raise RuleError(f"A team's name has 1 to {NAME_MAX} characters.")
    return name


def _check_free(event, name: str, *, but: int | None = None) -> None:
    if Team.objects.filter(event=event, name__iexact=name).exclude(id=but).exists():
        raise RuleError(f"This event already has a team called {name}.")


def _changed(event) -> None:
    spaces.request_sync(event.id)
    hooks.event_post_stale.call(event_id=event.id)


def spaces_of(event) -> TeamSpaces:
    """The event's team spaces row, made (nothing in Discord) with its first team."""
    found, _ = TeamSpaces.objects.get_or_create(event_id=event.id, defaults={"guild_id": event.guild_id})
    return found


# Teams.


@transaction.atomic
def create_team(event_id: int, name: str, *, guild_id: int | None, now: datetime) -> Team:
    """A new, empty team at the end of the event's list."""
    event = locked_event(event_id, guild_id=guild_id, now=now)
    name = _clean_name(name)
    _check_free(event, name)
    teams = Team.objects.filter(event=event)
    if teams.count() >= TEAMS_MAX:
        raise RuleError(f"An event has at most {TEAMS_MAX} teams.")
    position = (teams.aggregate(last=Max("position"))["last"] or 0) + 1
    spaces_of(event)
    team = Team.objects.create(event=event, guild_id=event.guild_id, name=name, position=position)
    _changed(event)
    return team


@transaction.atomic
def rename_team(team_id: int, name: str, *, guild_id: int | None, now: datetime) -> Team:
    """A new name; its role and channels take it at the next sync."""
    team = Team.objects.select_related("event").filter(id=team_id).first()
    if team is None:
        raise RuleError("There is no such team in this event.")
    event = locked_event(team.event_id, guild_id=guild_id, now=now)
    team = _team(event, team_id)
    name = _clean_name(name)
    _check_free(event, name, but=team.id)
    if name != team.name:
        team.name, team.renamed = name, True
        team.save(update_fields=["name", "renamed", "updated_at"])
        _changed(event)
    return team


@transaction.atomic
def delete_team(team_id: int, *, guild_id: int | None, now: datetime) -> str:
    """The team goes, its members are told (those who knew of it), and what it had in Discord is
    deleted by the next sync. Returns the team's name."""
    team = Team.objects.filter(id=team_id).first()
    if team is None:
        raise RuleError("There is no such team in this event.")
    event = locked_event(team.event_id, guild_id=guild_id, now=now)
    team = _team(event, team_id)
    held = spaces_of(event)
    leftovers = [(TeamLeftover.Kind.ROLE, team.role_id)]
    leftovers += [(TeamLeftover.Kind.CHANNEL, team.thread_id), (TeamLeftover.Kind.CHANNEL, team.voice_channel_id)]
    for kind, role_or_channel_id in leftovers:
        if role_or_channel_id is not None:
            TeamLeftover.objects.get_or_create(spaces=held, kind=kind, role_or_channel_id=role_or_channel_id)
    for membership in team.memberships.select_related("member"):
        messages.tell_removed(event, team, membership)
    name = team.name
    team.delete()
    _changed(event)
    return name


# Members.


@transaction.atomic
def place(event_id: int, team_id: int, member_id: int, *, guild_id: int | None, now: datetime, move: bool = True):
    """Put a member going into a team (from another one when ``move``). Returns the membership,
    new unless the member was already there."""
    event = locked_event(event_id, guild_id=guild_id, now=now)
    team = _team(event, team_id)
    _must_be_going(event, member_id)
    current = TeamMember.objects.select_for_update().select_related("team").filter(event=event, member_id=member_id)
    current = current.first()
    if current is not None and current.team_id == team.id:
        raise RuleError(f"<@{member_id}> is already in {team.name}.")
    if current is not None and not move:
        raise RuleError(f"<@{member_id}> is in {current.team.name}: move them instead (`/team move`).")
    if current is not None:
        _leave(current)
    # A new row per placement: its id keys the DM that tells the member, once per placement.
    made = TeamMember.objects.create(team=team, event=event, member_id=member_id)
    _changed(event)
    return made


def _leave(membership: TeamMember) -> None:
    if membership.team.captain_id == membership.member_id:
        Team.objects.filter(id=membership.team_id).update(captain=None)
    membership.delete()


@transaction.atomic
def remove(event_id: int, member_id: int, *, guild_id: int | None, now: datetime) -> Team:
    """Take a member out of their team; they are told if they knew of it. Returns the team."""
    event = locked_event(event_id, guild_id=guild_id, now=now)
    current = TeamMember.objects.select_for_update().select_related("team").filter(event=event, member_id=member_id)
    current = current.first()
    if current is None:
        raise RuleError(f"<@{member_id}> is in no team of this event.")
    messages.tell_removed(event, current.team, current)
    _leave(current)
    _changed(event)
    return current.team


@transaction.atomic
def set_captain(team_id: int, member_id: int | None, *, guild_id: int | None, now: datetime) -> Team:
    """The team's captain: one of its members (None: no captain)."""
    team = Team.objects.filter(id=team_id).first()
    if team is None:
        raise RuleError("There is no such team in this event.")
    event = locked_event(team.event_id, guild_id=guild_id, now=now)
    team = _team(event, team_id)
    if member_id is not None and not team.memberships.filter(member_id=member_id).exists():
        raise RuleError(f"<@{member_id}> is not in {team.name}: put them in it first.")
    team.captain_id = member_id
    team.save(update_fields=["captain", "updated_at"])
    _changed(event)
    return team


def on_registration_status(event_id: int, member_id: int, old: str | None, new: str | None) -> None:
    """A member who stops going leaves their team (in the registration's transaction)."""
    if new == GOING or old != GOING:
        return
    current = TeamMember.objects.select_related("team", "event").filter(event_id=event_id, member_id=member_id)
    current = current.first()
    if current is None:
        return
    _leave(current)
    spaces.request_sync(event_id)
    hooks.event_post_stale.call(event_id=event_id)


# The automatic split.


@dataclass(frozen=True)
class Split:
    """How ``auto_split`` divides: into ``teams`` teams (made as "Team 1"... when missing),
    balanced by count, or also by ``by`` (skill: their sums; role: each preferred role spread
    evenly). ``reshuffle`` takes everyone out first; otherwise only members in no team move."""

    teams: int
    by: str = BY_COUNT
    reshuffle: bool = False


@dataclass
class _Bin:
    team: Team
    count: int = 0
    skill: int = 0
    roles: dict = None

    def __post_init__(self):
        self.roles = defaultdict(int)


@transaction.atomic
def auto_split(event_id: int, split: Split, *, guild_id: int | None, now: datetime) -> list[Team]:
    """Place the members going into ``split.teams`` teams, deterministically: members are
    taken in a fixed order (registration order; by skill, highest first; by role, role by
    role) and each goes to the team that needs them most, ties to the team first in the list.
    Team sizes never differ by more than one. Returns the event's teams."""
    if split.by not in (BY_COUNT, BY_SKILL, BY_ROLE):
        raise RuleError("Balance by count, skill or role.")
    if not 1 <= split.teams <= TEAMS_MAX:
        raise RuleError(f"Split into 1 to {TEAMS_MAX} teams.")
    event = locked_event(event_id, guild_id=guild_id, now=now)
    spaces_of(event)
    teams = list(Team.objects.select_for_update().filter(event=event).order_by("position", "id"))
    names = {t.name.casefold() for t in teams}
    number = 1
    while len(teams) < split.teams:
        while f"team {number}" in names:
            number += 1
        position = max([t.position for t in teams], default=0) + 1
        teams.append(
            Team.objects.create(event=event, guild_id=event.guild_id, name=f"Team {number}", position=position)
        )
        names.add(f"team {number}")
    teams = teams[: split.teams]
    going = going_ids(event)
    memberships = TeamMember.objects.select_for_update().filter(event=event)
    before = {}  # member: (team, when told), so one dealt back into their team is not told again
    if split.reshuffle:
        for membership in memberships.select_related("team"):
            if membership.member_id in going:
                before[membership.member_id] = (membership.team_id, membership.told_at)
                _leave(membership)
        Team.objects.filter(event=event).update(captain=None)
    placed = dict(TeamMember.objects.filter(event=event).values_list("member_id", "team_id"))
    preferences = {p.member_id: p for p in Preference.objects.filter(guild_id=event.guild_id, member_id__in=going)}
    bins = {t.id: _Bin(t) for t in teams}
    for member_id, team_id in placed.items():
        if team_id in bins:
            _count(bins[team_id], preferences.get(member_id))
    waiting = [m for m in going if m not in placed]
    for member_id in _ordered(waiting, preferences, split.by):
        preference = preferences.get(member_id)
        chosen = min(bins.values(), key=lambda b, p=preference: _need(b, p, split.by))
        team_id, told_at = before.get(member_id, (None, None))
        told_at = told_at if team_id == chosen.team.id else None
        TeamMember.objects.create(team=chosen.team, event=event, member_id=member_id, told_at=told_at)
        _count(chosen, preference)
    _changed(event)
    return list(Team.objects.filter(event=event).order_by("position", "id"))


def _skill(preference: Preference | None) -> int:
    return preference.skill if preference is not None and preference.skill is not None else 0


def _role(preference: Preference | None) -> str:
    return preference.role.casefold() if preference is not None else ""


def _count(bin_: _Bin, preference: Preference | None) -> None:
    bin_.count += 1
    bin_.skill += _skill(preference)
    bin_.roles[_role(preference)] += 1


def _ordered(member_ids: list[int], preferences: dict, by: str) -> list[int]:
    order = {member_id: i for i, member_id in enumerate(member_ids)}
    if by == BY_SKILL:
        return sorted(member_ids, key=lambda m: (-_skill(preferences.get(m)), order[m]))
    if by == BY_ROLE:  # roles with the fewest members first, a blank role last: rare roles spread first
        sizes = defaultdict(int)
        for member_id in member_ids:
            sizes[_role(preferences.get(member_id))] += 1
        return sorted(member_ids, key=lambda m: _role_key(_role(preferences.get(m)), sizes, order[m]))
    return list(member_ids)


def _role_key(role: str, sizes: dict, index: int):
    return (role == "", sizes[role], role, index)


def _need(bin_: _Bin, preference: Preference | None, by: str):
    """The smallest is the team this member joins: fewest members first, then the attribute."""
    if by == BY_SKILL:
        return (bin_.count, bin_.skill, bin_.team.position, bin_.team.id)
    if by == BY_ROLE:
        return (bin_.count, bin_.roles[_role(preference)], bin_.team.position, bin_.team.id)
    return (bin_.count, bin_.team.position, bin_.team.id)


# Preferences.


@transaction.atomic
def set_preference(guild_id: int, member_id: int, *, skill: int | None = None, role: str | None = None) -> Preference:
    """A member's skill rating and/or preferred role in this guild (None: unchanged; ``role=""`` clears)."""
    found, _ = Preference.objects.select_for_update().get_or_create(guild_id=guild_id, member_id=member_id)
    if skill is not None:
        if not 0 <= skill <= SKILL_MAX:
            raise RuleError(f"A skill rating is a whole number from 0 to {SKILL_MAX}.")
        found.skill = skill
    if role is not None:
        role = " ".join(role.split())
        if len(role) > ROLE_MAX:
            raise RuleError(f"A preferred role has at most {ROLE_MAX} characters.")
        found.role = role
    found.save()
    return found


# Reading.


def team_of(event_id: int, member_id: int) -> Team | None:
    membership = TeamMember.objects.select_related("team").filter(event_id=event_id, member_id=member_id).first()
    return membership.team if membership else None


def teams_with_members(event_id: int) -> list[tuple[Team, list[TeamMember]]]:
    """The event's teams in order, each with its memberships (members loaded), in two queries."""
    teams = list(Team.objects.filter(event_id=event_id).order_by("position", "id"))
    if not teams:  # most events: one query for the post's redraw
        return []
    members = defaultdict(list)
    for membership in TeamMember.objects.filter(event_id=event_id).select_related("member").order_by("added_at", "id"):
        members[membership.team_id].append(membership)
    return [(team, members[team.id]) for team in teams]


def unplaced(event) -> list[int]:
    """Members going who are in no team, in registration order."""
    placed = set(TeamMember.objects.filter(event=event).values_list("member_id", flat=True))
    return [m for m in going_ids(event) if m not in placed]
