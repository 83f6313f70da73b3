"""Logistics for an event: rides (legs, seats, requests) and rooms (beds per night).

Carpool never imports ``events``: its rows point at ``events.Event`` with lazy foreign
keys, and it reads the event's fields (its guild, times, status, registrations) through
the ORM. Members are ``core.Member`` rows (Discord user ids).

Every limit a member could break is also a database constraint: one seat per member and
leg of an event, one bed per member and night, seats 1-8 and beds 1-20. How many sit in a
car or sleep in a room is decided with the ride's or room's row locked (``services``).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.timezone import now

SEATS_MAX, BEDS_MAX = 8, 20
AREA_MAX, NOTES_MAX, PLACE_MAX = 50, 300, 100
DEFAULT_NUDGE = timedelta(hours=48)


class Direction(models.TextChoices):
    TO = "to", "to the event"
    BACK = "back", "back"


class Area(models.Model):
    """Where rides leave from, as organisers name them ("North", "Airport"); never an address."""

    guild = models.ForeignKey("core.Guild", on_delete=models.CASCADE, related_name="ride_areas")
    name = models.CharField(max_length=AREA_MAX)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), "guild", name="area_unique_name_per_guild")]

    def __str__(self) -> str:
        return self.name


class Ride(models.Model):
    """One leg a driver drives to or back from an event; "both" is two rides linked as a pair."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CANCELLED = "cancelled", "Cancelled"

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="rides")
    driver = models.ForeignKey("core.Member", on_delete=models.CASCADE, related_name="rides_driven")
    direction = models.CharField(max_length=4, choices=Direction.choices)
    seats = models.PositiveSmallIntegerField(help_text="Seats for passengers, not counting the driver (1-8).")
    area = models.CharField(max_length=AREA_MAX, help_text="Where it leaves from (an area, never an address).")
    departs_at = models.DateTimeField()
    notes = models.CharField(max_length=NOTES_MAX, blank=True)
    pair = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", help_text="The other leg."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["departs_at", "id"]
        indexes = [models.Index(fields=["event", "direction", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(seats__gte=1, seats__lte=SEATS_MAX), name="ride_seats_1_to_8"),
            models.UniqueConstraint(
                fields=["event", "driver", "direction"],
                condition=Q(status="open"),
                name="ride_one_open_per_driver_and_leg",
            ),
        ]

    def __str__(self) -> str:
        return f"ride {self.id} ({self.direction}) from {self.area}"

    def taken(self) -> int:
        return sum(self.passengers.values_list("places", flat=True))


class RideRequest(models.Model):
    """A member (and their party) looking for a seat on one leg; matched earliest first."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for a seat"
        SEATED = "seated", "Seated"
        WITHDRAWN = "withdrawn", "Withdrawn"

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="ride_requests")
    member = models.ForeignKey("core.Member", on_delete=models.CASCADE, related_name="ride_requests")
    direction = models.CharField(max_length=4, choices=Direction.choices)
    area = models.CharField(max_length=AREA_MAX)
    earliest = models.DateTimeField(null=True, blank=True, help_text="Leaving no earlier than this.")
    latest = models.DateTimeField(null=True, blank=True, help_text="Leaving no later than this.")
    party = models.PositiveSmallIntegerField(default=1, help_text="Seats needed, the member included.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    # Matching serves requests in this order (the interaction's snowflake, else the time).
    sequence = models.BigIntegerField()
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["sequence", "id"]
        indexes = [models.Index(fields=["event", "direction", "status", "sequence"])]
        constraints = [
            models.CheckConstraint(condition=Q(party__gte=1, party__lte=SEATS_MAX), name="riderequest_party_1_to_8"),
            models.UniqueConstraint(
                fields=["event", "member", "direction"],
                condition=~Q(status="withdrawn"),
                name="riderequest_one_per_member_and_leg",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} needs a ride {self.direction} from {self.area}"


class Seat(models.Model):
    """A passenger (and their party) in a car, for one leg."""

    ride = models.ForeignKey(Ride, on_delete=models.CASCADE, related_name="passengers")
    request = models.OneToOneField(RideRequest, on_delete=models.CASCADE, related_name="seat")
    member = models.ForeignKey("core.Member", on_delete=models.CASCADE, related_name="ride_seats")
    # Copied from the ride so the database refuses two seats for one member and leg.
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    direction = models.CharField(max_length=4, choices=Direction.choices)
    places = models.PositiveSmallIntegerField(default=1)
    locked = models.BooleanField(default=False, help_text="Placed by an organiser: only an organiser moves them.")
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "direction", "member"], name="seat_one_per_member_and_leg"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} in ride {self.ride_id}"


class SortedSelf(models.Model):
    """ "I'll get there myself": the member needs no ride and is not nudged."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey("core.Member", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "member"], name="sortedself_once_per_member")]

    def __str__(self) -> str:
        return f"{self.member_id} gets to {self.event_id} on their own"


class Room(models.Model):
    """Beds a host offers for some of an event's nights (a flat, a hotel room, a tent)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CANCELLED = "cancelled", "Cancelled"

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="rooms")
    host = models.ForeignKey("core.Member", on_delete=models.CASCADE, related_name="rooms_hosted")
    place = models.CharField(max_length=PLACE_MAX)
    beds = models.PositiveSmallIntegerField(help_text="1-20, the host not counted.")
    first_night = models.DateField(help_text="The evening of the first night.")
    last_night = models.DateField(help_text="The evening of the last night.")
    notes = models.CharField(max_length=NOTES_MAX, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["first_night", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(beds__gte=1, beds__lte=BEDS_MAX), name="room_beds_1_to_20"),
            models.CheckConstraint(condition=Q(last_night__gte=models.F("first_night")), name="room_nights_ordered"),
        ]

    def __str__(self) -> str:
        return f"room {self.id}: {self.place}"

    def nights(self) -> list:
        days = (self.last_night - self.first_night).days
        return [self.first_night + timedelta(days=n) for n in range(days + 1)]


class BedClaim(models.Model):
    """One member's bed in a room for one night."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="claims")
    member = models.ForeignKey("core.Member", on_delete=models.CASCADE, related_name="bed_claims")
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    night = models.DateField()
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["night", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "member", "night"], name="bedclaim_one_bed_per_member_and_night"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} in room {self.room_id} on {self.night}"


class Nudge(models.Model):
    """When going members without a ride are nudged once: claimed by the beat tick."""

    event = models.OneToOneField("events.Event", on_delete=models.CASCADE, related_name="ride_nudge")
    offset = models.DurationField(default=DEFAULT_NUDGE, help_text="How long before the start.")
    due_at = models.DateTimeField(help_text="Start minus offset; follows the event when it moves.")
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When a tick claimed it.")

    class Meta:
        indexes = [models.Index(fields=["due_at"], condition=Q(sent_at__isnull=True), name="nudge_due")]

    def __str__(self) -> str:
        return f"nudge for {self.event_id} at {self.due_at}"
