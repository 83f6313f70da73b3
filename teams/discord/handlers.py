"""Worker-side handlers of /team: each reads the interaction, calls one service and says what
happened; the rules and their refusals live in ``teams.services`` and ``teams.spaces``."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from core.errors import RuleError
from core.interactions import Interaction, Reply, command
from core.markup import escape
from core.permissions import organiser
from teams import services, spaces
from teams.discord import messages
from teams.models import Team, TeamMember, TeamSpaces


def _event(interaction: Interaction):
    event = (
        services.event_model()
        .objects.filter(id=int(interaction.options["event"]), guild_id=interaction.guild_id)
        .first()
    )
    if event is None:
        raise RuleError("There is no such event in this server.")
    return event


def _member(interaction: Interaction) -> int:
    return int(interaction.options["member"])


@command("team create", allowed=organiser)
def create(interaction: Interaction) -> Reply:
    event = _event(interaction)
    team = services.create_team(
        event.id, interaction.options["name"], guild_id=interaction.guild_id, now=timezone.now()
    )
    return Reply(content=f"Team **{escape(team.name)}** made for {messages.title(event)}. {_spaces_line(event)}")


@command("team rename", allowed=organiser)
def rename(interaction: Interaction) -> Reply:
    event = _event(interaction)
    team = services.team_named(event, interaction.options["team"])
    old = team.name
    team = services.rename_team(team.id, interaction.options["name"], guild_id=interaction.guild_id, now=timezone.now())
    return Reply(content=f"Team **{escape(old)}** is now **{escape(team.name)}** (its role and channels follow).")


@command("team delete", allowed=organiser)
def delete(interaction: Interaction) -> Reply:
    event = _event(interaction)
    team = services.team_named(event, interaction.options["team"])
    name = services.delete_team(team.id, guild_id=interaction.guild_id, now=timezone.now())
    return Reply(content=f"Team **{escape(name)}** deleted; its members are told, and its role and channels go.")


@command("team add", allowed=organiser)
def add(interaction: Interaction) -> Reply:
    event, member_id, now = _event(interaction), _member(interaction), timezone.now()
    name = interaction.options["team"]
    made = ""
    with transaction.atomic():  # a refused member leaves no new, empty team behind
        team = Team.objects.filter(event=event, name__iexact=name.strip()).first()
        if team is None:
            team = services.create_team(event.id, name, guild_id=interaction.guild_id, now=now)
            made = f" (team **{escape(team.name)}** made)"
        services.place(event.id, team.id, member_id, guild_id=interaction.guild_id, now=now, move=False)
    return Reply(content=f"<@{member_id}> is in **{escape(team.name)}**{made}; they are told by DM.")


@command("team move", allowed=organiser)
def move(interaction: Interaction) -> Reply:
    event, member_id = _event(interaction), _member(interaction)
    team = services.team_named(event, interaction.options["team"])
    services.place(event.id, team.id, member_id, guild_id=interaction.guild_id, now=timezone.now())
    return Reply(content=f"<@{member_id}> moved to **{escape(team.name)}**; they are told by DM.")


@command("team remove", allowed=organiser)
def remove(interaction: Interaction) -> Reply:
    event, member_id = _event(interaction), _member(interaction)
    team = services.remove(event.id, member_id, guild_id=interaction.guild_id, now=timezone.now())
    return Reply(content=f"<@{member_id}> is no longer in **{escape(team.name)}**.")


@command("team captain", allowed=organiser)
def captain(interaction: Interaction) -> Reply:
    event, member_id = _event(interaction), _member(interaction)
    team = services.team_of(event.id, member_id)
    if team is None:
        raise RuleError(f"<@{member_id}> is in no team of this event: put them in one first.")
    services.set_captain(team.id, member_id, guild_id=interaction.guild_id, now=timezone.now())
    return Reply(content=f"<@{member_id}> captains **{escape(team.name)}**.")


@command("team auto", allowed=organiser)
def auto(interaction: Interaction) -> Reply:
    options = interaction.options
    event = _event(interaction)
    split = services.Split(
        teams=int(options["teams"]), by=options.get("by") or services.BY_COUNT, reshuffle=bool(options.get("reshuffle"))
    )
    services.auto_split(event.id, split, guild_id=interaction.guild_id, now=timezone.now())
    listed = messages.list_text(event, services.teams_with_members(event.id), services.unplaced(event))
    return Reply(content=f"{listed}\nMembers are told their team by DM.")


@command("team spaces", allowed=organiser)
def team_spaces(interaction: Interaction) -> Reply:
    options = interaction.options
    event = _event(interaction)
    chosen = {name: bool(options[name]) for name in ("role", "voice") if options.get(name) is not None}
    if options.get("room"):
        chosen["room"] = options["room"]
    if options.get("category"):
        chosen["category_id"] = int(options["category"])
    if chosen:
        held = spaces.configure(event.id, member_id=interaction.actor.id, **chosen)
    else:
        held = TeamSpaces.objects.filter(event=event).first()
    return Reply(content=spaces.described(held))


def _spaces_line(event) -> str:
    return spaces.described(TeamSpaces.objects.filter(event=event).first())


@command("team mine")
def mine(interaction: Interaction) -> Reply:
    member_id = interaction.actor.id
    if interaction.options.get("event"):
        event = _event(interaction)
        team = services.team_of(event.id, member_id)
        if team is None:
            return Reply(content=f"You are in no team for {messages.title(event)} yet.")
        return Reply(content=messages.placed_text(event, team))
    recent = timezone.now() - timedelta(days=1)
    found = (
        TeamMember.objects.filter(member_id=member_id, team__guild_id=interaction.guild_id, event__starts_at__gt=recent)
        .select_related("team", "event")
        .order_by("event__starts_at")
    )
    if not found:
        return Reply(content="You are in no team for an upcoming event.")
    return Reply(content="\n".join(messages.placed_text(m.event, m.team) for m in found[:5]))


@command("team list")
def list_teams(interaction: Interaction) -> Reply:
    event = _event(interaction)
    return Reply(content=messages.list_text(event, services.teams_with_members(event.id), services.unplaced(event)))


@command("team preference")
def preference(interaction: Interaction) -> Reply:
    options = interaction.options
    skill = options.get("skill")
    role = options.get("role")
    found = services.set_preference(
        interaction.guild_id, interaction.actor.id, skill=int(skill) if skill is not None else None, role=role
    )
    rating = f"skill {found.skill}" if found.skill is not None else "no skill rating"
    preferred = f"preferred role {escape(found.role)}" if found.role else "no preferred role"
    return Reply(content=f"Noted for balanced teams in this server: {rating}, {preferred}.")
