"""The rules of rooms: offering beds for some nights, claiming a bed per night, cascades.

Like rides, every change locks the event's row and then the room's, so no room has more
sleepers than beds on any night whatever the number of simultaneous claims. A night is
the date of its evening, in the guild's time zone.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count

from carpool.discord import messages
from carpool.models import BEDS_MAX, NOTES_MAX, PLACE_MAX, BedClaim, Room
from carpool.services import GOING, event_model, locked_event, must_be_going
from core import hooks
from core.errors import RuleError

_DATE = r"\d{4}-\d{2}-\d{2}"
_RANGE = re.compile(rf"(?P<first>{_DATE})(?:\s*(?:\.\.|to|-)\s*(?P<last>{_DATE}))?")


@dataclass(frozen=True)
class RoomOffer:
    beds: int
    place: str
    nights: str = ""  # "2026-06-14" or "2026-06-14..2026-06-15"; empty: the event's nights
    notes: str = ""


def event_nights(event) -> list[date]:
    """The nights of an event, in its guild's zone: from its first evening to the one before
    its last day (an event within one day has one night, its own)."""
    zone = ZoneInfo(event.guild.timezone or "UTC")
    first = event.starts_at.astimezone(zone).date()
    last = (event.ends_at or event.starts_at).astimezone(zone).date() - timedelta(days=1)
    last = max(last, first)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def allowed_nights(event) -> tuple[date, date]:
    """A room may offer from the night before the event to its last night."""
    nights = event_nights(event)
    return nights[0] - timedelta(days=1), nights[-1]


def read_nights(text: str | None, event) -> tuple[date, date]:
    """A typed night or range of nights, inside what the event allows; empty: the event's nights."""
    if not text or not text.strip():
        nights = event_nights(event)
        return nights[0], nights[-1]
    match = _RANGE.fullmatch(text.strip())
    if match is None:
        raise RuleError("Type nights as a date, 2026-06-14, or a range, 2026-06-14..2026-06-15.")
    try:
        first = date.fromisoformat(match["first"])
        last = date.fromisoformat(match["last"] or match["first"])
    except ValueError:
        raise RuleError("That night is not a date in the calendar; check the day and month.") from None
    if last < first:
        raise RuleError("The last night must come after the first.")
    low, high = allowed_nights(event)
    if first < low or last > high:
        raise RuleError(f"Pick nights from {low:%Y-%m-%d} to {high:%Y-%m-%d}, the event's nights.")
    return first, last


def _changed(event) -> None:
    hooks.event_post_stale.call(event_id=event.id)


@transaction.atomic
def offer_room(event_id: int, host_id: int, offer: RoomOffer, *, guild_id: int | None, now: datetime) -> Room:
    if not 1 <= offer.beds <= BEDS_MAX:
        raise RuleError(f"Offer 1 to {BEDS_MAX} beds (not counting yourself).")
    place = offer.place.strip()
    if not place or len(place) > PLACE_MAX:
        raise RuleError(f"Say where in 1 to {PLACE_MAX} characters (a flat, a hotel room, a tent).")
    if len(offer.notes) > NOTES_MAX:
        raise RuleError(f"The notes can be at most {NOTES_MAX} characters; these have {len(offer.notes)}.")
    event = locked_event(event_id, guild_id=guild_id, now=now)
    must_be_going(event, host_id)
    first, last = read_nights(offer.nights, event)
    room = Room.objects.create(
        event=event,
        host_id=host_id,
        place=place,
        beds=offer.beds,
        first_night=first,
        last_night=last,
        notes=offer.notes.strip(),
        created_at=now,
    )
    _changed(event)
    return room


def _locked_room(room_id: int, *, guild_id: int | None, now: datetime) -> tuple:
    room = Room.objects.filter(id=room_id).select_related("event").first()
    if room is None or (guild_id is not None and room.event.guild_id != guild_id):
        raise RuleError("There is no such room in this server.")
    event = locked_event(room.event_id, guild_id=None, now=now)
    room = Room.objects.select_for_update().get(id=room_id)
    if room.status != Room.Status.OPEN:
        raise RuleError("This room was cancelled.")
    return event, room


def sleepers(room_ids) -> dict[tuple[int, date], int]:
    rows = BedClaim.objects.filter(room_id__in=list(room_ids)).values("room_id", "night").annotate(n=Count("id"))
    return {(row["room_id"], row["night"]): row["n"] for row in rows.order_by()}


@transaction.atomic
def claim_bed(room_id: int, member_id: int, *, nights: str | None, guild_id: int | None, now: datetime) -> list[date]:
    """Claim a bed in a room for some of its nights (default: all of them), all or nothing."""
    event, room = _locked_room(room_id, guild_id=guild_id, now=now)
    if room.host_id == member_id:
        raise RuleError("This is your own room: you sleep there already.")
    must_be_going(event, member_id)
    if nights and nights.strip():
        first, last = read_nights(nights, event)
        wanted = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        missing = [night for night in wanted if not room.first_night <= night <= room.last_night]
        if missing:
            raise RuleError(
                f"Room {room.id} is offered from {room.first_night:%Y-%m-%d} to {room.last_night:%Y-%m-%d}; "
                f"it has no bed on {missing[0]:%Y-%m-%d}."
            )
    else:
        wanted = room.nights()
    elsewhere = BedClaim.objects.filter(event=event, member_id=member_id, night__in=wanted).first()
    if elsewhere is not None:
        where = "here" if elsewhere.room_id == room.id else f"in room {elsewhere.room_id}"
        raise RuleError(f"You already have a bed {where} on {elsewhere.night:%Y-%m-%d}: leave it first.")
    counts = sleepers([room.id])
    full = [night for night in wanted if counts.get((room.id, night), 0) >= room.beds]
    if full:
        raise RuleError(f"Room {room.id} is full on {full[0]:%Y-%m-%d}: pick other nights or another room.")
    BedClaim.objects.bulk_create(
        BedClaim(room=room, member_id=member_id, event=event, night=night, created_at=now) for night in wanted
    )
    _changed(event)
    return wanted


@transaction.atomic
def leave_room(room_id: int, member_id: int, *, guild_id: int | None, now: datetime) -> int:
    event, room = _locked_room(room_id, guild_id=guild_id, now=now)
    deleted, _ = BedClaim.objects.filter(room=room, member_id=member_id).delete()
    if not deleted:
        raise RuleError(f"You have no bed in room {room.id}.")
    _changed(event)
    return deleted


@transaction.atomic
def cancel_room(room_id: int, host_id: int, *, guild_id: int | None, now: datetime) -> Room:
    event, room = _locked_room(room_id, guild_id=guild_id, now=now)
    if room.host_id != host_id:
        raise RuleError("Only its host can cancel this room.")
    _close(room, event, "its host cancelled it")
    _changed(event)
    return room


def _close(room: Room, event, reason: str | None) -> None:
    """Cancel a room: each sleeper is told once (unless ``reason`` is None)."""
    Room.objects.filter(id=room.id).update(status=Room.Status.CANCELLED)
    claims = BedClaim.objects.filter(room=room).order_by("member_id", "night")
    if reason is not None:
        first = {}
        for claim in claims:
            first.setdefault(claim.member_id, claim.id)
        for member_id, claim_id in first.items():
            messages.bed_freed(claim_id, member_id, room, event, reason)
    claims.delete()


def close_all(event) -> None:
    for room in Room.objects.filter(event=event, status=Room.Status.OPEN):
        _close(room, event, None)


def involved(event) -> set[int]:
    rooms = Room.objects.filter(event=event, status=Room.Status.OPEN)
    hosts = set(rooms.values_list("host_id", flat=True))
    return hosts | set(BedClaim.objects.filter(room__in=rooms).values_list("member_id", flat=True))


def on_registration_status(event_id: int, member_id: int, old, new) -> None:
    """A sleeper who stops going frees their beds; a host who does cancels the room."""
    if old != GOING or new == GOING:
        return
    event = event_model().objects.select_for_update().get(id=event_id)
    for room in Room.objects.filter(event=event, host_id=member_id, status=Room.Status.OPEN):
        _close(room, event, "its host is no longer going")
    BedClaim.objects.filter(event=event, member_id=member_id).delete()
    _changed(event)


def board(event_id: int, *, guild_id: int | None) -> tuple:
    """(event, [(room, {night: free beds})]) of the event's open rooms."""
    event = event_model().objects.filter(id=event_id).select_related("guild").first()
    if event is None or (guild_id is not None and event.guild_id != guild_id):
        raise RuleError("There is no such event in this server.")
    rooms = list(Room.objects.filter(event=event, status=Room.Status.OPEN))
    counts = sleepers(room.id for room in rooms)
    return event, [(room, {n: room.beds - counts.get((room.id, n), 0) for n in room.nights()}) for room in rooms]


def totals(event_id: int) -> tuple[int, int]:
    """(bed-nights taken, bed-nights offered) over the event's open rooms."""
    rooms = list(Room.objects.filter(event_id=event_id, status=Room.Status.OPEN))
    offered = sum(room.beds * len(room.nights()) for room in rooms)
    taken = BedClaim.objects.filter(room__in=rooms).count()
    return taken, offered


def beds_by_night(event) -> Counter:
    return Counter(BedClaim.objects.filter(event=event, room__status=Room.Status.OPEN).values_list("night", flat=True))


def check_room_change(room: Room, event, *, place: str, beds: int, nights: str | None, notes: str) -> tuple[date, date]:
    """Refuse what ``offer_room`` refuses, and beds or nights that would turn out a sleeper;
    returns the nights (first, last). The admin's room page edits the row; this is its rule."""
    if not 1 <= beds <= BEDS_MAX:
        raise RuleError(f"Offer 1 to {BEDS_MAX} beds (not counting the host).")
    place = place.strip()
    if not place or len(place) > PLACE_MAX:
        raise RuleError(f"Say where in 1 to {PLACE_MAX} characters (a flat, a hotel room, a tent).")
    if len(notes) > NOTES_MAX:
        raise RuleError(f"The notes can be at most {NOTES_MAX} characters; these have {len(notes)}.")
    first, last = read_nights(nights, event)
    claims = BedClaim.objects.filter(room=room)
    outside = claims.exclude(night__range=(first, last)).order_by("night").first()
    if outside is not None:
        raise RuleError(f"Someone sleeps in room {room.id} on {outside.night:%Y-%m-%d}: free their bed first.")
    fullest = max((n for (_room, _night), n in sleepers([room.id]).items()), default=0)
    if beds < fullest:
        raise RuleError(f"{fullest} sleep in room {room.id} on one night; free a bed before offering fewer.")
    return first, last


@transaction.atomic
def change_room(room_id: int, *, place: str, beds: int, nights: str | None, notes: str, now: datetime) -> Room:
    """Change a room's place, beds, nights or notes (an organiser); never turns out a sleeper."""
    event, room = _locked_room(room_id, guild_id=None, now=now)
    first, last = check_room_change(room, event, place=place, beds=beds, nights=nights, notes=notes)
    Room.objects.filter(id=room.id).update(
        place=place.strip(), beds=beds, first_night=first, last_night=last, notes=notes.strip()
    )
    _changed(event)
    room.refresh_from_db()
    return room
