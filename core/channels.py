"""Which channels Muster knows belong to a guild: the one rule for a channel id typed on the web.

Muster keeps no channel list, and the web process holds no bot token to ask Discord, so a
channel id typed into the admin could be another guild's. It is accepted only when Muster
already knows it in that guild: the guild's announcement channel, or a channel one of the
guild's events, polls, scheduled messages or Jira subscriptions posts in (each of those came
from Discord itself, or passed this rule). Domain models are reached through the app
registry by label, so core imports no domain app.
"""

from __future__ import annotations

from django.apps import apps

from core.errors import RuleError
from core.models import Guild

# (model label, the lookup from it to its guild's id): rows whose channel_id Muster trusts.
SOURCES = (
    ("events.Event", "guild_id"),
    ("polls.Poll", "guild_id"),
    ("community.ScheduledMessage", "guild_id"),
    ("jira_sync.Subscription", "site__guild_id"),
    ("standups.Standup", "guild_id"),
)


def is_known(guild: Guild, channel_id: int, *, with_announcement: bool = True) -> bool:
    """Whether Muster knows ``channel_id`` as a channel of ``guild``."""
    if with_announcement and channel_id == guild.announcement_channel_id:
        return True
    for label, to_guild in SOURCES:
        try:
            model = apps.get_model(label)
        except LookupError:  # an app that is not installed knows no channel
            continue
        if model._default_manager.filter(**{to_guild: guild.pk, "channel_id": channel_id}).exists():
            return True
    return False


def check_channel(guild: Guild, channel_id: int, *, with_announcement: bool = True) -> None:
    """RuleError naming the channel unless Muster knows it belongs to ``guild``."""
    if not is_known(guild, channel_id, with_announcement=with_announcement):
        raise RuleError(
            f"Muster does not know channel {channel_id} in {guild.name}: use its announcement channel or a "
            "channel where one of its events, polls or scheduled messages posts (or create the first one "
            "there from Discord)."
        )
