"""An event's teams: drag members between teams (HTML5 drag and drop that submits the same
plain form a browser without JavaScript shows), make, rename and delete teams, captains, the
automatic split and what each team gets in Discord.

Every change calls ``teams.services`` (or ``teams.spaces.configure``, unchecked: the web holds
no bot token, so the sync checks the bot's permissions and tells the organiser once) and is
recorded with ``core.organiser_log.record``; a ``RuleError`` becomes an error message on the
page, never a 500. A team or member the form names is read through the event of the URL,
itself read through the organiser's guilds: another guild's id is 404.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone

from core import organiser_log
from core.errors import RuleError
from core.models import Member
from core.permissions import SESSION_MEMBER_ID
from events.models import Event
from teams import services, spaces
from teams.models import RoomKind, Team, TeamSpaces

from .nav import render_guild
from .scoping import in_organised_guilds, organised_guild_or_404


def _event(request, guild_id: int, event_id: int):
    guild = organised_guild_or_404(request, guild_id)
    events = in_organised_guilds(request, Event.objects.filter(guild=guild).select_related("guild"))
    return guild, get_object_or_404(events, pk=event_id)


def _int(request, name: str, refusal: str) -> int:
    try:
        return int(request.POST.get(name, ""))
    except ValueError:
        raise RuleError(refusal) from None


def _team(request, event: Event) -> Team:
    """The team the form names (``team``): 404 for a team of another event or guild."""
    team_id = _int(request, "team", "Pick a team.")
    return get_object_or_404(in_organised_guilds(request, Team.objects.filter(event=event)), pk=team_id)


def _member(request, event: Event) -> Member:
    """The member the form names (``member``), one registered for this event (else a refusal)."""
    member_id = _int(request, "member", "Pick a member.")
    member = Member.objects.filter(id=member_id, registrations__event=event).first()
    if member is None:
        raise RuleError("That member is not going to this event.")
    return member


def _name(member: Member) -> str:
    return member.display_name or member.username


def _back(event: Event):
    return redirect("dashboard:event_teams", guild_id=event.guild_id, event_id=event.id)


@login_required
def teams_page(request, guild_id: int, event_id: int):
    """The teams side by side with their members, and who is going but in no team."""
    guild, event = _event(request, guild_id, event_id)
    teams = services.teams_with_members(event.id)
    unplaced_ids = services.unplaced(event)
    names = {m.id: m for m in Member.objects.filter(id__in=unplaced_ids)}
    going = [names[m] for m in unplaced_ids if m in names]
    held = TeamSpaces.objects.filter(event=event).first()
    context = {
        "event": event,
        "teams": teams,
        "unplaced": going,
        "everyone": [m.member for _, members in teams for m in members] + going,
        "held": held or TeamSpaces(event=event, guild=guild),
        "spaces_line": spaces.described(held),
        "rooms": RoomKind.choices,
        "open": event.status == Event.Status.SCHEDULED and timezone.now() < spaces.event_end(event),
    }
    return render_guild(request, guild, "events", "dashboard/event/teams.html", context)


def _action(view):
    """POST only (after the scoping: another guild's URL is 404 whatever the method); a refusal
    becomes the page's error message."""

    @login_required
    def run(request, guild_id: int, event_id: int):
        guild, event = _event(request, guild_id, event_id)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            said = view(request, guild, event)
        except RuleError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, said)
        return _back(event)

    run.__name__ = run.__qualname__ = view.__name__
    run.__doc__ = view.__doc__
    return run


@_action
def team_create(request, guild, event):
    """A new team at the end of the list."""
    team = services.create_team(event.id, request.POST.get("name", ""), guild_id=guild.id, now=timezone.now())
    organiser_log.record(request, guild.id, "made team", team, f"for {event.title}")
    return f"Team {team.name} made."


@_action
def team_rename(request, guild, event):
    """A new name; the team's role and channels follow."""
    team = _team(request, event)
    old = team.name
    renamed = services.rename_team(team.id, request.POST.get("name", ""), guild_id=guild.id, now=timezone.now())
    organiser_log.record(request, guild.id, "renamed team", renamed, f"{old} → {renamed.name}")
    return f"Team {old} is now {renamed.name}."


@_action
def team_delete(request, guild, event):
    """The team goes; its members are told, its role and channels are deleted."""
    team = _team(request, event)
    name = services.delete_team(team.id, guild_id=guild.id, now=timezone.now())
    organiser_log.record(request, guild.id, "deleted team", event, name)
    return f"Team {name} deleted; its members are told."


@_action
def team_place(request, guild, event):
    """Put a member in a team (moved from their team if they have one): the drop of a drag."""
    team, member = _team(request, event), _member(request, event)
    current = services.team_of(event.id, member.id)
    if current is not None and current.id == team.id:
        return f"{_name(member)} is in {team.name}."  # a form sent twice, or a drop where it started
    services.place(event.id, team.id, member.id, guild_id=guild.id, now=timezone.now())
    organiser_log.record(request, guild.id, "placed member", team, f"{_name(member)} in {team.name}")
    return f"{_name(member)} is in {team.name} now; they are told by DM."


@_action
def team_unplace(request, guild, event):
    """Take a member out of their team."""
    member = _member(request, event)
    team = services.remove(event.id, member.id, guild_id=guild.id, now=timezone.now())
    organiser_log.record(request, guild.id, "removed from team", team, _name(member))
    return f"{_name(member)} is no longer in {team.name}."


@_action
def team_captain(request, guild, event):
    """Make a member of the team its captain (or none)."""
    team = _team(request, event)
    member_id = request.POST.get("member") or None
    member = _member(request, event) if member_id else None
    services.set_captain(team.id, member.id if member else None, guild_id=guild.id, now=timezone.now())
    organiser_log.record(request, guild.id, "set captain", team, _name(member) if member else "none")
    return f"{_name(member)} captains {team.name}." if member else f"{team.name} has no captain."


@_action
def team_auto(request, guild, event):
    """The automatic split: as ``/team auto``."""
    split = services.Split(
        teams=_int(request, "teams", "Say how many teams."),
        by=request.POST.get("by") or services.BY_COUNT,
        reshuffle=request.POST.get("reshuffle") == "on",
    )
    services.auto_split(event.id, split, guild_id=guild.id, now=timezone.now())
    organiser_log.record(request, guild.id, "split teams", event, f"{split.teams} teams by {split.by}")
    return f"Members going are split into {split.teams} teams; they are told by DM."


@_action
def team_spaces(request, guild, event):
    """What each team gets in Discord: as ``/team spaces``."""
    days = _int(request, "cleanup_days", "Say after how many days the teams are cleaned up.")
    held = spaces.configure(
        event.id,
        member_id=request.session.get(SESSION_MEMBER_ID),
        role=request.POST.get("role") == "on",
        room=request.POST.get("room") or RoomKind.NONE,
        voice=request.POST.get("voice") == "on",
        cleanup_after=timedelta(days=days),
        check=False,
    )
    organiser_log.record(request, guild.id, "set team spaces", event, spaces.described(held))
    return spaces.described(held)
