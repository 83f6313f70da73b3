"""An event's rides and rooms: the board, and what the admin lets an organiser change.

The board is ``carpool.logistics.board`` (the counts are ``report``'s, as in Discord's
``/event logistics`` and the CSV). Each action calls the carpool service exactly as the
admin's ride page does (``change_ride`` after ``check_ride_change``, ``cancel_ride`` as the
driver would, ``assign`` locked as *Put a member in this car*), so capacity, matching and
the DMs are the same; a ``RuleError`` becomes an error message on the page, never a 500.
The ride an action names is read through the organiser's guilds and the event of the
URL: another guild's ride id is 404, like its event id.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone

from carpool import logistics, services
from carpool.admin import logistics_csv as admin_logistics_csv
from carpool.models import Ride, Seat
from core import organiser_log
from core.errors import RuleError
from core.models import Member
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
        context.update(
            board=board,
            legs=[
                (leg, label, board.legs.get(leg, []), board.without_seat(leg), board.report.free_seats.get(leg, 0))
                for leg, label in LEGS
            ],
            no_bed=[(night, [board.members[m] for m in ids]) for night, ids in board.report.no_bed.items()],
            open=event.status == Event.Status.SCHEDULED and event.starts_at > timezone.now(),
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
