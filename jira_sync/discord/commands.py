"""/jira, declared for the gateway. The work happens in ``jira_sync.discord.handlers``."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands

from core.interactions.declare import forward

group = app_commands.Group(name="jira", description="Jira reminders by DM", guild_only=True)

SiteName = app_commands.Range[str, 1, 100]


@group.command(name="link", description="Link your Jira account (a private one-time link)")
@app_commands.describe(site="Which Jira site, when this server has several")
async def link(interaction: discord.Interaction, site: SiteName | None = None):
    await forward(interaction)


@group.command(name="unlink", description="Forget your Jira account here; reminders stop")
@app_commands.describe(site="Which Jira site, when you linked several")
async def unlink(interaction: discord.Interaction, site: SiteName | None = None):
    await forward(interaction)


@group.command(name="status", description="Your linked Jira account, last reminder and settings")
async def status(interaction: discord.Interaction):
    await forward(interaction)


@group.command(name="settings", description="How and when Jira reminders reach you")
@app_commands.describe(
    delivery="digest: once a day at your hour; live: as it happens, outside quiet hours",
    digest_hour="The digest's hour, 0-23, your time zone (default 9)",
    quiet_hours="Live reminders wait outside these, e.g. 22:00-08:00, or off",
    weekends_off="No reminders on Saturday and Sunday",
    due_soon_days="Remind this many days before the due date",
    due_soon="Due-soon reminders on or off",
    overdue="Overdue reminders on or off",
    assigned="Newly-assigned reminders on or off",
    stale_days="Remind of work in progress untouched this many days (0: off)",
    site="Which Jira site, when you linked several",
)
async def settings(
    interaction: discord.Interaction,
    delivery: Literal["digest", "live"] | None = None,
    digest_hour: app_commands.Range[int, 0, 23] | None = None,
    quiet_hours: app_commands.Range[str, 2, 20] | None = None,
    weekends_off: bool | None = None,
    due_soon_days: Literal[1, 2, 3, 7] | None = None,
    due_soon: bool | None = None,
    overdue: bool | None = None,
    assigned: bool | None = None,
    stale_days: app_commands.Range[int, 0, 90] | None = None,
    site: SiteName | None = None,
):
    await forward(interaction)


@group.command(name="digest", description="Your Jira digest now, privately")
@app_commands.describe(site="Which Jira site, when you linked several")
async def digest(interaction: discord.Interaction, site: SiteName | None = None):
    await forward(interaction)


@group.command(name="subscribe", description="Post new and transitioned Jira issues matching a JQL to a channel")
@app_commands.describe(jql="e.g. project = OPS AND priority = High", channel="Where to post", site="Which Jira site")
async def subscribe(
    interaction: discord.Interaction,
    jql: app_commands.Range[str, 1, 1000],
    channel: discord.TextChannel,
    site: SiteName | None = None,
):
    await forward(interaction)


@group.command(name="unsubscribe", description="Stop a channel subscription (see /jira subscriptions)")
async def unsubscribe(interaction: discord.Interaction, subscription: app_commands.Range[int, 1, 2**53 - 1]):
    await forward(interaction)


@group.command(name="subscriptions", description="The Jira subscriptions of this server")
async def subscriptions(interaction: discord.Interaction):
    await forward(interaction)
