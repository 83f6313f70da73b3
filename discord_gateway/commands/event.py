"""/event: how events are declared in Discord. The work happens in ``events.interactions``.

``/event create`` opens a modal (title, start, end, location, details); capacity, the
signup deadline, reminders and the channel are options of the command, carried to the
worker in the modal's custom_id, since Discord allows five inputs per modal.
"""

from __future__ import annotations

import discord
from discord import app_commands
from django.utils import timezone

from discord_gateway.forwarding import forward
from discord_gateway.modals import TextField, open_modal, text_modal
from events.organisers import REFUSAL, is_organiser

group = app_commands.Group(name="event", description="Events and registrations", guild_only=True)

CREATE_FIELDS = [
    TextField("title", "Title", max_length=100),
    TextField("start", "Start (your time zone)", placeholder="2026-06-01 18:30, tomorrow 7pm", max_length=40),
    TextField("end", "End (optional)", required=False, placeholder="2026-06-01 21:00", max_length=40),
    TextField("location", "Location (optional)", required=False, max_length=200),
    TextField("description", "Details (optional)", style="paragraph", required=False, max_length=2000),
]


async def may_open(interaction: discord.Interaction) -> bool:
    """The organiser rule, read with the async ORM (the gateway never writes)."""
    from core.models import Guild, GuildMember

    guild = await Guild.objects.filter(id=interaction.guild_id).only("organiser_role_id").afirst()
    flagged = await GuildMember.objects.filter(
        guild_id=interaction.guild_id, member_id=interaction.user.id, is_organiser=True, left_at__isnull=True
    ).aexists()
    return is_organiser(
        permissions=interaction.permissions.value,
        role_ids=[int(r) for r in getattr(interaction.user, "_roles", ())],
        organiser_role_id=guild.organiser_role_id if guild else None,
        flagged=flagged,
    )


async def refuse(interaction: discord.Interaction) -> None:
    await interaction.response.send_message(REFUSAL, ephemeral=True)


async def event_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[int]]:
    """Upcoming events of this guild whose title matches what is typed."""
    from events.models import Event

    events = Event.objects.filter(
        guild_id=interaction.guild_id, status=Event.Status.SCHEDULED, starts_at__gt=timezone.now(),
        title__icontains=current,
    ).order_by("starts_at")[:25]  # fmt: skip
    return [app_commands.Choice(name=f"{e.title[:80]} ({e.starts_at:%Y-%m-%d})", value=e.id) async for e in events]


@group.command(name="create", description="Create an event (opens a form)")
@app_commands.describe(
    capacity="How many can go (empty: no limit)",
    signup_deadline="When registration closes, e.g. 2026-06-01 12:00 (empty: at the start)",
    reminders="DMs before the start, e.g. 1h or 1d,1h (default 1h)",
    channel="Where to post it (default: the announcement channel, else here)",
)
async def create(interaction: discord.Interaction, capacity: app_commands.Range[int, 1, 100000] | None = None,
                 signup_deadline: app_commands.Range[str, 1, 30] | None = None,
                 reminders: app_commands.Range[str, 1, 20] | None = None,
                 channel: discord.TextChannel | None = None):  # fmt: skip
    if not await may_open(interaction):
        await refuse(interaction)
        return
    reminders_part = (reminders or "-").replace(":", "")
    custom_id = f"event:create:{capacity or 0}:{channel.id if channel else 0}:{reminders_part}:{signup_deadline or ''}"
    await open_modal(interaction, text_modal(custom_id[:100], "New event", CREATE_FIELDS))


@group.command(name="edit", description="Change an event; registrants are told")
@app_commands.describe(capacity="0 removes the limit", reminders="e.g. 1d,1h (replaces the reminders)")
@app_commands.autocomplete(event=event_choices)
async def edit(interaction: discord.Interaction, event: int, title: str | None = None, start: str | None = None,
               end: str | None = None, location: str | None = None, capacity: int | None = None,
               signup_deadline: str | None = None, reminders: str | None = None,
               description: str | None = None):  # fmt: skip
    await forward(interaction, ephemeral=True)


@group.command(name="cancel", description="Cancel an event; registrants are told")
@app_commands.autocomplete(event=event_choices)
async def cancel(interaction: discord.Interaction, event: int):
    await forward(interaction, ephemeral=True)


@group.command(name="list", description="Upcoming events")
async def list_(interaction: discord.Interaction, page: app_commands.Range[int, 1, 1000] = 1):
    await forward(interaction, ephemeral=True)


@group.command(name="show", description="An event, its roster and its buttons")
@app_commands.autocomplete(event=event_choices)
async def show(interaction: discord.Interaction, event: int):
    await forward(interaction, ephemeral=True)


@group.command(name="remove", description="Remove someone's registration (organisers)")
@app_commands.autocomplete(event=event_choices)
async def remove(interaction: discord.Interaction, event: int, member: discord.User):
    await forward(interaction, ephemeral=True)
