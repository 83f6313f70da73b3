"""The rules of rides: offering, asking, joining, leaving, cancelling, matching, cascades.

Every change takes the event's row lock first, then the rides' (``select_for_update``),
so seats on an event's rides are decided one change at a time: no ride ever has more
passengers than seats, whatever the number of simultaneous clicks, and two changes never
wait on each other's rides in opposite orders. Matching runs inside the change that may
make a match possible (a ride or request created, a seat freed), for that leg only; there
is no tick that rescans. DMs go to the outbox in the same transaction
(``carpool.discord.messages``). A request the rules refuse raises ``RuleError``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Sum

from carpool.discord import messages
from carpool.models import AREA_MAX, NOTES_MAX, SEATS_MAX, Area, Ride, RideRequest, Seat, SortedSelf
from core import hooks
from core.errors import RuleError
from core.models import Member

# What carpool reads of an event through the ORM (it never imports events).
GOING, CANCELLED = "going", "cancelled"
WINDOW = timedelta(hours=24)  # departures within the event's day(s) plus or minus this
LEGS = {"to": ("to",), "back": ("back",), "both": ("to", "back")}


def event_model():
    """``events.Event``, reached through the lazy foreign key (no import of events)."""
    return Ride._meta.get_field("event").related_model


@dataclass(frozen=True)
class Offer:
    """What a driver offers: ``direction`` is to, back or both (two linked legs)."""

    seats: int
    area: str
    departs_at: datetime
    direction: str = "to"
    returns_at: datetime | None = None  # the back leg of "both" (default: the event's end)
    notes: str = ""


@dataclass(frozen=True)
class Need:
    """What a member asks for: a seat (``party`` seats) from an area on one or both legs."""

    area: str
    direction: str = "to"
    earliest: datetime | None = None
    latest: datetime | None = None
    party: int = 1


# Reading and checking.


def locked_event(event_id: int, *, guild_id: int | None, now: datetime):
    """The event's row, locked; refused when it is not this guild's, cancelled or started."""
    event = event_model().objects.select_for_update().filter(id=event_id).first()
    if event is None or (guild_id is not None and event.guild_id != guild_id):
        raise RuleError("There is no such event in this server.")
    if event.status == CANCELLED:
        raise RuleError("This event is cancelled.")
    if now >= event.starts_at:
        raise RuleError("This event has already started.")
    return event


def must_be_going(event, member_id: int) -> None:
    if not event.registrations.filter(member_id=member_id, status=GOING).exists():
        raise RuleError("Click Going on the event first: rides and rooms are for members who are going.")


def clean_area(guild_id: int, text: str | None) -> str:
    """The area as the guild names it; any text up to 50 characters when the guild keeps no list."""
    typed = (text or "").strip()
    names = list(Area.objects.filter(guild_id=guild_id).values_list("name", flat=True))
    if names:
        for known in names:
            if known.casefold() == typed.casefold():
                return known
        raise RuleError(f"Pick one of this server's areas: {', '.join(names)}.")
    if not typed:
        raise RuleError("Say where you leave from: an area, never an address.")
    if len(typed) > AREA_MAX:
        raise RuleError(f"The area can be at most {AREA_MAX} characters; this one has {len(typed)}.")
    return typed


def check_time(event, moment: datetime, what: str) -> None:
    """Refuse a time outside the event's day(s) plus or minus 24 hours."""
    first, last = event.starts_at - WINDOW, (event.ends_at or event.starts_at) + WINDOW
    if not first <= moment <= last:
        raise RuleError(f"The {what} must be within 24 hours of the event; pick a time closer to it.")


def _leg_of(direction: str) -> tuple[str, ...]:
    if direction not in LEGS:
        raise RuleError("The direction is to, back or both.")
    return LEGS[direction]


def _locked_rides(event, direction: str, *, area: str | None = None) -> list[Ride]:
    """The open rides of one leg (from one area), locked in id order (the one order every change takes)."""
    rides = Ride.objects.select_for_update().filter(event=event, direction=direction, status=Ride.Status.OPEN)
    if area is not None:
        rides = rides.filter(area__iexact=area)
    return list(rides.order_by("id"))


def _taken(ride_ids) -> dict[int, int]:
    rows = Seat.objects.filter(ride_id__in=list(ride_ids)).values("ride_id").annotate(n=Sum("places")).order_by()
    return {row["ride_id"]: row["n"] for row in rows}


def _changed(event) -> None:
    hooks.event_post_stale.call(event_id=event.id)


# Areas.


def add_area(guild_id: int, name: str) -> Area:
    name = name.strip()
    if not name or len(name) > AREA_MAX:
        raise RuleError(f"An area's name has 1 to {AREA_MAX} characters.")
    if Area.objects.filter(guild_id=guild_id, name__iexact=name).exists():
        raise RuleError(f"{name} is already an area.")
    try:
        with transaction.atomic():
            return Area.objects.create(guild_id=guild_id, name=name)
    except IntegrityError:
        raise RuleError(f"{name} is already an area.") from None


def remove_area(guild_id: int, name: str) -> None:
    deleted, _ = Area.objects.filter(guild_id=guild_id, name__iexact=name.strip()).delete()
    if not deleted:
        raise RuleError(f"There is no area called {name.strip()}.")


# Rides.


@transaction.atomic
def offer_ride(event_id: int, driver_id: int, offer: Offer, *, guild_id: int | None, now: datetime) -> list[Ride]:
    """Offer seats on one leg, or on both as two linked rides; waiting requests are matched at once."""
    legs = _leg_of(offer.direction)
    if not 1 <= offer.seats <= SEATS_MAX:
        raise RuleError(f"Offer 1 to {SEATS_MAX} seats (not counting yourself).")
    if len(offer.notes) > NOTES_MAX:
        raise RuleError(f"The notes can be at most {NOTES_MAX} characters; these have {len(offer.notes)}.")
    event = locked_event(event_id, guild_id=guild_id, now=now)
    must_be_going(event, driver_id)
    area = clean_area(event.guild_id, offer.area)
    times = {legs[0]: offer.departs_at}
    if offer.direction == "both":
        back = offer.returns_at or event.ends_at
        if back is None:
            raise RuleError("A ride both ways needs the time you drive back (returns).")
        times["back"] = back
    for moment in times.values():
        if moment <= now:
            raise RuleError("The departure time is in the past.")
        check_time(event, moment, "departure")
    if offer.direction == "both" and times["back"] <= times["to"]:
        raise RuleError("The drive back must leave after the drive there.")
    for leg in legs:
        if Ride.objects.filter(event=event, driver_id=driver_id, direction=leg, status=Ride.Status.OPEN).exists():
            raise RuleError(f"You already offer a ride {messages.DIRECTIONS[leg]}: cancel it first to offer another.")
        if Seat.objects.filter(event=event, direction=leg, member_id=driver_id).exists():
            raise RuleError(f"You have a seat in another car {messages.DIRECTIONS[leg]}: leave it first to drive.")
    rides = [
        Ride.objects.create(
            event=event,
            driver_id=driver_id,
            direction=leg,
            seats=offer.seats,
            area=area,
            departs_at=times[leg],
            notes=offer.notes.strip(),
            created_at=now,
        )
        for leg in legs
    ]
    if len(rides) == 2:
        rides[0].pair, rides[1].pair = rides[1], rides[0]
        rides[0].save(update_fields=["pair"])
        rides[1].save(update_fields=["pair"])
    # A driver no longer needs a seat on the legs they drive.
    RideRequest.objects.filter(
        event=event, member_id=driver_id, direction__in=legs, status=RideRequest.Status.OPEN
    ).update(status=RideRequest.Status.WITHDRAWN)
    for leg in legs:
        match(event, leg, area=area)
    _changed(event)
    return rides


@transaction.atomic
def need_ride(
    event_id: int, member_id: int, need: Need, *, guild_id: int | None, sequence: int, now: datetime
) -> list[RideRequest]:
    """Ask for a seat on one leg or both; matched at once when a car fits, else when one does."""
    legs = _leg_of(need.direction)
    if not 1 <= need.party <= SEATS_MAX:
        raise RuleError(f"A party is 1 to {SEATS_MAX} people, you included.")
    event = locked_event(event_id, guild_id=guild_id, now=now)
    must_be_going(event, member_id)
    area = clean_area(event.guild_id, need.area)
    for moment, what in ((need.earliest, "earliest time"), (need.latest, "latest time")):
        if moment is not None:
            check_time(event, moment, what)
    if need.earliest and need.latest and need.latest < need.earliest:
        raise RuleError("The latest time must come after the earliest.")
    requests = []
    for leg in legs:
        if Ride.objects.filter(event=event, driver_id=member_id, direction=leg, status=Ride.Status.OPEN).exists():
            raise RuleError(f"You drive {messages.DIRECTIONS[leg]} yourself: no seat needed.")
        existing = RideRequest.objects.filter(event=event, member_id=member_id, direction=leg).exclude(
            status=RideRequest.Status.WITHDRAWN
        )
        if existing.filter(status=RideRequest.Status.SEATED).exists():
            raise RuleError(f"You already have a seat {messages.DIRECTIONS[leg]}: leave it first to ask again.")
        existing.delete()  # asking again replaces an open request
        requests.append(
            RideRequest.objects.create(
                event=event,
                member_id=member_id,
                direction=leg,
                area=area,
                earliest=need.earliest,
                latest=need.latest,
                party=need.party,
                sequence=sequence,
                created_at=now,
            )
        )
    SortedSelf.objects.filter(event=event, member_id=member_id).delete()
    for leg in legs:
        match(event, leg, area=area)
    _changed(event)
    for request in requests:
        request.refresh_from_db()
    return requests


def _locked_ride(ride_id: int, *, guild_id: int | None, now: datetime) -> tuple:
    ride = Ride.objects.filter(id=ride_id).select_related("event").first()
    if ride is None or (guild_id is not None and ride.event.guild_id != guild_id):
        raise RuleError("There is no such ride in this server.")
    event = locked_event(ride.event_id, guild_id=None, now=now)
    _locked_rides(event, ride.direction)
    ride.refresh_from_db()
    if ride.status != Ride.Status.OPEN:
        raise RuleError("This ride was cancelled.")
    return event, ride


@transaction.atomic
def join_ride(ride_id: int, member_id: int, *, guild_id: int | None, sequence: int, now: datetime) -> Seat:
    """Take a seat in a car (the member's party, if they asked for one on this leg)."""
    event, ride = _locked_ride(ride_id, guild_id=guild_id, now=now)
    if ride.driver_id == member_id:
        raise RuleError("This is your own ride: passengers join it, you drive it.")
    must_be_going(event, member_id)
    current = Seat.objects.filter(event=event, direction=ride.direction, member_id=member_id).first()
    if current is not None:
        if current.ride_id == ride.id:
            raise RuleError(f"You already have a seat in ride {ride.id}.")
        leg = messages.DIRECTIONS[ride.direction]
        raise RuleError(f"You already have a seat in ride {current.ride_id} {leg}: leave it first.")
    if Ride.objects.filter(
        event=event, driver_id=member_id, direction=ride.direction, status=Ride.Status.OPEN
    ).exists():
        raise RuleError(f"You drive {messages.DIRECTIONS[ride.direction]} yourself: no seat needed.")
    request = (
        RideRequest.objects.filter(event=event, member_id=member_id, direction=ride.direction)
        .exclude(status=RideRequest.Status.WITHDRAWN)
        .first()
    )
    places = request.party if request else 1
    free = ride.seats - _taken([ride.id]).get(ride.id, 0)
    if free < places:
        raise RuleError("This car is full: pick another ride, or `/ride need` to be matched when one has room.")
    if request is None:
        request = RideRequest.objects.create(
            event=event,
            member_id=member_id,
            direction=ride.direction,
            area=ride.area,
            sequence=sequence,
            created_at=now,
        )
    seat = _seat(ride, request, now=now)
    messages.seated(seat, ride, event, _members([ride.driver_id, member_id]))
    SortedSelf.objects.filter(event=event, member_id=member_id).delete()
    _changed(event)
    return seat


def _seat(ride: Ride, request: RideRequest, *, now: datetime, locked: bool = False) -> Seat:
    RideRequest.objects.filter(id=request.id).update(status=RideRequest.Status.SEATED)
    return Seat.objects.create(
        ride=ride,
        request=request,
        member_id=request.member_id,
        event_id=ride.event_id,
        direction=ride.direction,
        places=request.party,
        locked=locked,
        created_at=now,
    )


def _members(ids) -> dict[int, Member]:
    return Member.objects.in_bulk(list(set(ids)))


@transaction.atomic
def leave_ride(ride_id: int, member_id: int, *, guild_id: int | None, now: datetime) -> Ride:
    """Give up a seat; the driver is told and the next matching request takes it."""
    event, ride = _locked_ride(ride_id, guild_id=guild_id, now=now)
    seat = Seat.objects.filter(ride=ride, member_id=member_id).first()
    if seat is None:
        raise RuleError(f"You have no seat in ride {ride.id}.")
    if seat.locked:
        raise RuleError("An organiser placed you in this car: ask them to move you.")
    _drop_seat(seat, ride, event)
    match(event, ride.direction)
    _changed(event)
    return ride


def _drop_seat(seat: Seat, ride: Ride, event) -> None:
    messages.passenger_left(seat, ride, event)
    RideRequest.objects.filter(id=seat.request_id).update(status=RideRequest.Status.WITHDRAWN)
    seat.delete()


@transaction.atomic
def cancel_ride(ride_id: int, driver_id: int, *, guild_id: int | None, now: datetime) -> list[Ride]:
    """A driver cancels their ride (both legs of a pair); passengers are told and matched again."""
    event, ride = _locked_ride(ride_id, guild_id=guild_id, now=now)
    if ride.driver_id != driver_id:
        raise RuleError("Only its driver can cancel this ride.")
    rides = [ride]
    if ride.pair_id:
        pair = Ride.objects.filter(id=ride.pair_id, status=Ride.Status.OPEN).first()
        if pair is not None:
            _locked_rides(event, pair.direction)
            rides.append(pair)
    for leg_ride in rides:
        _cancel(leg_ride, event, "its driver cancelled it")
    _changed(event)
    return rides


def _cancel(ride: Ride, event, reason: str, *, rematch: bool = True) -> None:
    """Cancel one leg: each passenger is told and goes back to matching (unless the event is off)."""
    Ride.objects.filter(id=ride.id).update(status=Ride.Status.CANCELLED)
    ride.status = Ride.Status.CANCELLED
    seats = list(Seat.objects.filter(ride=ride))
    for seat in seats:
        if rematch:
            messages.seat_freed(seat, ride, event, reason)
    RideRequest.objects.filter(id__in=[seat.request_id for seat in seats]).update(
        status=RideRequest.Status.OPEN if rematch else RideRequest.Status.WITHDRAWN
    )
    Seat.objects.filter(id__in=[seat.id for seat in seats]).delete()
    if rematch:
        match(event, ride.direction)


def check_ride_change(ride: Ride, *, seats: int, notes: str, now: datetime) -> None:
    """Refuse seats out of range or below those taken, notes too long, a past or cancelled event."""
    if ride.event.status == CANCELLED or now >= ride.event.starts_at:
        raise RuleError("Its event has started or was cancelled: the ride can no longer change.")
    if not 1 <= seats <= SEATS_MAX:
        raise RuleError(f"Offer 1 to {SEATS_MAX} seats (not counting yourself).")
    if len(notes) > NOTES_MAX:
        raise RuleError(f"The notes can be at most {NOTES_MAX} characters; these have {len(notes)}.")
    taken = _taken([ride.id]).get(ride.id, 0)
    if seats < taken:
        raise RuleError(f"{taken} seats are taken; free some before offering fewer.")


@transaction.atomic
def change_ride(ride_id: int, *, seats: int, notes: str, now: datetime) -> Ride:
    """Change a ride's seats or notes (the admin); never below the seats taken. More seats
    go to waiting requests at once."""
    event, ride = _locked_ride(ride_id, guild_id=None, now=now)
    check_ride_change(ride, seats=seats, notes=notes, now=now)
    Ride.objects.filter(id=ride.id).update(seats=seats, notes=notes.strip())
    if seats > ride.seats:
        match(event, ride.direction, area=ride.area)
    _changed(event)
    ride.refresh_from_db()
    return ride


@transaction.atomic
def assign(ride_id: int, member_id: int, *, guild_id: int | None, now: datetime, lock: bool = True) -> Seat:
    """An organiser puts a member in a car (moving them from another on that leg); capacity holds."""
    event, ride = _locked_ride(ride_id, guild_id=guild_id, now=now)
    if ride.driver_id == member_id:
        raise RuleError("That member drives this car.")
    must_be_going_as_member(event, member_id)
    current = Seat.objects.filter(event=event, direction=ride.direction, member_id=member_id).first()
    if current is not None and current.ride_id == ride.id:
        Seat.objects.filter(id=current.id).update(locked=lock)
        current.locked = lock
        return current
    request = (
        RideRequest.objects.filter(event=event, member_id=member_id, direction=ride.direction)
        .exclude(status=RideRequest.Status.WITHDRAWN)
        .first()
    )
    places = request.party if request else 1
    if ride.seats - _taken([ride.id]).get(ride.id, 0) < places:
        raise RuleError(f"Ride {ride.id} is full: free a seat first.")
    if current is not None:
        old = Ride.objects.get(id=current.ride_id)
        _drop_seat(current, old, event)
        request = None
    if request is None:
        request = RideRequest.objects.create(
            event=event, member_id=member_id, direction=ride.direction, area=ride.area, sequence=0, created_at=now
        )
    seat = _seat(ride, request, now=now, locked=lock)
    messages.seated(seat, ride, event, _members([ride.driver_id, member_id]))
    if current is not None:
        match(event, ride.direction)
    _changed(event)
    return seat


def must_be_going_as_member(event, member_id: int) -> None:
    if not event.registrations.filter(member_id=member_id, status=GOING).exists():
        raise RuleError("That member is not going to this event.")


@transaction.atomic
def sorted_self(event_id: int, member_id: int, *, guild_id: int | None, now: datetime) -> None:
    """ "I'll get there myself": open requests are withdrawn, and no nudge comes."""
    event = locked_event(event_id, guild_id=guild_id, now=now)
    RideRequest.objects.filter(event=event, member_id=member_id, status=RideRequest.Status.OPEN).update(
        status=RideRequest.Status.WITHDRAWN
    )
    SortedSelf.objects.get_or_create(event=event, member_id=member_id, defaults={"created_at": now})
    _changed(event)


def match(event, direction: str, *, area: str | None = None) -> list[Seat]:
    """Seat waiting requests of one leg, earliest request first; call with the event locked.

    A request fits a ride leaving from the same area (whatever the case), inside the
    request's window, with room for its whole party, not driven by the member. Among the
    rides that fit, the earliest departure (then the lowest id) wins, so the outcome
    depends only on the data. ``area``: only that area's rides and requests can have
    changed (a ride or request was added there), so only they are read. A fixed number of
    queries whatever the numbers of rides and requests, plus the DMs of each seat given.
    The event's row lock (taken by every change) keeps requests from changing meanwhile.
    """
    rides = _locked_rides(event, direction, area=area)
    if not rides:
        return []
    requests = RideRequest.objects.filter(event=event, direction=direction, status=RideRequest.Status.OPEN)
    if area is not None:
        requests = requests.filter(area__iexact=area)
    requests = list(requests.order_by("sequence", "id"))
    if not requests:
        return []
    taken = defaultdict(int, _taken(ride.id for ride in rides))
    by_area: dict[str, list[Ride]] = defaultdict(list)
    for ride in sorted(rides, key=lambda r: (r.departs_at, r.id)):
        by_area[ride.area.casefold()].append(ride)
    drivers = {ride.driver_id for ride in rides}
    seated = set(Seat.objects.filter(event=event, direction=direction).values_list("member_id", flat=True))
    pairs: list[tuple[RideRequest, Ride]] = []
    for request in requests:
        if request.member_id in drivers or request.member_id in seated:
            continue
        for ride in by_area.get(request.area.casefold(), ()):
            if request.earliest and ride.departs_at < request.earliest:
                continue
            if request.latest and ride.departs_at > request.latest:
                continue
            if ride.seats - taken[ride.id] >= request.party:
                taken[ride.id] += request.party
                seated.add(request.member_id)
                pairs.append((request, ride))
                break
    if not pairs:
        return []
    seats = Seat.objects.bulk_create(
        Seat(
            ride=ride,
            request=request,
            member_id=request.member_id,
            event_id=event.id,
            direction=direction,
            places=request.party,
        )
        for request, ride in pairs
    )
    RideRequest.objects.filter(id__in=[request.id for request, _ in pairs]).update(status=RideRequest.Status.SEATED)
    members = _members([m for request, ride in pairs for m in (request.member_id, ride.driver_id)])
    for seat, (_, ride) in zip(seats, pairs, strict=True):
        messages.seated(seat, ride, event, members)
    return seats


# Cascades (subscribed to core.hooks in CarpoolConfig.ready).


def on_registration_status(event_id: int, member_id: int, old, new) -> None:
    """A member who stops going loses their seats (the next request takes them) and their
    requests; a driver who stops going cancels their rides (passengers go back to matching)."""
    if old != GOING or new == GOING:
        return
    event = event_model().objects.select_for_update().get(id=event_id)
    touched = set()
    for ride in Ride.objects.filter(event=event, driver_id=member_id, status=Ride.Status.OPEN):
        _locked_rides(event, ride.direction)
        _cancel(ride, event, "its driver is no longer going")
        touched.add(ride.direction)
    for seat in Seat.objects.filter(event=event, member_id=member_id).select_related("ride"):
        _locked_rides(event, seat.direction)
        _drop_seat(seat, seat.ride, event)
        touched.add(seat.direction)
    RideRequest.objects.filter(event=event, member_id=member_id, status=RideRequest.Status.OPEN).update(
        status=RideRequest.Status.WITHDRAWN
    )
    SortedSelf.objects.filter(event=event, member_id=member_id).delete()
    for direction in sorted(touched):
        match(event, direction)
    _changed(event)


def involved(event) -> set[int]:
    """Everyone driving or riding in an open ride of the event."""
    rides = Ride.objects.filter(event=event, status=Ride.Status.OPEN)
    drivers = set(rides.values_list("driver_id", flat=True))
    return drivers | set(Seat.objects.filter(ride__in=rides).values_list("member_id", flat=True))


def on_event_cancelled(event_id: int) -> None:
    """Every driver and passenger is told once (with the room hosts and sleepers); rides close."""
    from carpool import rooms

    event = event_model().objects.get(id=event_id)
    for member_id in sorted(involved(event) | rooms.involved(event)):
        messages.event_cancelled(event, member_id)
    for ride in Ride.objects.filter(event=event, status=Ride.Status.OPEN):
        _cancel(ride, event, "the event is cancelled", rematch=False)
    RideRequest.objects.filter(event=event, status=RideRequest.Status.OPEN).update(status=RideRequest.Status.WITHDRAWN)
    rooms.close_all(event)


def on_event_moved(event_id: int, old_start: datetime, new_start: datetime) -> None:
    """Every driver and passenger (and host and sleeper) is told the new start once."""
    from carpool import logistics, rooms

    event = event_model().objects.get(id=event_id)
    for member_id in sorted(involved(event) | rooms.involved(event)):
        messages.event_moved(event, member_id)
    logistics.follow_start(event)


# Reading.


def board(event_id: int, *, guild_id: int | None) -> tuple:
    """(event, [(ride, taken)] open rides by departure, open requests) for the private list."""
    event = event_model().objects.filter(id=event_id).first()
    if event is None or (guild_id is not None and event.guild_id != guild_id):
        raise RuleError("There is no such event in this server.")
    rides = list(Ride.objects.filter(event=event, status=Ride.Status.OPEN).order_by("direction", "departs_at", "id"))
    taken = _taken(ride.id for ride in rides)
    requests = list(RideRequest.objects.filter(event=event, status=RideRequest.Status.OPEN).order_by("sequence", "id"))
    return event, [(ride, taken.get(ride.id, 0)) for ride in rides], requests


def totals(event_id: int) -> tuple[int, int, int]:
    """(seats taken, seats offered, members still needing a ride) over the event's open rides."""
    rides = Ride.objects.filter(event_id=event_id, status=Ride.Status.OPEN)
    total = rides.aggregate(n=Sum("seats"))["n"] or 0
    taken = Seat.objects.filter(ride__in=rides).aggregate(n=Sum("places"))["n"] or 0
    waiting = (
        RideRequest.objects.filter(event_id=event_id, status=RideRequest.Status.OPEN)
        .values("member_id")
        .distinct()
        .count()
    )
    return taken, total, waiting
