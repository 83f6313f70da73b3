"""/timeline, declared for the gateway. The work happens in ``timeline.discord.handlers``."""

from __future__ import annotations

from datetime import timedelta

import discord
from discord import app_commands
from django.utils import timezone

from core.interactions.declare import forward
from timeline.models import Item

group = app_commands.Group(
    name="timeline", description="An event's day: items at times, alerted on time", guild_only=True
)

Event = Item._meta.get_field("event").related_model  # through the ORM: no import of events
EventId = app_commands.Range[int, 1, 2**53 - 1]
ItemId = app_commands.Range[int, 1, 2**53 - 1]
Title = app_commands.Range[str, 1, 100]
When = app_commands.Range[str, 1, 60]
Text = app_commands.Range[str, 1, 1000]
Minutes = app_commands.Range[int, -1440, 1440]
Prealert = app_commands.Range[int, 1, 1440]
POSTS = [
    app_commands.Choice(name="In the event's thread", value="event"),
    app_commands.Choice(name="In the team's thread", value="team"),
    app_commands.Choice(name="Nowhere (DMs only)", value="none"),
]


async def event_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[int]]:
    """This guild's events not over yet whose title matches what is typed."""
    since = timezone.now() - timedelta(days=1)
    events = Event.objects.filter(guild_id=interaction.guild_id, starts_at__gt=since, title__icontains=current)
    return [
        app_commands.Choice(name=f"{e.title[:80]} ({e.starts_at:%Y-%m-%d})", value=e.id)
        async for e in events.order_by("starts_at")[:25]
    ]


async def item_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[int]]:
    """This guild's timeline items still to come whose title matches what is typed."""
    since = timezone.now() - timedelta(days=1)
    items = Item.objects.filter(guild_id=interaction.guild_id, due_at__gt=since, title__icontains=current)
    return [
        app_commands.Choice(name=f"{i.title[:70]} ({i.due_at:%m-%d %H:%M} UTC, #{i.id})", value=i.id)
        async for i in items.order_by("due_at")[:25]
    ]


@group.command(name="add", description="Add an item to an event's timeline (organisers)")
@app_commands.describe(
    event="The event",
    title="What starts, e.g. Stint 2: Alice",
    at="+1h30 (from the event's start) or a time: 15:30, 2026-06-01 15:30",
    message="Said in the alert",
    members="Members told by DM (mentions)",
    team="The team told (its members by DM, its thread for posts)",
    prealert="Also a 'starts in N minutes' alert this many minutes before",
    post="Where the alert is posted (default: the event's thread when no one is named)",
    dm="DM the members and team named (default: yes)",
)
@app_commands.choices(post=POSTS)
@app_commands.autocomplete(event=event_choices)
async def add(
    interaction: discord.Interaction,
    event: EventId,
    title: Title,
    at: When,
    message: Text | None = None,
    members: Text | None = None,
    team: Title | None = None,
    prealert: Prealert | None = None,
    post: app_commands.Choice[str] | None = None,
    dm: bool | None = None,
):
    await forward(interaction)


@group.command(name="list", description="An event's timeline")
@app_commands.autocomplete(event=event_choices)
async def list_(interaction: discord.Interaction, event: EventId):
    await forward(interaction)


@group.command(name="remove", description="Remove an item from a timeline (organisers)")
@app_commands.autocomplete(item=item_choices)
async def remove(interaction: discord.Interaction, item: ItemId):
    await forward(interaction)


@group.command(name="shift", description="Move every item after now, e.g. 15 (later) or -10 (organisers)")
@app_commands.describe(event="The event", minutes="Minutes later (negative: earlier)")
@app_commands.autocomplete(event=event_choices)
async def shift(interaction: discord.Interaction, event: EventId, minutes: Minutes):
    await forward(interaction)
