"""The guild's next upcoming event, for the ``{event.*}`` placeholders, read without importing ``events``.

ARCHITECTURE.md's "Rows" rule: a domain may read another's rows through the ORM by the
model's label, never by importing its modules. The model is looked up by label at the
moment of use (``apps.get_model("events", "Event")``), read only, and without the events
app installed there is simply no upcoming event. The fields read (guild, status, title,
starts_at, channel_id, message_id) are the events app's contract with this module.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.apps import apps

from community.responses import UpcomingEvent
from core.markup import timestamp
from core.models import Guild


def guild_zone(guild_id: int | None) -> ZoneInfo:
    """The guild's time zone (UTC when unknown)."""
    key = Guild.objects.filter(id=guild_id).values_list("timezone", flat=True).first()
    return ZoneInfo(key or "UTC")


def next_event(guild_id: int, *, now: datetime) -> UpcomingEvent | None:
    """The guild's next scheduled event that has not started, or None."""
    try:
        event_model = apps.get_model("events", "Event")
    except LookupError:
        return None
    row = (
        event_model.objects.filter(guild_id=guild_id, status="scheduled", starts_at__gt=now)
        .order_by("starts_at")
        .values("title", "starts_at", "channel_id", "message_id")
        .first()
    )
    if row is None:
        return None
    link = ""
    if row["channel_id"] and row["message_id"]:
        link = f"https://discord.com/channels/{guild_id}/{row['channel_id']}/{row['message_id']}"
    return UpcomingEvent(title=row["title"], time=timestamp(row["starts_at"], "F"), link=link)
