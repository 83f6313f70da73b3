"""Worker-side handlers of /ride, /room, /event logistics and the ride and room buttons.

Each reads the interaction, calls one service and says what happened; the rules and their
refusals live in ``carpool.services`` (rides), ``carpool.rooms`` and ``carpool.logistics``.
Times are typed in the member's zone and read by ``core.timeparse``, like event times.
"""

from __future__ import annotations

from django.utils import timezone

from carpool import logistics, rooms, services
from carpool.discord import messages
from carpool.discord.messages import CLAIM, JOIN, OFFER_HINT, RIDES, ROOMS, SORTED
from carpool.models import Area, BedClaim, Ride, RideRequest, Room, Seat
from core.errors import RuleError
from core.interactions import Interaction, Reply, command, component
from core.markup import escape, timestamp
from core.permissions import organiser
from core.timeparse import day_first, describe, member_zone, parse_offsets, read_time


def _time(interaction: Interaction, name: str, field: str):
    zone = member_zone(interaction.actor.id, interaction.guild_id)
    text = interaction.options.get(name)
    return read_time(text, zone, now=timezone.now(), field=field, day_first=day_first(interaction.guild_id))


def _id(interaction: Interaction, name: str) -> int:
    return int(interaction.options[name])


# /ride


@command("ride offer")
def offer(interaction: Interaction) -> Reply:
    options = interaction.options
    leaves = _time(interaction, "leaves", "departure")
    offer = services.Offer(
        seats=int(options["seats"]),
        area=options.get("from") or "",
        departs_at=leaves,
        direction=options.get("direction") or "to",
        returns_at=_time(interaction, "returns", "return"),
        notes=options.get("notes") or "",
    )
    made = services.offer_ride(
        _id(interaction, "event"), interaction.actor.id, offer, guild_id=interaction.guild_id, now=timezone.now()
    )
    zone = member_zone(interaction.actor.id, interaction.guild_id)
    legs = "; ".join(
        f"ride {ride.id} {messages.DIRECTIONS[ride.direction]} leaves {timestamp(ride.departs_at, 'F')} "
        f"(read as {describe(ride.departs_at, zone)})"
        for ride in made
    )
    seated = Seat.objects.filter(ride__in=made).count()
    matched = f" {seated} waiting passenger{'s' if seated != 1 else ''} matched: check your DMs." if seated else ""
    return Reply(content=f"Offered {made[0].seats} seats from {escape(made[0].area)}: {legs}.{matched}")


@command("ride need")
def need(interaction: Interaction) -> Reply:
    options, now = interaction.options, timezone.now()
    event_id = _id(interaction, "event")
    if options.get("myself"):
        services.sorted_self(event_id, interaction.actor.id, guild_id=interaction.guild_id, now=now)
        return Reply(content="Noted: you get there yourself. No reminder about rides will come.")
    need = services.Need(
        area=options.get("from") or "",
        direction=options.get("direction") or "to",
        earliest=_time(interaction, "earliest", "earliest time"),
        latest=_time(interaction, "latest", "latest time"),
        party=int(options.get("party") or 1),
    )
    requests = services.need_ride(
        event_id, interaction.actor.id, need, guild_id=interaction.guild_id, sequence=interaction.id, now=now
    )
    lines = []
    for request in requests:
        leg = messages.DIRECTIONS[request.direction]
        if request.status == RideRequest.Status.SEATED:
            lines.append(f"You have a seat {leg} in ride {request.seat.ride_id}: the driver and you got a DM.")
        else:
            lines.append(f"No car fits {leg} yet: you get a DM as soon as one does.")
    return Reply(content=" ".join(lines))


@command("ride list")
def list_rides(interaction: Interaction) -> Reply:
    return Reply(**messages.board(*services.board(_id(interaction, "event"), guild_id=interaction.guild_id)))


@command("ride join")
def join(interaction: Interaction) -> Reply:
    return _join(interaction, _id(interaction, "ride"))


def _join(interaction: Interaction, ride_id: int) -> Reply:
    seat = services.join_ride(
        ride_id, interaction.actor.id, guild_id=interaction.guild_id, sequence=interaction.id, now=timezone.now()
    )
    ride = seat.ride
    also = ""
    if ride.pair_id:
        other = messages.DIRECTIONS["back" if ride.direction == "to" else "to"]
        also = f" This car also drives {other}: ride {ride.pair_id}."
    return Reply(
        content=f"You have a seat in ride {ride.id} {messages.DIRECTIONS[ride.direction]} with <@{ride.driver_id}>, "
        f"leaving {timestamp(ride.departs_at, 'F')} from {escape(ride.area)}.{also}"
    )


@command("ride leave")
def leave(interaction: Interaction) -> Reply:
    ride = services.leave_ride(
        _id(interaction, "ride"), interaction.actor.id, guild_id=interaction.guild_id, now=timezone.now()
    )
    return Reply(content=f"You left ride {ride.id}; the driver is told.")


@command("ride cancel")
def cancel(interaction: Interaction) -> Reply:
    cancelled = services.cancel_ride(
        _id(interaction, "ride"), interaction.actor.id, guild_id=interaction.guild_id, now=timezone.now()
    )
    ids = " and ".join(str(ride.id) for ride in cancelled)
    return Reply(content=f"Cancelled ride {ids}; passengers are told and matched with other cars.")


@command("ride assign", allowed=organiser)
def assign(interaction: Interaction) -> Reply:
    lock = interaction.options.get("lock")
    member_id = int(interaction.options["member"])
    seat = services.assign(
        _id(interaction, "ride"),
        member_id,
        guild_id=interaction.guild_id,
        now=timezone.now(),
        lock=True if lock is None else bool(lock),
    )
    locked = " (locked: only an organiser moves them)" if seat.locked else ""
    return Reply(content=f"<@{member_id}> has a seat in ride {seat.ride_id}{locked}; both are told by DM.")


@command("ride mine")
def mine(interaction: Interaction) -> Reply:
    me, guild_id, now = interaction.actor.id, interaction.guild_id, timezone.now()
    upcoming = {"event__guild_id": guild_id, "event__starts_at__gt": now}
    lines = []
    for ride in Ride.objects.filter(driver_id=me, status=Ride.Status.OPEN, **upcoming).select_related("event"):
        lines.append(f"You drive: {messages.ride_line(ride, ride.taken())} ({messages.title(ride.event)})")
    for seat in Seat.objects.filter(member_id=me, **upcoming).select_related("ride", "event"):
        ride = seat.ride
        lines.append(
            f"Seat in ride {ride.id} {messages.DIRECTIONS[ride.direction]} for {messages.title(seat.event)}, "
            f"driver <@{ride.driver_id}>, leaves {timestamp(ride.departs_at, 'F')}"
        )
    for request in RideRequest.objects.filter(member_id=me, status=RideRequest.Status.OPEN, **upcoming):
        lines.append(f"Waiting: {messages.request_line(request)} ({messages.title(request.event)})")
    return Reply(content="\n".join(lines)[:2000] or "You have no rides, seats or requests for upcoming events.")


@command("ride areas add", allowed=organiser)
def areas_add(interaction: Interaction) -> Reply:
    area = services.add_area(interaction.guild_id, interaction.options["name"])
    return Reply(content=f"Added the area {escape(area.name)}; rides now pick from this server's areas.")


@command("ride areas remove", allowed=organiser)
def areas_remove(interaction: Interaction) -> Reply:
    services.remove_area(interaction.guild_id, interaction.options["name"])
    return Reply(content=f"Removed the area {escape(interaction.options['name'].strip())}.")


@command("ride areas list")
def areas_list(interaction: Interaction) -> Reply:
    names = list(Area.objects.filter(guild_id=interaction.guild_id).values_list("name", flat=True))
    if not names:
        return Reply(content="This server keeps no areas: rides say where they leave from in a few words.")
    return Reply(content="Areas: " + ", ".join(escape(name) for name in names) + ".")


# Buttons (on the event post, in the lists, in the nudge DM).


@component(RIDES)
def rides_board(interaction: Interaction, event_id: int) -> Reply:
    return Reply(**messages.board(*services.board(event_id, guild_id=interaction.guild_id)))


@component(JOIN)
def join_button(interaction: Interaction, ride_id: int) -> Reply:
    return _join(interaction, ride_id)


@component(SORTED)
def sorted_button(interaction: Interaction, event_id: int) -> Reply:
    services.sorted_self(event_id, interaction.actor.id, guild_id=interaction.guild_id, now=timezone.now())
    return Reply(content="Noted: you get there yourself. No reminder about rides will come.")


@component(OFFER_HINT)
def offer_hint(interaction: Interaction, event_id: int) -> Reply:
    return Reply(
        content=f"Offer seats with `/ride offer event:{event_id} seats:3 from:<area> leaves:<time>` "
        "(add `direction:both` to drive back too)."
    )


# /room


@command("room offer")
def room_offer(interaction: Interaction) -> Reply:
    options = interaction.options
    offer = rooms.RoomOffer(
        beds=int(options["beds"]),
        place=options.get("place") or "",
        nights=options.get("nights") or "",
        notes=options.get("notes") or "",
    )
    room = rooms.offer_room(
        _id(interaction, "event"), interaction.actor.id, offer, guild_id=interaction.guild_id, now=timezone.now()
    )
    return Reply(
        content=f"Offered room {room.id}: {room.beds} bed{'s' if room.beds != 1 else ''} in {escape(room.place)}, "
        f"nights {room.first_night:%Y-%m-%d} to {room.last_night:%Y-%m-%d}."
    )


@command("room list")
def room_list(interaction: Interaction) -> Reply:
    return Reply(**messages.room_board(*rooms.board(_id(interaction, "event"), guild_id=interaction.guild_id)))


@component(ROOMS)
def rooms_board(interaction: Interaction, event_id: int) -> Reply:
    return Reply(**messages.room_board(*rooms.board(event_id, guild_id=interaction.guild_id)))


def _claim(interaction: Interaction, room_id: int, nights: str | None) -> Reply:
    claimed = rooms.claim_bed(
        room_id, interaction.actor.id, nights=nights, guild_id=interaction.guild_id, now=timezone.now()
    )
    listed = ", ".join(f"{night:%a %d %b}" for night in claimed)
    return Reply(content=f"You have a bed in room {room_id} for {listed}.")


@command("room claim")
def claim(interaction: Interaction) -> Reply:
    return _claim(interaction, _id(interaction, "room"), interaction.options.get("nights"))


@component(CLAIM)
def claim_button(interaction: Interaction, room_id: int) -> Reply:
    return _claim(interaction, room_id, None)


@command("room leave")
def room_leave(interaction: Interaction) -> Reply:
    room_id = _id(interaction, "room")
    rooms.leave_room(room_id, interaction.actor.id, guild_id=interaction.guild_id, now=timezone.now())
    return Reply(content=f"You gave up your bed in room {room_id}.")


@command("room cancel")
def room_cancel(interaction: Interaction) -> Reply:
    room = rooms.cancel_room(
        _id(interaction, "room"), interaction.actor.id, guild_id=interaction.guild_id, now=timezone.now()
    )
    return Reply(content=f"Cancelled room {room.id}; its sleepers are told.")


@command("room mine")
def room_mine(interaction: Interaction) -> Reply:
    me, now = interaction.actor.id, timezone.now()
    upcoming = {"event__guild_id": interaction.guild_id, "event__starts_at__gt": now}
    lines = [
        f"You host room {room.id}: {escape(room.place)}, {room.beds} beds, "
        f"{room.first_night:%Y-%m-%d} to {room.last_night:%Y-%m-%d} ({messages.title(room.event)})"
        for room in Room.objects.filter(host_id=me, status=Room.Status.OPEN, **upcoming).select_related("event")
    ]
    for claim in BedClaim.objects.filter(member_id=me, **upcoming).select_related("room", "event"):
        lines.append(f"Bed in room {claim.room_id} ({escape(claim.room.place)}) on {claim.night:%a %d %b}")
    return Reply(content="\n".join(lines)[:2000] or "You have no rooms or beds for upcoming events.")


# /event logistics (declared in the /event group).


@command("event logistics", allowed=organiser)
def event_logistics(interaction: Interaction) -> Reply:
    event, report = logistics.for_organiser(_id(interaction, "event"), guild_id=interaction.guild_id)
    set_to = ""
    if interaction.options.get("nudge"):
        offsets = parse_offsets(interaction.options["nudge"])
        if len(offsets) != 1:
            raise RuleError("Give one time for the nudge, like 2d or 36h.")
        nudge = logistics.set_nudge(event, offsets[0])
        set_to = f"\nMembers with no ride get one DM {timestamp(nudge.due_at, 'F')}."
    return Reply(content=messages.logistics(event, report) + set_to)
