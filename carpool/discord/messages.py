"""How rides and rooms look in Discord: lists, buttons, the event post's extras, the DMs.

DMs go through the outbox in the caller's transaction, each keyed by the one visible
effect it is (a seat given, a seat freed, a nudge), so a retried task sends nothing twice.
Names are shown as text (escaped) next to a mention, since a DM's reader may not share a
server with the other person; times are Discord timestamps, read in the reader's zone.
"""

from __future__ import annotations

from core import outbox
from core.interactions import CustomId
from core.interactions.components import button, row
from core.markup import escape, mention_list, timestamp, truncate
from core.models import Member

# Buttons: on the event post, in the private lists, and in the nudge DM.
RIDES = CustomId("ride:board:{event_id:int}")
ROOMS = CustomId("room:board:{event_id:int}")
JOIN = CustomId("ride:join:{ride_id:int}")
CLAIM = CustomId("room:claim:{room_id:int}")
SORTED = CustomId("ride:sorted:{event_id:int}")
OFFER_HINT = CustomId("ride:offer:{event_id:int}")

LIST_LIMIT = 15  # rides (or rooms, or requests) shown per list; the rest are counted
DIRECTIONS = {"to": "to the event", "back": "back"}


def name(member: Member | None, member_id: int) -> str:
    """A member as text a DM reader recognises: their name and a mention."""
    if member is None:
        return f"<@{member_id}>"
    return f"{escape(truncate(member.display_name or member.username, 50))} (<@{member_id}>)"


def title(event) -> str:
    return f"**{escape(truncate(event.title, 100))}**"


def ride_line(ride, taken: int) -> str:
    notes = f" — {escape(truncate(ride.notes, 80))}" if ride.notes else ""
    return (
        f"`{ride.id}` {DIRECTIONS[ride.direction]} from {escape(ride.area)}, leaves "
        f"{timestamp(ride.departs_at, 'f')}, driver <@{ride.driver_id}>, "
        f"{ride.seats - taken} of {ride.seats} seats free{notes}"
    )


def request_line(request) -> str:
    party = f" (party of {request.party})" if request.party > 1 else ""
    window = ""
    if request.earliest or request.latest:
        after = f"after {timestamp(request.earliest, 'f')}" if request.earliest else ""
        before = f"before {timestamp(request.latest, 'f')}" if request.latest else ""
        window = ", " + " and ".join(part for part in (after, before) if part)
    leg = DIRECTIONS[request.direction]
    return f"<@{request.member_id}> needs a ride {leg} from {escape(request.area)}{window}{party}"


def room_line(room, free: dict) -> str:
    nights = ", ".join(f"{night:%a %d %b}: {free[night]} free" for night in room.nights())
    notes = f" — {escape(truncate(room.notes, 80))}" if room.notes else ""
    return f"`{room.id}` {escape(room.place)}, host <@{room.host_id}>, {room.beds} beds ({nights}){notes}"


def board(event, rides: list[tuple], requests: list) -> dict:
    """The private list of an event's rides with free seats and its open requests, with Join buttons."""
    lines = [f"Rides for {title(event)}:"]
    shown = [(ride, taken) for ride, taken in rides if taken < ride.seats]
    lines += [ride_line(ride, taken) for ride, taken in shown[:LIST_LIMIT]] or ["No ride has a free seat yet."]
    if len(shown) > LIST_LIMIT:
        lines.append(f"…and {len(shown) - LIST_LIMIT} more.")
    if requests:
        lines.append("Still looking for a seat:")
        lines += [request_line(request) for request in requests[:LIST_LIMIT]]
        if len(requests) > LIST_LIMIT:
            lines.append(f"…and {len(requests) - LIST_LIMIT} more.")
    buttons = [button(f"Join ride {ride.id}", JOIN.build(ride_id=ride.id), style="success") for ride, _ in shown[:4]]
    buttons.append(button("Offer a ride", OFFER_HINT.build(event_id=event.id)))
    buttons.append(button("I'll get there myself", SORTED.build(event_id=event.id)))
    return {"content": "\n".join(lines)[:2000], "components": [row(*buttons[:5])]}


def room_board(event, rooms: list[tuple]) -> dict:
    lines = [f"Rooms for {title(event)}:"]
    lines += [room_line(room, free) for room, free in rooms[:LIST_LIMIT]] or ["No room is offered yet."]
    if len(rooms) > LIST_LIMIT:
        lines.append(f"…and {len(rooms) - LIST_LIMIT} more.")
    buttons = [
        button(f"Claim a bed in {room.id}", CLAIM.build(room_id=room.id), style="success")
        for room, free in rooms[:5]
        if any(free.values())
    ]
    return {"content": "\n".join(lines)[:2000], "components": [row(*buttons)] if buttons else []}


def post_buttons(event, *, rides: bool, rooms: bool) -> list[dict]:
    buttons = []
    if rides:
        buttons.append(button("Rides", RIDES.build(event_id=event.id)))
    if rooms:
        buttons.append(button("Rooms", ROOMS.build(event_id=event.id)))
    return buttons


def rides_footer(taken: int, total: int, waiting: int) -> str:
    return f"Rides: {taken} of {total} seats taken · {waiting} still need a ride"


def rooms_footer(taken: int, total: int) -> str:
    return f"Rooms: {taken} of {total} bed-nights taken"


# DMs, through the outbox.


def _send(member_id: int, key: str, content: str, components: list | None = None) -> None:
    payload = {"content": content[:2000], "allowed_mentions": {"parse": []}}
    if components:
        payload["components"] = components
    outbox.enqueue(key=key, member_id=member_id, payload=payload)


def seated(seat, ride, event, members: dict) -> None:
    """Tell the passenger and the driver of a new seat, each with the other's name and the time."""
    when = f"{timestamp(ride.departs_at, 'F')} from {escape(ride.area)}"
    party = f" (a party of {seat.places})" if seat.places > 1 else ""
    _send(
        seat.member_id,
        f"ride-seat:{seat.id}:passenger",
        f"You have a seat {DIRECTIONS[ride.direction]} for {title(event)}: "
        f"{name(members.get(ride.driver_id), ride.driver_id)} drives, leaving {when} (ride {ride.id}). "
        f"`/ride leave ride:{ride.id}` if your plans change.",
    )
    _send(
        ride.driver_id,
        f"ride-seat:{seat.id}:driver",
        f"{name(members.get(seat.member_id), seat.member_id)}{party} rides with you {DIRECTIONS[ride.direction]} "
        f"for {title(event)}, leaving {when} (ride {ride.id}).",
    )


def seat_freed(seat, ride, event, reason: str) -> None:
    _send(
        seat.member_id,
        f"ride-freed:{seat.id}",
        f"Your seat in ride {ride.id} {DIRECTIONS[ride.direction]} for {title(event)} is gone: {reason}. "
        "You are back on the list, and get a DM when another car has room.",
    )


def passenger_left(seat, ride, event) -> None:
    _send(
        ride.driver_id,
        f"ride-left:{seat.id}",
        f"<@{seat.member_id}> no longer rides with you {DIRECTIONS[ride.direction]} for {title(event)} "
        f"(ride {ride.id}).",
    )


def bed_freed(claim_id: int, member_id: int, room, event, reason: str) -> None:
    _send(
        member_id,
        f"bed-freed:{claim_id}",
        f"Your bed in {escape(room.place)} (room {room.id}) for {title(event)} on {room.first_night:%a %d %b} "
        f"and after is gone: {reason}. `/room list` shows the other rooms.",
    )


def event_cancelled(event, member_id: int) -> None:
    _send(
        member_id,
        f"logistics-cancelled:{event.id}:{member_id}",
        f"{title(event)} is cancelled, so are its rides and rooms: nobody needs to drive or host.",
    )


def event_moved(event, member_id: int) -> None:
    _send(
        member_id,
        f"logistics-moved:{event.id}:{int(event.starts_at.timestamp())}:{member_id}",
        f"{title(event)} now starts {timestamp(event.starts_at, 'F')}: check your ride's departure and your "
        "room's nights with the others (`/ride mine`, `/room mine`).",
    )


def nudge(event, member_id: int) -> None:
    _send(
        member_id,
        f"ride-nudge:{event.id}:{member_id}",
        f"You are going to {title(event)} ({timestamp(event.starts_at, 'F')}) and have no ride yet.",
        [
            row(
                button("See rides", RIDES.build(event_id=event.id), style="primary"),
                button("I'm sorted", SORTED.build(event_id=event.id)),
            )
        ],
    )


def nudge_held_line(event) -> str:
    """The ride nudge a member away did not get, as a line of their "While you were away" summary."""
    return f"**{escape(truncate(event.title, 60))}** ({timestamp(event.starts_at, 'f')}): you had no ride yet"


def logistics(event, report) -> str:
    """``/event logistics``: who is going without a ride or a bed, what is free, who waits."""
    lines = [f"Logistics for {title(event)}: {len(report.going)} going."]
    for leg, missing in report.no_ride.items():
        who = mention_list(missing, len(missing), limit=300) if missing else "nobody"
        lines.append(f"No ride {DIRECTIONS[leg]}: {who} · {report.free_seats.get(leg, 0)} free seats")
    if report.no_ride:
        lines.append(f"Unmatched requests: {len(report.unmatched)}")
    for night, missing in report.no_bed.items():
        who = mention_list(missing, len(missing), limit=300) if missing else "nobody"
        lines.append(f"No bed on {night:%a %d %b}: {who} · {report.free_beds.get(night, 0)} free beds")
    return "\n".join(lines)[:2000]
