"""Direct messages about events, written to the outbox in the caller's transaction.

Each message has an idempotency key naming exactly one visible effect, so a retried
task or a second beat tick can never DM a member twice about the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from core import outbox
from events.models import Event, Registration, Reminder
from events.render import event_link, timestamp

Status = Registration.Status
REGISTERED = (Status.GOING, Status.MAYBE, Status.WAITLISTED)


def _send(member_id: int, key: str, content: str) -> None:
    outbox.enqueue(key=key, member_id=member_id, payload={"content": content, "allowed_mentions": {"parse": []}})


def post_key(event: Event) -> str:
    return f"event-post:{event.id}"


def post_event(event: Event, message: dict) -> None:
    """Post the event to its channel once; the delivered message id is read back by the renderer."""
    if event.channel_id is not None:
        outbox.enqueue(key=post_key(event), channel_id=event.channel_id, payload=message, guild_id=event.guild_id)


def promoted(event: Event, registration: Registration) -> None:
    _send(
        registration.member_id,
        f"event-promoted:{event.id}:{registration.member_id}:{registration.sequence}",
        f"A place opened up: you are now **going** to {event_link(event)} "
        f"({timestamp(event.starts_at, 'F')}). Click Can't go if you can no longer make it.",
    )


def event_changed(event: Event, *, now: datetime, exclude: Iterable[int] = ()) -> None:
    skip = set(exclude)
    for member_id in _registrants(event):
        if member_id not in skip:
            _send(
                member_id,
                f"event-edited:{event.id}:{int(event.updated_at.timestamp() * 1000)}:{member_id}",
                f"{event_link(event)} was updated: it now starts {timestamp(event.starts_at, 'F')}"
                + (f" at {event.location}" if event.location else "")
                + ".",
            )


def event_cancelled(event: Event, *, now: datetime) -> None:
    for member_id in _registrants(event):
        _send(
            member_id,
            f"event-cancelled:{event.id}:{member_id}",
            f"{event_link(event)} ({timestamp(event.starts_at, 'F')}) has been **cancelled**.",
        )


def reminder(reminder: Reminder) -> int:
    """DM everyone going who accepts reminders; returns how many were queued."""
    event = reminder.event
    member_ids = event.registrations.filter(status=Status.GOING, member__dm_reminders=True).values_list(
        "member_id", flat=True
    )
    start_key = int(event.starts_at.timestamp())
    count = 0
    for member_id in member_ids:
        _send(
            member_id,
            f"event-reminder:{reminder.id}:{start_key}:{member_id}",
            f"Reminder: {event_link(event)} starts {timestamp(event.starts_at, 'R')} "
            f"({timestamp(event.starts_at, 'F')})" + (f" at {event.location}" if event.location else "") + ".",
        )
        count += 1
    return count


def _registrants(event: Event) -> list[int]:
    return list(event.registrations.filter(status__in=REGISTERED).values_list("member_id", flat=True))
