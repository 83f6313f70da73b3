"""Worker-side handlers of /jira and the reminder DMs' buttons."""

from __future__ import annotations

from django.utils import timezone

from core.errors import RuleError
from core.interactions import Interaction, Reply, command, component
from core.markup import escape, timestamp
from core.permissions import organiser
from jira_sync import linking, services, subscriptions
from jira_sync.discord.messages import MUTE, SNOOZE
from jira_sync.services import SettingsChange


@command("jira link")
def link(interaction: Interaction) -> Reply:
    site = services.site_of(interaction.guild_id, interaction.options.get("site"))
    url = linking.start(site, interaction.actor.id, timezone.now())
    how = (
        "sign in with Atlassian and allow Muster to read your work"
        if site.auth == site.Auth.OAUTH
        else "the page gives you a code to post as a comment on the site's link issue"
    )
    return Reply(
        content=f"Open this link within 10 minutes to link your account on **{escape(site.name)}** "
        f"(it works once, for you only): {url}\nThen {how}. Muster never writes to Jira."
    )


@command("jira unlink")
def unlink(interaction: Interaction) -> Reply:
    link = services.unlink(interaction.actor.id, interaction.guild_id, interaction.options.get("site"))
    return Reply(content=f"Unlinked your Jira account on **{escape(link.site.name)}**; its reminders stop.")


@command("jira status")
def status(interaction: Interaction) -> Reply:
    return Reply(content=services.status_text(interaction.actor.id, interaction.guild_id))


@command("jira settings")
def settings(interaction: Interaction) -> Reply:
    options = interaction.options
    link = services.link_of(interaction.actor.id, interaction.guild_id, options.get("site"))
    change = SettingsChange(
        delivery=options.get("delivery"),
        digest_hour=options.get("digest_hour"),
        quiet_hours=options.get("quiet_hours"),
        weekends_off=options.get("weekends_off"),
        due_soon_days=options.get("due_soon_days"),
        due_soon=options.get("due_soon"),
        overdue=options.get("overdue"),
        assigned=options.get("assigned"),
        stale_days=options.get("stale_days"),
    )
    link = services.change_settings(link, change)
    return Reply(content=services.describe_settings(link))


@command("jira digest")
def digest(interaction: Interaction) -> Reply:
    link = services.link_of(interaction.actor.id, interaction.guild_id, interaction.options.get("site"))
    message = services.digest_now(link, timezone.now())
    if message is None:
        return Reply(content="Nothing due soon, overdue or stale for you right now.")
    return Reply(embeds=message["embeds"], components=message["components"])


@component(SNOOZE)
def snooze(interaction: Interaction, link_id: int, issue_id: str, until: str) -> Reply:
    moment = services.snooze(interaction.actor.id, link_id, issue_id, until, timezone.now())
    return Reply(content=f"Snoozed: you will be reminded again {timestamp(moment, 'F')}.")


@component(MUTE)
def mute(interaction: Interaction, link_id: int, issue_id: str) -> Reply:
    key = services.mute(interaction.actor.id, link_id, issue_id)
    if not key:
        raise RuleError("That issue is no longer known.")
    return Reply(content=f"Muted {key}: no more reminders about it.")


@command("jira subscribe", allowed=organiser)
def subscribe(interaction: Interaction) -> Reply:
    options = interaction.options
    site = services.site_of(interaction.guild_id, options.get("site"))
    channel_id = int(options["channel"])
    subscriptions.subscribe(site, channel_id, options.get("jql") or "", interaction.actor.id, timezone.now())
    return Reply(content=f"From now on, new and transitioned issues matching that JQL are posted in <#{channel_id}>.")


@command("jira unsubscribe", allowed=organiser)
def unsubscribe(interaction: Interaction) -> Reply:
    subscription_id = int(interaction.options["subscription"])
    found = subscriptions.unsubscribe(interaction.guild_id, subscription_id)
    return Reply(content=f"Subscription {subscription_id} removed: <#{found.channel_id}> no longer gets those issues.")


@command("jira subscriptions", allowed=organiser)
def list_subscriptions(interaction: Interaction) -> Reply:
    return Reply(content=subscriptions.listing(interaction.guild_id))
