"""What events offer to views over several domains (core.datasets): events and registrations."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count

from core.datasets import (
    DATETIME,
    INTEGER,
    Column,
    Dataset,
    Row,
    Selection,
    aggregate_fingerprint,
    member_names,
    register,
)
from events.models import Event, Registration

Status = Registration.Status


def _counts(event_ids: list[int]) -> dict[tuple[int, str], int]:
    rows = (
        Registration.objects.filter(event_id__in=event_ids)
        .order_by()
        .values_list("event_id", "status")
        .annotate(n=Count("id"))
    )
    return {(event_id, status): n for event_id, status, n in rows}


def event_rows(selection: Selection) -> Iterator[Row]:
    events = list(selection.events().order_by("starts_at", "id"))
    counts = _counts([event.id for event in events])
    for event in events:
        cancelled = event.status == Event.Status.CANCELLED
        yield Row(
            f"event-{event.id}",
            {
                "Event ID": event.id,
                "Title": event.title,
                "Starts": event.starts_at,
                "Ends": event.ends_at,
                "Location": event.location,
                "Capacity": event.capacity,
                "Going": counts.get((event.id, Status.GOING), 0),
                "Waitlisted": counts.get((event.id, Status.WAITLISTED), 0),
                "Maybe": counts.get((event.id, Status.MAYBE), 0),
            },
            status="cancelled" if cancelled else "",
        )


def event_fingerprint(selection: Selection) -> str:
    events = selection.events()
    registrations = Registration.objects.filter(event__in=events)
    return aggregate_fingerprint(events, "updated_at") + "/" + aggregate_fingerprint(registrations, "responded_at")


def registration_rows(selection: Selection) -> Iterator[Row]:
    names = member_names(selection.guild.id)
    shown = dict(Status.choices)
    registrations = (
        Registration.objects.filter(event__in=selection.events())
        .order_by("event__starts_at", "event_id", "sequence", "id")
        .values_list(
            *("id", "event_id", "event__title", "event__status", "member_id"),
            *("member__username", "member__display_name", "status", "responded_at", "option__label"),
        )
    )
    # Plain tuples, not model instances: a large guild has 100,000 registrations.
    for row in registrations.iterator(chunk_size=5000):
        rid, event_id, title, event_status, member_id, username, display, status, responded, option = row
        yield Row(
            f"registration-{rid}",
            {
                "Event ID": event_id,
                "Event": title,
                "Member": names.get(member_id) or display or username,
                # A Discord id has 18-19 digits, past a spreadsheet number's 15: kept as text.
                "Discord ID": str(member_id),
                "Response": shown.get(status, status),
                "Responded": responded,
                "Option": option or "",
            },
            status="cancelled" if event_status == Event.Status.CANCELLED else "",
        )


# Names the columns' version: a spreadsheet exported before the Option column changes once.
REGISTRATION_COLUMNS_VERSION = "option"


def registration_fingerprint(selection: Selection) -> str:
    """Changes when a row would: a response (a new option is one: its click stamps
    ``responded_at``), the event, the member. An option's label never changes while
    members hold it (``events.signup.set_options``)."""
    registrations = Registration.objects.filter(event__in=selection.events())
    stamps = aggregate_fingerprint(registrations, "responded_at", "event__updated_at", "member__updated_at")
    return f"{REGISTRATION_COLUMNS_VERSION}/{stamps}"


register(
    Dataset(
        name="events",
        title="Events",
        columns=(
            Column("Event ID", INTEGER),
            Column("Title"),
            Column("Starts", DATETIME),
            Column("Ends", DATETIME),
            Column("Location"),
            Column("Capacity", INTEGER),
            Column("Going", INTEGER),
            Column("Waitlisted", INTEGER),
            Column("Maybe", INTEGER),
        ),
        rows=event_rows,
        fingerprint=event_fingerprint,
    )
)

register(
    Dataset(
        name="registrations",
        title="Registrations",
        columns=(
            Column("Event ID", INTEGER),
            Column("Event"),
            Column("Member"),
            Column("Discord ID"),
            Column("Response"),
            Column("Responded", DATETIME),
            Column("Option"),
        ),
        rows=registration_rows,
        fingerprint=registration_fingerprint,
    )
)
