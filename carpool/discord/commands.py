"""/ride and /room, declared for the gateway. The work happens in ``carpool.discord.handlers``.

``/event logistics`` is declared in the /event group (events) and answered by carpool's
handler: routing is by the command's path.
"""

from __future__ import annotations

import discord
from discord import app_commands
from django.utils import timezone

from carpool.models import AREA_MAX, BEDS_MAX, NOTES_MAX, PLACE_MAX, SEATS_MAX, Ride, Room
from core.interactions.declare import forward

rides = app_commands.Group(name="ride", description="Rides to and from events", guild_only=True)
areas = app_commands.Group(name="areas", description="The areas rides leave from (organisers)", parent=rides)
rooms = app_commands.Group(name="room", description="Shared rooms for events", guild_only=True)
groups = (rides, rooms)

# Discord-side bounds; carpool's services refuse the same with a sentence.
Id = app_commands.Range[int, 1, 2**53 - 1]
Seats = app_commands.Range[int, 1, SEATS_MAX]
Beds = app_commands.Range[int, 1, BEDS_MAX]
AreaName = app_commands.Range[str, 1, AREA_MAX]
TypedTime = app_commands.Range[str, 1, 40]
Notes = app_commands.Range[str, 1, NOTES_MAX]
Place = app_commands.Range[str, 1, PLACE_MAX]
Nights = app_commands.Range[str, 1, 30]
DIRECTIONS = [
    app_commands.Choice(name="to the event", value="to"),
    app_commands.Choice(name="back", value="back"),
    app_commands.Choice(name="both ways", value="both"),
]


def _event_model():
    return Ride._meta.get_field("event").related_model


async def event_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[int]]:
    """Upcoming events of this guild whose title matches what is typed."""
    upcoming = _event_model().objects.filter(
        guild_id=interaction.guild_id, status="scheduled", starts_at__gt=timezone.now(), title__icontains=current
    )
    events = upcoming.order_by("starts_at")[:25]
    return [app_commands.Choice(name=f"{e.title[:80]} ({e.starts_at:%Y-%m-%d})", value=e.id) async for e in events]


async def ride_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[int]]:
    """Open rides of this guild's upcoming events, by id, event title or area."""
    found = Ride.objects.filter(
        event__guild_id=interaction.guild_id, status=Ride.Status.OPEN, event__starts_at__gt=timezone.now()
    ).select_related("event")
    if current.strip().isdigit():
        found = found.filter(id=int(current))
    elif current.strip():
        found = found.filter(event__title__icontains=current.strip()) | found.filter(area__icontains=current.strip())
    choices = []
    async for ride in found.order_by("departs_at", "id")[:25]:
        when = f"{ride.departs_at:%d %b %H:%M} UTC"
        label = f"{ride.id}: {ride.event.title[:50]}, {ride.direction} from {ride.area[:30]}, {when}"
        choices.append(app_commands.Choice(name=label[:100], value=ride.id))
    return choices


async def room_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[int]]:
    found = Room.objects.filter(
        event__guild_id=interaction.guild_id, status=Room.Status.OPEN, event__starts_at__gt=timezone.now()
    ).select_related("event")
    if current.strip():
        found = found.filter(place__icontains=current.strip()) | found.filter(event__title__icontains=current.strip())
    choices = []
    async for room in found.order_by("first_night", "id")[:25]:
        label = f"{room.id}: {room.place[:50]} for {room.event.title[:40]}"
        choices.append(app_commands.Choice(name=label[:100], value=room.id))
    return choices


@rides.command(name="offer", description="Offer seats in your car")
@app_commands.rename(from_="from")
@app_commands.describe(
    seats="Seats for passengers, not counting you",
    from_="The area you leave from (never an address)",
    leaves="When you leave, in your time zone (for both: the drive there)",
    direction="To the event (default), back, or both ways",
    returns="Both ways: when you drive back (default: the event's end)",
    notes="Car, luggage space…",
)
@app_commands.choices(direction=DIRECTIONS)
@app_commands.autocomplete(event=event_choices)
async def offer(
    interaction: discord.Interaction,
    event: Id,
    seats: Seats,
    from_: AreaName,
    leaves: TypedTime,
    direction: str = "to",
    returns: TypedTime | None = None,
    notes: Notes | None = None,
):
    await forward(interaction)


@rides.command(name="need", description="Ask for a seat; you are matched when a car fits")
@app_commands.rename(from_="from")
@app_commands.describe(
    from_="The area you leave from",
    earliest="Leaving no earlier than (your time zone)",
    latest="Leaving no later than (your time zone)",
    party="Seats you need, you included",
    myself="I'll get there myself: no ride needed, no reminder",
)
@app_commands.choices(direction=DIRECTIONS)
@app_commands.autocomplete(event=event_choices)
async def need(
    interaction: discord.Interaction,
    event: Id,
    from_: AreaName | None = None,
    direction: str = "to",
    earliest: TypedTime | None = None,
    latest: TypedTime | None = None,
    party: Seats = 1,
    myself: bool = False,
):
    await forward(interaction)


@rides.command(name="list", description="Rides with free seats, and who still needs one")
@app_commands.autocomplete(event=event_choices)
async def list_(interaction: discord.Interaction, event: Id):
    await forward(interaction)


@rides.command(name="join", description="Take a seat in a car")
@app_commands.autocomplete(ride=ride_choices)
async def join(interaction: discord.Interaction, ride: Id):
    await forward(interaction)


@rides.command(name="leave", description="Give up your seat in a car")
@app_commands.autocomplete(ride=ride_choices)
async def leave(interaction: discord.Interaction, ride: Id):
    await forward(interaction)


@rides.command(name="cancel", description="Cancel the ride you drive; passengers are told")
@app_commands.autocomplete(ride=ride_choices)
async def cancel(interaction: discord.Interaction, ride: Id):
    await forward(interaction)


@rides.command(name="mine", description="Your rides, seats and requests")
async def mine(interaction: discord.Interaction):
    await forward(interaction)


@rides.command(name="assign", description="Put a member in a car (organisers)")
@app_commands.describe(lock="Only an organiser may then move them (default: yes)")
@app_commands.autocomplete(ride=ride_choices)
async def assign(interaction: discord.Interaction, ride: Id, member: discord.User, lock: bool = True):
    await forward(interaction)


@areas.command(name="add", description="Add an area rides leave from")
async def areas_add(interaction: discord.Interaction, name: AreaName):
    await forward(interaction)


@areas.command(name="remove", description="Remove an area")
async def areas_remove(interaction: discord.Interaction, name: AreaName):
    await forward(interaction)


@areas.command(name="list", description="The areas rides leave from")
async def areas_list(interaction: discord.Interaction):
    await forward(interaction)


@rooms.command(name="offer", description="Offer beds for the event's nights")
@app_commands.describe(
    beds="Beds for others, not counting you",
    place="A flat, a hotel room, a tent…",
    nights="2026-06-14 or 2026-06-14..2026-06-15 (default: the event's nights)",
)
@app_commands.autocomplete(event=event_choices)
async def room_offer(
    interaction: discord.Interaction,
    event: Id,
    beds: Beds,
    place: Place,
    nights: Nights | None = None,
    notes: Notes | None = None,
):
    await forward(interaction)


@rooms.command(name="list", description="Rooms and their free beds per night")
@app_commands.autocomplete(event=event_choices)
async def room_list(interaction: discord.Interaction, event: Id):
    await forward(interaction)


@rooms.command(name="claim", description="Claim a bed (default: every night the room offers)")
@app_commands.describe(nights="2026-06-14 or 2026-06-14..2026-06-15")
@app_commands.autocomplete(room=room_choices)
async def claim(interaction: discord.Interaction, room: Id, nights: Nights | None = None):
    await forward(interaction)


@rooms.command(name="leave", description="Give up your bed in a room")
@app_commands.autocomplete(room=room_choices)
async def room_leave(interaction: discord.Interaction, room: Id):
    await forward(interaction)


@rooms.command(name="cancel", description="Cancel the room you host; sleepers are told")
@app_commands.autocomplete(room=room_choices)
async def room_cancel(interaction: discord.Interaction, room: Id):
    await forward(interaction)


@rooms.command(name="mine", description="Your rooms and beds")
async def room_mine(interaction: discord.Interaction):
    await forward(interaction)
