"""Telling registrants that what they see of an event changed: its title, time or place.

An edit that changes one of those opens a ``ChangeNotice`` holding what registrants saw
before it; further edits within ``EVENT_EDIT_WINDOW`` seconds fold into it. When the
window ends (a countdown task, and the beat tick as a backstop), the notice is claimed
once and each registrant gets one DM comparing then and now, under an outbox key naming
the notice and the member. Capacity, reminders, the deadline and the details tell nobody,
and an edit that is undone within the window, or a cancellation (which has its own DM),
sends nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from events.discord import messages
from events.models import ChangeNotice, Event


def window() -> timedelta:
    return timedelta(seconds=settings.EVENT_EDIT_WINDOW_S)


def note(event: Event, before: dict, *, editor_id: int | None, now: datetime) -> ChangeNotice | None:
    """Record that ``event`` (saved, row locked) may look different from ``before``.

    Returns the open notice that will tell registrants, or None when nothing they see changed.
    """
    if event.as_seen() == before:
        return None
    notice = ChangeNotice.objects.filter(event=event, sent_at__isnull=True).first()
    if notice is None:
        notice = ChangeNotice.objects.create(event=event, before=before, due_at=now + window(), created_at=now)
        notice_id, countdown = notice.id, settings.EVENT_EDIT_WINDOW_S
        transaction.on_commit(lambda: _schedule(notice_id, countdown))
    if editor_id is not None and editor_id not in notice.editor_ids:
        notice.editor_ids = [*notice.editor_ids, editor_id]
        notice.save(update_fields=["editor_ids"])
    return notice


def _schedule(notice_id: int, countdown: int) -> None:
    from events.tasks import send_change_notice

    send_change_notice.apply_async((notice_id,), countdown=countdown)


def send(notice_id: int, *, now: datetime) -> int:
    """Claim a due notice once and DM its registrants; returns how many DMs were queued.

    The event row is locked first, as edits lock it, so the DM shows the latest state.
    The one member who made every edit is not told; with several editors, all are.
    """
    with transaction.atomic():
        event_id = ChangeNotice.objects.filter(id=notice_id).values_list("event_id", flat=True).first()
        if event_id is None:
            return 0
        event = Event.objects.select_for_update().select_related("guild").filter(id=event_id).first()
        if event is None:  # deleted meanwhile, and its notices with it
            return 0
        claimed = ChangeNotice.objects.filter(id=notice_id, sent_at__isnull=True, due_at__lte=now).update(sent_at=now)
        if not claimed or event.status == Event.Status.CANCELLED:
            return 0
        notice = ChangeNotice.objects.get(id=notice_id)
        editors = set(notice.editor_ids) if len(notice.editor_ids) == 1 else set()
        return messages.event_changed(event, notice.id, notice.before, exclude=editors)


def send_due(*, now: datetime, batch: int = 100) -> int:
    """Send every notice whose window has ended (the beat tick's backstop); returns DMs queued."""
    due = ChangeNotice.objects.filter(sent_at__isnull=True, due_at__lte=now).values_list("id", flat=True)[:batch]
    return sum(send(notice_id, now=now) for notice_id in list(due))
