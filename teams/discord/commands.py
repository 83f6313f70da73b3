"""/team, declared for the gateway. The work happens in ``teams.discord.handlers``."""

from __future__ import annotations

from datetime import timedelta

import discord
from discord import app_commands
from django.utils import timezone

from core.interactions.declare import forward
from teams.models import Team
from teams.services import NAME_MAX, ROLE_MAX, SKILL_MAX, TEAMS_MAX

team = app_commands.Group(name="team", description="An event's teams", guild_only=True)
groups = (team,)

# Discord-side bounds; the services refuse the same with a sentence.
Id = app_commands.Range[int, 1, 2**53 - 1]
Name = app_commands.Range[str, 1, NAME_MAX]
Count = app_commands.Range[int, 1, TEAMS_MAX]
Skill = app_commands.Range[int, 0, SKILL_MAX]
RoleName = app_commands.Range[str, 0, ROLE_MAX]
BY = [
    app_commands.Choice(name="count only", value="count"),
    app_commands.Choice(name="skill rating", value="skill"),
    app_commands.Choice(name="preferred role", value="role"),
]
ROOMS = [
    app_commands.Choice(name="a private thread under the event's channel", value="thread"),
    app_commands.Choice(name="a private text channel", value="channel"),
    app_commands.Choice(name="none", value="none"),
]


def _event_model():
    return Team._meta.get_field("event").related_model


async def event_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[int]]:
    """This guild's events not yet over (a day's margin), by title."""
    recent = timezone.now() - timedelta(days=1)
    found = _event_model().objects.filter(
        guild_id=interaction.guild_id, status="scheduled", starts_at__gt=recent, title__icontains=current
    )
    return [
        app_commands.Choice(name=f"{e.title[:80]} ({e.starts_at:%Y-%m-%d})", value=e.id)
        async for e in found.order_by("starts_at")[:25]
    ]


async def team_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """The chosen event's teams by name."""
    event_id = interaction.namespace.event
    if not event_id:
        return []
    found = Team.objects.filter(event_id=event_id, guild_id=interaction.guild_id, name__icontains=current)
    return [app_commands.Choice(name=t.name, value=t.name) async for t in found.order_by("position", "id")[:25]]


@team.command(name="create", description="Make a team for an event (organisers)")
@app_commands.autocomplete(event=event_choices)
async def create(interaction: discord.Interaction, event: Id, name: Name):
    await forward(interaction)


@team.command(name="rename", description="Rename a team (organisers)")
@app_commands.autocomplete(event=event_choices, team=team_choices)
async def rename(interaction: discord.Interaction, event: Id, team: Name, name: Name):
    await forward(interaction)


@team.command(name="delete", description="Delete a team; its members are told (organisers)")
@app_commands.autocomplete(event=event_choices, team=team_choices)
async def delete(interaction: discord.Interaction, event: Id, team: Name):
    await forward(interaction)


@team.command(name="add", description="Put a member going into a team (organisers)")
@app_commands.describe(team="The team (made if the event has none of that name)")
@app_commands.autocomplete(event=event_choices, team=team_choices)
async def add(interaction: discord.Interaction, event: Id, team: Name, member: discord.User):
    await forward(interaction)


@team.command(name="move", description="Move a member to another team (organisers)")
@app_commands.autocomplete(event=event_choices, team=team_choices)
async def move(interaction: discord.Interaction, event: Id, member: discord.User, team: Name):
    await forward(interaction)


@team.command(name="remove", description="Take a member out of their team (organisers)")
@app_commands.autocomplete(event=event_choices)
async def remove(interaction: discord.Interaction, event: Id, member: discord.User):
    await forward(interaction)


@team.command(name="captain", description="Make a member their team's captain (organisers)")
@app_commands.autocomplete(event=event_choices)
async def captain(interaction: discord.Interaction, event: Id, member: discord.User):
    await forward(interaction)


@team.command(name="auto", description="Split the members going into teams (organisers)")
@app_commands.describe(
    teams="How many teams (missing ones are made as Team 1, Team 2...)",
    by="Balance by count only (default), skill rating or preferred role",
    reshuffle="Split everyone again (default: only members in no team are placed)",
)
@app_commands.choices(by=BY)
@app_commands.autocomplete(event=event_choices)
async def auto(interaction: discord.Interaction, event: Id, teams: Count, by: str = "count", reshuffle: bool = False):
    await forward(interaction)


@team.command(name="spaces", description="What each team gets in Discord: role, thread or channel, voice (organisers)")
@app_commands.describe(
    role="A pingable role named after the team",
    room="A private thread under the event's channel, or a private text channel",
    voice="A private voice channel",
    category="The category the teams' channels are made in",
)
@app_commands.choices(room=ROOMS)
@app_commands.autocomplete(event=event_choices)
async def team_spaces(
    interaction: discord.Interaction,
    event: Id,
    role: bool | None = None,
    room: str | None = None,
    voice: bool | None = None,
    category: discord.CategoryChannel | None = None,
):
    await forward(interaction)


@team.command(name="mine", description="Your team for an event")
@app_commands.autocomplete(event=event_choices)
async def mine(interaction: discord.Interaction, event: Id | None = None):
    await forward(interaction)


@team.command(name="list", description="An event's teams and their members")
@app_commands.autocomplete(event=event_choices)
async def list_teams(interaction: discord.Interaction, event: Id):
    await forward(interaction)


@team.command(name="preference", description="Your skill rating or preferred role, for balanced teams")
@app_commands.describe(skill="A rating, 0 to 10000 (an iRating, an Elo...)", role="Driver, support, goalkeeper...")
async def preference(interaction: discord.Interaction, skill: Skill | None = None, role: RoleName | None = None):
    await forward(interaction)
