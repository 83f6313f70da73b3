"""Check-in: on an event where an organiser turned it on, members going click "Check in" on the
event's post while it runs, once each; the archive compares who was going with who came.

The window runs from ``CHECKIN_OPENS_MINUTES`` before the start to the end (or
``CHECKIN_DEFAULT_HOURS`` after a start without one). Only members going may check in:
attendance is "going vs checked in", and a member who means to come clicks Going first
(while registration is open). The post shows the button only while the window is open; the
``results-checkin-windows`` tick redraws it as the window opens and as it closes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from core import hooks
from core.errors import RuleError
from core.markup import timestamp
from results.discord import messages
from results.models import CheckIn, CheckInWindow

GOING, CANCELLED = "going", "cancelled"


def event_model():
    return CheckIn._meta.get_field("event").related_model


def window(event) -> tuple[datetime, datetime]:
    """When check-in opens and closes for ``event``."""
    opens = event.starts_at - timedelta(minutes=settings.CHECKIN_OPENS_MINUTES)
    closes = event.ends_at or event.starts_at + timedelta(hours=settings.CHECKIN_DEFAULT_HOURS)
    return opens, closes


def is_open(event, now: datetime) -> bool:
    opens, closes = window(event)
    return event.status != CANCELLED and opens <= now < closes


def use_check_in(guild_id: int, event_id: int, *, enabled: bool, by_id: int | None) -> bool:
    """Turn check-in on or off for an event; True if that changed anything. Turning it off keeps
    the check-ins made."""
    with transaction.atomic():
        event = event_model().objects.select_for_update().filter(id=int(event_id), guild_id=guild_id).first()
        if event is None:
            raise RuleError("There is no such event in this server.")
        if enabled:
            _, changed = CheckInWindow.objects.get_or_create(
                event=event, defaults={"guild_id": guild_id, "enabled_by_id": by_id}
            )
        else:
            changed = CheckInWindow.objects.filter(event=event).delete()[0] > 0
        if changed:
            hooks.event_post_stale.call(event_id=event.id)
    return changed


def check_in(guild_id: int, event_id: int, member_id: int, *, now: datetime) -> CheckIn:
    """Check a going member in to an event whose check-in is open (once)."""
    event = event_model().objects.filter(id=int(event_id), guild_id=guild_id).first()
    if event is None:
        raise RuleError("There is no such event in this server.")
    if not CheckInWindow.objects.filter(event=event).exists():
        raise RuleError(f"{event.title} does not use check-in.")
    opens, closes = window(event)
    if event.status == CANCELLED:
        raise RuleError(f"{event.title} was cancelled.")
    if now < opens:
        raise RuleError(f"Check-in for {event.title} opens {timestamp(opens, 'R')}.")
    if now >= closes:
        raise RuleError(f"Check-in for {event.title} has closed.")
    if not event.registrations.filter(member_id=member_id, status=GOING).exists():
        raise RuleError(f"Only members going to {event.title} can check in.")
    done = CheckIn.objects.filter(event=event, member_id=member_id).first()
    if done is not None:
        raise RuleError(f"You already checked in to {event.title} ({timestamp(done.checked_in_at, 't')}).")
    try:
        with transaction.atomic():
            made = CheckIn.objects.create(event=event, guild_id=guild_id, member_id=member_id, checked_in_at=now)
            hooks.event_post_stale.call(event_id=event.id)
    except IntegrityError:  # a second click raced the first
        raise RuleError(f"You already checked in to {event.title}.") from None
    return made


def counts(event) -> tuple[int, int]:
    """(checked in, going) of an event."""
    return CheckIn.objects.filter(event=event).count(), event.registrations.filter(status=GOING).count()


def post_extras(event_id: int, now) -> hooks.PostExtras | None:
    """The event post's "Check in" button while the window is open, and the count (core.hooks)."""
    found = CheckInWindow.objects.filter(event_id=event_id).select_related("event").first()
    if found is None:
        return None
    event = found.event
    checked, going = counts(event)
    opens, _ = window(event)
    live = is_open(event, now)
    footer = messages.check_in_footer(checked, going, live=live, before=now < opens)
    return hooks.PostExtras(buttons=[messages.check_in_button(event_id)] if live else [], footer=[footer])


def redraw_windows(now: datetime) -> int:
    """Redraw the posts of events whose check-in window opened or closed since the last tick
    (each claimed once by compare-and-set, so two ticks redraw once). Returns the redraws asked."""
    asked = 0
    for live in CheckInWindow.objects.filter(closed_drawn_at__isnull=True).select_related("event"):
        opens, closes = window(live.event)
        pending = CheckInWindow.objects.filter(id=live.id)
        if (now >= closes and pending.filter(closed_drawn_at__isnull=True).update(closed_drawn_at=now)) or (
            opens <= now < closes and pending.filter(opened_drawn_at__isnull=True).update(opened_drawn_at=now)
        ):
            hooks.event_post_stale.call(event_id=live.event_id)
            asked += 1
    return asked


def on_event_moved(event_id: int, old_start, new_start) -> None:
    """A moved event's window moves too: its openings and closings are drawn again."""
    CheckInWindow.objects.filter(event_id=event_id).update(opened_drawn_at=None, closed_drawn_at=None)
