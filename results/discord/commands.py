"""/results and /standings, declared for the gateway. The work happens in ``results.discord.handlers``.

``/results post`` opens a form of one entry a line (filled in with the results already
posted, so posting again is editing them) and the season they count towards.
"""

from __future__ import annotations

from dataclasses import replace

import discord
from discord import app_commands
from django.utils import timezone

from core.interactions.declare import FormLayout, TextField, forward, open_form, opens
from results.discord.messages import POST_FORM
from results.entries import typed_line
from results.models import ResultEntry, ResultSheet, Season, TieBreak

group = app_commands.Group(name="results", description="Results, seasons and check-in", guild_only=True)

EventId = app_commands.Range[int, 1, 2**53 - 1]
SeasonName = app_commands.Range[str, 1, 80]
ENTRIES = TextField(
    "entries",
    "One a line: place, name, points — note",
    style="paragraph",
    placeholder="1. Team Red 25 — fastest lap\n2. @alice 18\n=2 Blue 18",
    max_length=4000,
)
SEASON = TextField("season", "Season (optional; a series counts as one)", required=False, max_length=80)
POST = FormLayout(POST_FORM, "Results", (ENTRIES, SEASON))
TIE_BREAKS = [app_commands.Choice(name=label[:100], value=value) for value, label in TieBreak.choices]


def _event_model():
    return ResultSheet._meta.get_field("event").related_model


async def event_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[int]]:
    """This guild's events that have started (latest first) whose title matches what is typed."""
    started = _event_model().objects.filter(
        guild_id=interaction.guild_id, starts_at__lte=timezone.now(), title__icontains=current
    )
    events = started.exclude(status="cancelled").order_by("-starts_at")[:25]
    return [app_commands.Choice(name=f"{e.title[:80]} ({e.starts_at:%Y-%m-%d})", value=e.id) async for e in events]


async def any_event_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[int]]:
    """This guild's scheduled events, soonest first, then past ones."""
    events = _event_model().objects.filter(guild_id=interaction.guild_id, title__icontains=current)
    found = events.exclude(status="cancelled").order_by("-starts_at")[:25]
    return [app_commands.Choice(name=f"{e.title[:80]} ({e.starts_at:%Y-%m-%d})", value=e.id) async for e in found]


async def season_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    seasons = Season.objects.filter(guild_id=interaction.guild_id, name__icontains=current).order_by("name")[:25]
    return [app_commands.Choice(name=s.name, value=s.name) async for s in seasons]


async def _typed_before(event_id: int, guild_id: int) -> tuple[str, str]:
    """The results already posted, as lines to edit, and their season's name."""
    sheet = await ResultSheet.objects.filter(event_id=event_id, guild_id=guild_id).select_related("season").afirst()
    if sheet is None:
        return "", ""
    entries = ResultEntry.objects.filter(sheet=sheet).order_by("position", "id")
    lines = [typed_line(entry) async for entry in entries]
    return "\n".join(lines)[:4000], sheet.season.name if sheet.season_id else ""


@opens(POST_FORM)
@group.command(name="post", description="Post an event's results (opens a form; posting again edits them)")
@app_commands.describe(event="The event")
@app_commands.autocomplete(event=event_choices)
async def post(interaction: discord.Interaction, event: EventId):
    entries, season = await _typed_before(event, interaction.guild_id)
    form = POST.build(event_id=event)
    fields = (replace(ENTRIES, default=entries or None), replace(SEASON, default=season or None))
    await open_form(interaction, replace(form, fields=fields))


@group.command(name="show", description="An event's results")
@app_commands.autocomplete(event=event_choices)
async def show(interaction: discord.Interaction, event: EventId):
    await forward(interaction)


@group.command(name="checkin", description="Turn check-in on or off for an event (organisers)")
@app_commands.describe(event="The event", enabled="On (default) or off")
@app_commands.autocomplete(event=any_event_choices)
async def checkin(interaction: discord.Interaction, event: EventId, enabled: bool = True):
    await forward(interaction)


@group.command(name="season", description="Name a season, or choose how its ties are broken (organisers)")
@app_commands.describe(
    season="The season's name (made if new)",
    first="The first tie-break (giving any replaces them all)",
    second="Then",
    third="Then",
)
@app_commands.autocomplete(season=season_choices)
@app_commands.choices(first=TIE_BREAKS, second=TIE_BREAKS, third=TIE_BREAKS)
async def season(
    interaction: discord.Interaction,
    season: SeasonName,
    first: str | None = None,
    second: str | None = None,
    third: str | None = None,
):
    await forward(interaction)


@app_commands.command(name="standings", description="A season's standings (default: the latest season)")
@app_commands.guild_only()
@app_commands.describe(season="The season (a named one, or a series)")
@app_commands.autocomplete(season=season_choices)
async def standings(interaction: discord.Interaction, season: SeasonName | None = None):
    await forward(interaction)


# A command of its own, not under /results: #19 asks for `/standings [season]`.
commands = [standings]
