"""An event's rides and rooms: the board, and what the admin lets an organiser change.

The board is ``carpool.logistics.board`` (the counts are ``report``'s, as in Discord's
``/event logistics`` and the CSV). Each action calls the carpool service exactly as the
admin's ride page does (``change_ride`` after ``check_ride_change``, ``cancel_ride`` as the
driver would, ``assign`` locked as *Put a member in this car*), so capacity, matching and
the DMs are the same; a ``RuleError`` becomes an error message on the page, never a 500.
The ride an action names is read through the organiser's guilds and the event of the
URL: another guild's ride id is 404, like its event id. So are rooms and seats.

The admin's other logistics pages, here too: the nudge (``set_nudge`` as ``/event
logistics nudge:2d``; removing it, as the admin deletes it, leaves the default), rooms
(``rooms.change_room``, the rule of what the admin's room page edits; ``cancel_room`` as
the host would; a bed freed with ``leave_room``) and a passenger's seat (freed with
``leave_ride`` after unlocking it, or locked, as the admin's seat inline does).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone

from carpool import logistics, rooms, services
from carpool.admin import logistics_csv as admin_logistics_csv
from carpool.models import DEFAULT_NUDGE, Nudge, Ride, Room, Seat
from core import organiser_log
from core.errors import RuleError
from core.models import Member
from core.timeparse import parse_offsets
from events.discord.messages import offset_text
from events.models import Event

from .nav import render_guild
from .scoping import in_organised_guilds, organised_guild_or_404

LEGS = (("to", "To the event"), ("back", "Back"))


def _event(request, guild_id: int, event_id: int):
    guild = organised_guild_or_404(request, guild_id)
    events = in_organised_guilds(request, Event.objects.filter(guild=guild).select_related("guild"))
    return guild, get_object_or_404(events, pk=event_id)


def _posted_int(request, name: str, refusal: str) -> int:
    try:
        return int(request.POST.get(name, ""))
    except ValueError:
        raise RuleError(refusal) from None


def _ride(request, event: Event) -> Ride:
    """The open ride the form names (``ride``): 404 for a ride of another event or guild."""
    ride_id = _posted_int(request, "ride", "Pick a ride.")
    rides = in_organised_guilds(request, Ride.objects.filter(event=event)).select_related("event", "driver")
    ride = get_object_or_404(rides, pk=ride_id)
    if ride.status != Ride.Status.OPEN:
        raise RuleError("This ride was cancelled.")
    return ride


def _room(request, event: Event) -> Room:
    """The open room the form names (``room``): 404 for a room of another event or guild."""
    room_id = _posted_int(request, "room", "Pick a room.")
    open_rooms = in_organised_guilds(request, Room.objects.filter(event=event)).select_related("host")
    room = get_object_or_404(open_rooms, pk=room_id)
    if room.status != Room.Status.OPEN:
        raise RuleError("This room was cancelled.")
    return room


def _seat(request, event: Event) -> Seat:
    """The seat the form names (``seat``): 404 for a seat of another event or guild, or one freed."""
    seat_id = _posted_int(request, "seat", "Pick a passenger.")
    seats = in_organised_guilds(request, Seat.objects.filter(event=event)).select_related("member", "ride")
    return get_object_or_404(seats, pk=seat_id)


def _must_be_open(event: Event) -> None:
    # What the services' locked_event refuses, for the changes that have no service of their own.
    if event.status != Event.Status.SCHEDULED or timezone.now() >= event.starts_at:
        raise RuleError("This event has started or was cancelled: its logistics can no longer change.")


def _nights(room: Room) -> str:
    if room.first_night == room.last_night:
        return f"{room.first_night:%Y-%m-%d}"
    return f"{room.first_night:%Y-%m-%d}..{room.last_night:%Y-%m-%d}"


def _room_forms(board) -> list[tuple[Room, str]]:
    """Each open room once (the board lists them per night), with its nights as typed."""
    seen = {}
    for night in board.nights:
        for room, _sleepers in night.rooms:
            seen.setdefault(room.id, room)
    return [(room, _nights(room)) for room in seen.values()]


def _back(event: Event):
    return redirect("dashboard:event_logistics", guild_id=event.guild_id, event_id=event.id)


def _name(member: Member) -> str:
    return member.display_name or member.username


@login_required
def logistics_page(request, guild_id: int, event_id: int):
    """Rides by leg with passengers, who waits and who lacks a ride or bed, rooms by night."""
    guild, event = _event(request, guild_id, event_id)
    context = {"event": event, "needed": event.needs_rides or event.needs_rooms}
    if context["needed"]:
        board = logistics.board(event)
        nudge = Nudge.objects.filter(event=event).first()
        context.update(
            nudge=nudge,
            nudge_offset=offset_text(nudge.offset if nudge else DEFAULT_NUDGE),
            board=board,
            legs=[
                (leg, label, board.legs.get(leg, []), board.without_seat(leg), board.report.free_seats.get(leg, 0))
                for leg, label in LEGS
            ],
            no_bed=[(night, [board.members[m] for m in ids]) for night, ids in board.report.no_bed.items()],
            open=event.status == Event.Status.SCHEDULED and event.starts_at > timezone.now(),
            room_forms=_room_forms(board),
        )
    return render_guild(request, guild, "events", "dashboard/event/logistics.html", context)


@login_required
def logistics_csv(request, guild_id: int, event_id: int):
    """The admin's logistics CSV: rides and passengers, requests, rooms and sleepers, who lacks what."""
    _guild, event = _event(request, guild_id, event_id)
    return admin_logistics_csv(event)


@login_required
def ride_assign(request, guild_id: int, event_id: int):
    """*Put a member in this car*: moved from any other car on the leg and locked here."""
    guild, event = _event(request, guild_id, event_id)
    if request.method != "POST":  # after the scoping: another guild's URL is 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    try:
        ride = _ride(request, event)
        member_id = _posted_int(request, "member", "Pick a member to put in the car.")
        member = Member.objects.filter(id=member_id).first()
        if member is None:
            raise RuleError("That member is not going to this event.")
        already = Seat.objects.filter(ride=ride, member=member).exists()  # a form sent twice
        services.assign(ride.id, member.id, guild_id=guild.id, now=timezone.now(), lock=True)
    except RuleError as error:
        messages.error(request, error.message)
    else:
        if already:
            messages.info(request, f"{_name(member)} was already in ride {ride.id}.")
        else:
            organiser_log.record(request, guild.id, "assigned seat", ride, f"{_name(member)} in the car")
            messages.success(request, f"{_name(member)} is in ride {ride.id} now; both are told by DM.")
    return _back(event)


@login_required
def ride_change(request, guild_id: int, event_id: int):
    """A ride's seats or notes, never below the seats taken; more seats go to waiting requests."""
    guild, event = _event(request, guild_id, event_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    now = timezone.now()
    try:
        ride = _ride(request, event)
        seats = _posted_int(request, "seats", "Type the number of seats.")
        notes = request.POST.get("notes", "")
        if seats == ride.seats and notes.strip() == ride.notes:
            raise RuleError("Nothing to change: give other seats or notes.")
        services.check_ride_change(ride, seats=seats, notes=notes, now=now)
        changed = services.change_ride(ride.id, seats=seats, notes=notes, now=now)
    except RuleError as error:
        messages.error(request, error.message)
    else:
        detail = f"seats {ride.seats} → {changed.seats}" + (", notes" if changed.notes != ride.notes else "")
        organiser_log.record(request, guild.id, "changed ride", changed, detail)
        messages.success(request, f"Ride {ride.id}: {changed.seats} seats.")
    return _back(event)


@login_required
def ride_cancel(request, guild_id: int, event_id: int):
    """Cancel a ride as its driver would (both legs of a pair): passengers are told and matched again."""
    guild, event = _event(request, guild_id, event_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        ride = _ride(request, event)
        cancelled = services.cancel_ride(ride.id, ride.driver_id, guild_id=guild.id, now=timezone.now())
    except RuleError as error:
        messages.error(request, error.message)
    else:
        legs = " and ".join(f"ride {leg.id} ({leg.direction})" for leg in cancelled)
        organiser_log.record(request, guild.id, "cancelled ride", ride, f"driven by {_name(ride.driver)}: {legs}")
        messages.success(request, f"Cancelled {legs}; passengers will be told by DM.")
    return _back(event)


@login_required
def nudge_set(request, guild_id: int, event_id: int):
    """When members without a ride get their one DM, typed as in ``/event logistics nudge:2d``."""
    guild, event = _event(request, guild_id, event_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        _must_be_open(event)
        offsets = parse_offsets(request.POST.get("offset", ""))
        if len(offsets) != 1:
            raise RuleError("Give one time for the nudge, like 2d or 36h.")
        before = Nudge.objects.filter(event=event).first()
        if before is not None and before.sent_at is not None:
            raise RuleError(f"The nudge went on {before.sent_at:%Y-%m-%d %H:%M} UTC: members are nudged once.")
        nudge = logistics.set_nudge(event, offsets[0])
    except RuleError as error:
        messages.error(request, error.message)
    else:
        if before is not None and before.offset == nudge.offset:  # a form sent twice
            messages.info(request, f"The nudge was already {offset_text(nudge.offset)} before the start.")
        else:
            organiser_log.record(request, guild.id, "set nudge", event, f"{offset_text(nudge.offset)} before the start")
            messages.success(
                request, f"Members without a ride get one DM {offset_text(nudge.offset)} before the start."
            )
    return _back(event)


@login_required
def nudge_remove(request, guild_id: int, event_id: int):
    """Remove the nudge as the admin deletes it: the next tick gives the event the default one."""
    guild, event = _event(request, guild_id, event_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        _must_be_open(event)
        deleted, _ = Nudge.objects.filter(event=event, sent_at__isnull=True).delete()
        if not deleted:
            raise RuleError("There is no nudge to remove: it was sent, or is the default already.")
    except RuleError as error:
        messages.error(request, error.message)
    else:
        default = offset_text(DEFAULT_NUDGE)
        organiser_log.record(request, guild.id, "removed nudge", event, f"back to {default}")
        messages.success(request, f"Removed the nudge: members without a ride get one DM {default} before the start.")
    return _back(event)


@login_required
def room_change(request, guild_id: int, event_id: int):
    """A room's place, beds, nights or notes, never turning out a sleeper (``rooms.change_room``)."""
    guild, event = _event(request, guild_id, event_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        room = _room(request, event)
        beds = _posted_int(request, "beds", "Type the number of beds.")
        place, nights, notes = (request.POST.get(name, "") for name in ("place", "nights", "notes"))
        changed = rooms.change_room(room.id, place=place, beds=beds, nights=nights, notes=notes, now=timezone.now())
    except RuleError as error:
        messages.error(request, error.message)
    else:
        detail = [
            label
            for label, old, new in (
                ("place", room.place, changed.place),
                (f"beds {room.beds} → {changed.beds}", room.beds, changed.beds),
                (f"nights {_nights(changed)}", _nights(room), _nights(changed)),
                ("notes", room.notes, changed.notes),
            )
            if old != new
        ]
        if not detail:  # a form sent twice, or saved unchanged
            messages.info(request, f"Room {room.id} was already so.")
        else:
            organiser_log.record(request, guild.id, "changed room", changed, ", ".join(detail))
            messages.success(request, f"Room {room.id}: {changed.beds} beds, nights {_nights(changed)}.")
    return _back(event)


@login_required
def room_cancel(request, guild_id: int, event_id: int):
    """Cancel a room as its host would: each sleeper is told by DM."""
    guild, event = _event(request, guild_id, event_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        room = _room(request, event)
        rooms.cancel_room(room.id, room.host_id, guild_id=guild.id, now=timezone.now())
    except RuleError as error:
        messages.error(request, error.message)
    else:
        organiser_log.record(request, guild.id, "cancelled room", room, f"hosted by {_name(room.host)}")
        messages.success(request, f"Cancelled room {room.id}; its sleepers will be told by DM.")
    return _back(event)


@login_required
def bed_free(request, guild_id: int, event_id: int):
    """Free a sleeper's bed in a room, every night of it (``rooms.leave_room``)."""
    guild, event = _event(request, guild_id, event_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        room = _room(request, event)
        member_id = _posted_int(request, "member", "Pick a sleeper.")
        member = Member.objects.filter(id=member_id).first()
        if member is None:
            raise RuleError(f"That member has no bed in room {room.id}.")
        nights = rooms.leave_room(room.id, member.id, guild_id=guild.id, now=timezone.now())
    except RuleError as error:
        messages.error(request, error.message)
    else:
        organiser_log.record(request, guild.id, "freed bed", room, f"{_name(member)}, {nights} night(s)")
        messages.success(request, f"Freed {_name(member)}'s bed in room {room.id} ({nights} night(s)).")
    return _back(event)


@login_required
def seat_free(request, guild_id: int, event_id: int):
    """Free a passenger's seat as the admin's seat inline does: unlocked, then ``leave_ride``
    (the driver is told, the next request takes it); both or neither."""
    guild, event = _event(request, guild_id, event_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        seat = _seat(request, event)
        with transaction.atomic():
            Seat.objects.filter(id=seat.id).update(locked=False)
            services.leave_ride(seat.ride_id, seat.member_id, guild_id=guild.id, now=timezone.now())
    except RuleError as error:
        messages.error(request, error.message)
    else:
        organiser_log.record(request, guild.id, "freed seat", seat.ride, f"{_name(seat.member)} out of the car")
        name = _name(seat.member)
        messages.success(request, f"Freed {name}'s seat in ride {seat.ride_id}; the driver is told by DM.")
    return _back(event)


@login_required
def seat_lock(request, guild_id: int, event_id: int):
    """Lock a passenger in their car (only an organiser moves them) or unlock them, as the
    admin's seat inline does."""
    guild, event = _event(request, guild_id, event_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        seat = _seat(request, event)
        _must_be_open(event)
        locked = request.POST.get("locked") == "1"
        changed = Seat.objects.filter(id=seat.id, locked=not locked).update(locked=locked)
    except RuleError as error:
        messages.error(request, error.message)
    else:
        state = "locked in" if locked else "unlocked in"
        if not changed:  # a form sent twice
            messages.info(request, f"{_name(seat.member)} was already {state} ride {seat.ride_id}.")
        else:
            action = "locked seat" if locked else "unlocked seat"
            organiser_log.record(request, guild.id, action, seat.ride, _name(seat.member))
            messages.success(request, f"{_name(seat.member)} is {state} ride {seat.ride_id}.")
    return _back(event)
