"""The channels and roles a dashboard form offers: the ones Muster knows in the guild.

Muster keeps no channel or role list and the web holds no bot token, so a picker offers
what Muster has seen: the channels ``core.channels`` trusts (the announcement channel and
where the guild's events, polls, schedules and Jira subscriptions post) and the roles
its members hold. Discord's names are not stored, so each shows as its id (a mention in
Discord shows the name).
"""

from __future__ import annotations

from django.apps import apps

from core.channels import SOURCES
from core.models import Guild, GuildMember


def known_channels(guild: Guild) -> list[int]:
    found = {guild.announcement_channel_id} if guild.announcement_channel_id else set()
    for label, to_guild in SOURCES:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        found.update(model._default_manager.filter(**{to_guild: guild.pk}).values_list("channel_id", flat=True))
    return sorted(found)


def known_roles(guild: Guild) -> list[int]:
    found = {guild.organiser_role_id} if guild.organiser_role_id else set()
    for role_ids in GuildMember.objects.filter(guild=guild, left_at__isnull=True).values_list("role_ids", flat=True):
        found.update(int(role_id) for role_id in role_ids or ())
    found.discard(guild.id)  # @everyone
    return sorted(found)


def channel_choices(guild: Guild, *, blank: str | None = None) -> list[tuple[str, str]]:
    choices = [
        (str(c), f"#{c}" + (" (announcements)" if c == guild.announcement_channel_id else ""))
        for c in known_channels(guild)
    ]
    return [("", blank), *choices] if blank is not None else choices


def role_choices(guild: Guild, *, blank: str | None = None) -> list[tuple[str, str]]:
    choices = [(str(r), f"role {r}") for r in known_roles(guild)]
    return [("", blank), *choices] if blank is not None else choices
