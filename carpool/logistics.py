"""The cross-check: who is going without a ride or a bed; the nudge; the event post's extras.

Only for events an organiser marked as needing rides and/or rooms (``needs_rides``,
``needs_rooms`` on the event). The nudge is one row per event (``Nudge``), due at the
start minus its offset (48 hours unless the organiser picks another), claimed once by the
beat tick with a compare-and-set; each member's DM has its own outbox key, so nobody is
nudged twice whatever runs again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Prefetch

from carpool import rooms, services
from carpool.discord import messages
from carpool.models import DEFAULT_NUDGE, BedClaim, Nudge, Ride, RideRequest, Room, Seat, SortedSelf
from core import hooks, nudging
from core.errors import RuleError
from core.models import Member

GOING = services.GOING


@dataclass
class Report:
    """What ``/event logistics`` shows and the CSV holds."""

    going: list[int] = field(default_factory=list)
    no_ride: dict[str, list[int]] = field(default_factory=dict)  # leg -> member ids
    no_bed: dict[date, list[int]] = field(default_factory=dict)  # night -> member ids
    free_seats: dict[str, int] = field(default_factory=dict)
    free_beds: dict[date, int] = field(default_factory=dict)
    unmatched: list[RideRequest] = field(default_factory=list)


def report(event) -> Report:
    """Who is going and has no ride to / from (nor said they are sorted), who has no bed on
    which night, free seats per leg and beds per night, and unmatched requests."""
    going = list(
        event.registrations.filter(status=GOING).order_by("sequence", "id").values_list("member_id", flat=True)
    )
    result = Report(going=going)
    if event.needs_rides:
        rides = list(Ride.objects.filter(event=event, status=Ride.Status.OPEN))
        taken = services._taken(ride.id for ride in rides)
        sorted_ = set(SortedSelf.objects.filter(event=event).values_list("member_id", flat=True))
        for leg in ("to", "back"):
            covered = {ride.driver_id for ride in rides if ride.direction == leg}
            covered |= set(Seat.objects.filter(event=event, direction=leg).values_list("member_id", flat=True))
            result.no_ride[leg] = [m for m in going if m not in covered and m not in sorted_]
            result.free_seats[leg] = sum(r.seats - taken.get(r.id, 0) for r in rides if r.direction == leg)
        result.unmatched = list(RideRequest.objects.filter(event=event, status=RideRequest.Status.OPEN))
    if event.needs_rooms:
        open_rooms = list(Room.objects.filter(event=event, status=Room.Status.OPEN))
        claims = {}
        for member_id, night in BedClaim.objects.filter(event=event).values_list("member_id", "night"):
            claims.setdefault(night, set()).add(member_id)
        counts = rooms.sleepers(room.id for room in open_rooms)
        for night in rooms.event_nights(event):
            hosts = {room.host_id for room in open_rooms if room.first_night <= night <= room.last_night}
            has_bed = claims.get(night, set()) | hosts
            result.no_bed[night] = [m for m in going if m not in has_bed]
            result.free_beds[night] = sum(
                room.beds - counts.get((room.id, night), 0)
                for room in open_rooms
                if room.first_night <= night <= room.last_night
            )
    return result


@dataclass(frozen=True)
class Missing:
    """How many going members still lack a ride per leg, and a bed per night (``report``'s counts)."""

    no_ride: dict[str, int] = field(default_factory=dict)
    no_bed: dict[date, int] = field(default_factory=dict)


def missing(events) -> dict[int, Missing]:
    """``report``'s counts of who lacks a ride or a bed, for many events in six queries.

    The dashboard's overview shows them for every upcoming event at once; the rules are
    ``report``'s (a test holds the two to the same answers). Give events with their guild
    (``select_related("guild")``): the nights are counted in its zone.
    """
    events = [event for event in events if event.needs_rides or event.needs_rooms]
    ids = [event.id for event in events]
    going: dict[int, set[int]] = {}
    registration = services.event_model()._meta.get_field("registrations").related_model
    registrations = registration.objects.filter(event_id__in=ids, status=GOING)
    for event_id, member_id in registrations.values_list("event_id", "member_id"):
        going.setdefault(event_id, set()).add(member_id)
    covered: dict[tuple[int, str], set[int]] = {}
    for event_id, leg, member_id in Ride.objects.filter(event_id__in=ids, status=Ride.Status.OPEN).values_list(
        "event_id", "direction", "driver_id"
    ):
        covered.setdefault((event_id, leg), set()).add(member_id)
    for event_id, leg, member_id in Seat.objects.filter(event_id__in=ids).values_list(
        "event_id", "direction", "member_id"
    ):
        covered.setdefault((event_id, leg), set()).add(member_id)
    sorted_: dict[int, set[int]] = {}
    for event_id, member_id in SortedSelf.objects.filter(event_id__in=ids).values_list("event_id", "member_id"):
        sorted_.setdefault(event_id, set()).add(member_id)
    hosts = list(
        Room.objects.filter(event_id__in=ids, status=Room.Status.OPEN).values_list(
            "event_id", "host_id", "first_night", "last_night"
        )
    )
    beds: dict[tuple[int, date], set[int]] = {}
    for event_id, member_id, night in BedClaim.objects.filter(event_id__in=ids).values_list(
        "event_id", "member_id", "night"
    ):
        beds.setdefault((event_id, night), set()).add(member_id)
    result = {}
    for event in events:
        members = going.get(event.id, set())
        no_ride, no_bed = {}, {}
        if event.needs_rides:
            for leg in ("to", "back"):
                no_ride[leg] = len(members - covered.get((event.id, leg), set()) - sorted_.get(event.id, set()))
        if event.needs_rooms:
            for night in rooms.event_nights(event):
                hosting = {h for e, h, first, last in hosts if e == event.id and first <= night <= last}
                no_bed[night] = len(members - beds.get((event.id, night), set()) - hosting)
        result[event.id] = Missing(no_ride=no_ride, no_bed=no_bed)
    return result


def for_organiser(event_id: int, *, guild_id: int | None):
    event = services.event_model().objects.filter(id=event_id).select_related("guild").first()
    if event is None or (guild_id is not None and event.guild_id != guild_id):
        raise RuleError("There is no such event in this server.")
    if not (event.needs_rides or event.needs_rooms):
        raise RuleError("This event needs neither rides nor rooms: turn them on with /event edit needs_rides:True.")
    return event, report(event)


# The organisers' board (the dashboard's Logistics page).


@dataclass(frozen=True)
class Night:
    """One night of the event: each open room hosting it, with who sleeps there that night."""

    night: date
    rooms: list[tuple[Room, list[Member]]]


@dataclass
class Board:
    """Everything an organiser sees of one event's logistics, read in a constant number of
    queries however many rides, seats and beds: the rides of each leg (``passengers`` and
    ``taken_seats`` filled in), unmatched requests, who said "I'll get there myself", rooms by
    night, ``report``'s counts, and ``members`` by id for the names of who lacks what."""

    report: Report
    legs: dict[str, list[Ride]] = field(default_factory=dict)
    unmatched: list[RideRequest] = field(default_factory=list)
    sorted_self: list[Member] = field(default_factory=list)
    nights: list[Night] = field(default_factory=list)
    members: dict[int, Member] = field(default_factory=dict)

    def without_seat(self, leg: str) -> list[Member]:
        """Going members with no seat or car of their own on ``leg`` (``report``'s rule), by name."""
        found = [self.members[m] for m in self.report.no_ride.get(leg, []) if m in self.members]
        return sorted(found, key=lambda member: (member.display_name or member.username).lower())


def board(event) -> Board:
    """The board of ``event`` (given with its guild selected: nights are in its zone)."""
    result = Board(report=report(event))
    going = Member.objects.filter(registrations__event=event, registrations__status=GOING)
    result.members = {member.id: member for member in going}  # a join, not a list of ids: one query
    if event.needs_rides:
        rides = (
            Ride.objects.filter(event=event, status=Ride.Status.OPEN)
            .select_related("driver")
            .prefetch_related(Prefetch("passengers", queryset=Seat.objects.select_related("member")))
            .order_by("departs_at", "id")
        )
        result.legs = {"to": [], "back": []}
        for ride in rides:
            ride.taken_seats = sum(seat.places for seat in ride.passengers.all())
            result.legs[ride.direction].append(ride)
        result.unmatched = list(
            RideRequest.objects.filter(event=event, status=RideRequest.Status.OPEN)
            .select_related("member")
            .order_by("-direction", "sequence", "id")  # "to" first
        )
        result.sorted_self = [
            row.member for row in SortedSelf.objects.filter(event=event).select_related("member").order_by("id")
        ]
    if event.needs_rooms:
        open_rooms = list(
            Room.objects.filter(event=event, status=Room.Status.OPEN)
            .select_related("host")
            .prefetch_related(Prefetch("claims", queryset=BedClaim.objects.select_related("member")))
        )
        for night in rooms.event_nights(event):
            hosting = [room for room in open_rooms if room.first_night <= night <= room.last_night]
            result.nights.append(
                Night(night, [(room, [c.member for c in room.claims.all() if c.night == night]) for room in hosting])
            )
    return result


# The nudge.


def set_nudge(event, offset: timedelta = DEFAULT_NUDGE) -> Nudge:
    """When members without a ride are nudged (default 48 hours before the start)."""
    if offset <= timedelta(0):
        raise RuleError("The nudge goes before the start: its offset must be positive.")
    nudge, _ = Nudge.objects.update_or_create(
        event=event, defaults={"offset": offset, "due_at": event.starts_at - offset}
    )
    return nudge


def follow_start(event) -> None:
    """A moved event moves its unsent nudge."""
    for nudge in Nudge.objects.filter(event=event, sent_at__isnull=True):
        Nudge.objects.filter(id=nudge.id).update(due_at=event.starts_at - nudge.offset)


HELD_KIND = "ride_nudge"


def register_held_kind() -> None:
    """What a member away missed, for their summary (called by ``CarpoolConfig.ready``)."""
    nudging.register_held_kind(HELD_KIND, "you had no ride yet to an event", "you had no ride yet to {n} events")


def nudged_members(event) -> list[int]:
    """Going members with neither a ride (driving or a seat, either leg) nor "I'll get there myself"."""
    report_ = Report(going=list(event.registrations.filter(status=GOING).values_list("member_id", flat=True)))
    covered = set(SortedSelf.objects.filter(event=event).values_list("member_id", flat=True))
    covered |= set(Ride.objects.filter(event=event, status=Ride.Status.OPEN).values_list("driver_id", flat=True))
    covered |= set(Seat.objects.filter(event=event).values_list("member_id", flat=True))
    return sorted(m for m in report_.going if m not in covered)


def ensure_nudges(*, now: datetime, batch: int = 500) -> int:
    """Give each upcoming event that needs rides its nudge (48 hours before, unless set)."""
    events = services.event_model().objects.filter(
        needs_rides=True, status="scheduled", starts_at__gt=now, ride_nudge__isnull=True
    )
    rows = [Nudge(event=event, due_at=event.starts_at - DEFAULT_NUDGE) for event in events.order_by("id")[:batch]]
    Nudge.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def send_due_nudges(*, now: datetime, batch: int = 50) -> int:
    """Claim each due nudge once and DM each member it concerns whom ``core.nudging`` allows; returns DMs queued.

    Events that no longer need rides, were cancelled or have started are claimed and skipped.
    """
    ensure_nudges(now=now)
    due = Nudge.objects.filter(sent_at__isnull=True, due_at__lte=now).values_list("id", flat=True)[:batch]
    queued = 0
    for nudge_id in list(due):
        with transaction.atomic():
            if not Nudge.objects.filter(id=nudge_id, sent_at__isnull=True).update(sent_at=now):
                continue
            event = Nudge.objects.select_related("event").get(id=nudge_id).event
            if not event.needs_rides or event.status == services.CANCELLED or now >= event.starts_at:
                continue
            waiting = nudged_members(event)
            allowed = nudging.nudgeable_members(event.guild_id, waiting, at=now)
            for member_id in sorted(allowed):
                messages.nudge(event, member_id)
                queued += 1
            # Those away (leave, a public holiday) find it in their "While you were away" summary.
            line = messages.nudge_held_line(event)
            held = [m for m in waiting if m not in allowed]
            nudging.hold_many(
                [nudging.Held(event.guild_id, m, HELD_KIND, f"ride-nudge:{event.id}", line) for m in held], at=now
            )
    return queued


# The event post's extras (subscribed to core.hooks.event_post_extras).


def post_extras(event_id: int, now) -> hooks.PostExtras | None:
    event = services.event_model().objects.filter(id=event_id).first()
    if event is None or not (event.needs_rides or event.needs_rooms):
        return None
    footer = []
    if event.needs_rides:
        footer.append(messages.rides_footer(*services.totals(event_id)))
    if event.needs_rooms:
        footer.append(messages.rooms_footer(*rooms.totals(event_id)))
    buttons = []
    if event.status != services.CANCELLED and now < event.starts_at:
        buttons = messages.post_buttons(event, rides=event.needs_rides, rooms=event.needs_rooms)
    return hooks.PostExtras(buttons=buttons, footer=footer)
