"""What carpool offers to views over several domains (core.datasets): rides and rooms.

One row per ride leg (its passengers named) and one per room (its sleepers named, with
their nights). A ride or room that was cancelled, or whose event was, is marked so.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from carpool.models import BedClaim, Ride, Room, Seat
from core.datasets import DATETIME, INTEGER, Column, Dataset, Row, Selection, member_names, register

EVENT_CANCELLED = "cancelled"  # events' Event.Status.CANCELLED, read through the ORM only


def _status(own: str, event_status: str) -> str:
    return "cancelled" if own == "cancelled" or event_status == EVENT_CANCELLED else ""


def _digest(*querysets) -> str:
    """A digest of the fields the rows show: rides and rooms carry no update time to compare."""
    digest = hashlib.blake2b(digest_size=16)
    for queryset in querysets:
        for row in queryset.iterator(chunk_size=2000):
            digest.update(repr(row).encode())
        digest.update(b"/")
    return digest.hexdigest()


def ride_rows(selection: Selection) -> Iterator[Row]:
    rides = Ride.objects.filter(event__in=selection.events()).select_related("event")
    rides = list(rides.order_by("event__starts_at", "event_id", "departs_at", "id"))
    seats = Seat.objects.filter(ride__in=[ride.id for ride in rides]).order_by("id")
    seats = list(seats.values_list("ride_id", "member_id", "places"))
    names = member_names(selection.guild.id, also={r.driver_id for r in rides} | {s[1] for s in seats})
    passengers: dict[int, list[str]] = {}
    taken: dict[int, int] = {}
    for ride_id, member_id, places in seats:
        passengers.setdefault(ride_id, []).append(names.get(member_id, str(member_id)))
        taken[ride_id] = taken.get(ride_id, 0) + places
    for ride in rides:
        values = {
            "Ride ID": ride.id,
            "Event ID": ride.event_id,
            "Event": ride.event.title,
            "Driver": names.get(ride.driver_id, str(ride.driver_id)),
            "Direction": ride.get_direction_display(),
            "From": ride.area,
            "Leaves": ride.departs_at,
            "Seats": ride.seats,
            "Taken": taken.get(ride.id, 0),
            "Passengers": ", ".join(passengers.get(ride.id, [])),
            "Notes": ride.notes,
        }
        yield Row(f"ride-{ride.id}", values, status=_status(ride.status, ride.event.status))


def ride_fingerprint(selection: Selection) -> str:
    rides = Ride.objects.filter(event__in=selection.events()).order_by("id")
    shown = ("id", "event__title", "event__status", "driver_id", "direction", "area", "departs_at", "seats", "notes")
    seats = Seat.objects.filter(ride__in=rides.values("id")).order_by("id").values_list("id", "ride_id", "places")
    return _digest(rides.values_list(*shown, "status"), seats)


def _nights(nights: list) -> str:
    """Nights as ISO dates, which sort and read in every locale: 2026-06-05..2026-06-07."""
    nights = sorted(nights)
    return nights[0].isoformat() if len(nights) == 1 else f"{nights[0].isoformat()}..{nights[-1].isoformat()}"


def room_rows(selection: Selection) -> Iterator[Row]:
    rooms = Room.objects.filter(event__in=selection.events()).select_related("event")
    rooms = list(rooms.order_by("event__starts_at", "event_id", "first_night", "id"))
    claims = BedClaim.objects.filter(room__in=[room.id for room in rooms]).order_by("id")
    claims = list(claims.values_list("room_id", "member_id", "night"))
    names = member_names(selection.guild.id, also={r.host_id for r in rooms} | {c[1] for c in claims})
    sleepers: dict[int, dict[int, list]] = {}
    for room_id, member_id, night in claims:
        sleepers.setdefault(room_id, {}).setdefault(member_id, []).append(night)
    for room in rooms:
        who = sleepers.get(room.id, {})
        values = {
            "Room ID": room.id,
            "Event ID": room.event_id,
            "Event": room.event.title,
            "Host": names.get(room.host_id, str(room.host_id)),
            "Place": room.place,
            "Beds": room.beds,
            "Nights": _nights(room.nights()),
            "Sleepers": ", ".join(f"{names.get(m, str(m))} ({_nights(n)})" for m, n in who.items()),
            "Notes": room.notes,
        }
        yield Row(f"room-{room.id}", values, status=_status(room.status, room.event.status))


def room_fingerprint(selection: Selection) -> str:
    rooms = Room.objects.filter(event__in=selection.events()).order_by("id")
    shown = ("id", "event__title", "event__status", "host_id", "place", "beds", "first_night", "last_night", "notes")
    claims = BedClaim.objects.filter(room__in=rooms.values("id")).order_by("id")
    return _digest(rooms.values_list(*shown, "status"), claims.values_list("id", "room_id", "member_id", "night"))


register(
    Dataset(
        name="rides",
        title="Rides",
        columns=(
            Column("Ride ID", INTEGER),
            Column("Event ID", INTEGER),
            Column("Event"),
            Column("Driver"),
            Column("Direction"),
            Column("From"),
            Column("Leaves", DATETIME),
            Column("Seats", INTEGER),
            Column("Taken", INTEGER),
            Column("Passengers"),
            Column("Notes"),
        ),
        rows=ride_rows,
        fingerprint=ride_fingerprint,
    )
)

register(
    Dataset(
        name="rooms",
        title="Rooms",
        columns=(
            Column("Room ID", INTEGER),
            Column("Event ID", INTEGER),
            Column("Event"),
            Column("Host"),
            Column("Place"),
            Column("Beds", INTEGER),
            Column("Nights"),
            Column("Sleepers"),
            Column("Notes"),
        ),
        rows=room_rows,
        fingerprint=room_fingerprint,
    )
)
