"""The events app's holdings of a member's data (core.personal_data)."""

from __future__ import annotations

from datetime import datetime

from core.personal_data import UNLINK, Holding, register
from events import services, spaces
from events.models import Event, Registration, SpaceMember


def forget_registrations(member_id: int, now: datetime) -> int:
    """An upcoming event's place goes to its waitlist (the removal's service); past ones just go."""
    registrations = Registration.objects.filter(member_id=member_id)
    upcoming = registrations.filter(event__starts_at__gt=now).exclude(event__status=Event.Status.CANCELLED)
    removed = 0
    for event_id in upcoming.values_list("event_id", flat=True):
        services.remove_registration(event_id, member_id, now=now)
        removed += 1
    deleted, _ = registrations.delete()
    return removed + deleted


def forget_space_places(member_id: int, now: datetime) -> int:
    """Their places in event threads, channels and roles go with their registrations: the sync
    that follows takes them out in Discord and deletes these rows (deleted first, it could not)."""
    for event_id in SpaceMember.objects.filter(member_id=member_id).values_list("space_id", flat=True).distinct():
        spaces.request_sync(event_id)
    return 0


register(Holding("events.Registration", "Event registrations", ("member",), forget=forget_registrations))
register(Holding("events.SeriesMember", "Event series you joined", ("member",)))
register(Holding("events.CalendarFeed", "Your calendar links", ("member",), secret=("digest",)))
register(Holding("events.Event", "Events you created", ("created_by",), forget=UNLINK))
register(Holding("events.Series", "Event series you created", ("created_by",), forget=UNLINK))
register(Holding("events.EventTemplate", "Event templates you made", ("created_by",), forget=UNLINK))
register(Holding("events.NativeMirroring", "Discord event mirroring you switched", ("changed_by",), forget=UNLINK))
register(Holding("events.EventSpace", "Event threads and roles you asked for", ("requested_by",), forget=UNLINK))
register(
    Holding(
        "events.SpaceMember",
        "Your places in event threads, channels and roles",
        ("member_id",),
        forget=forget_space_places,
    )
)
register(Holding("events.SpaceNews", "Your registration changes waiting to be announced", ("member_id",)))
