"""The carpool app's holdings of a member's data (core.personal_data)."""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime

from carpool import services
from carpool.models import Ride, Room, Seat
from core.errors import RuleError
from core.personal_data import Holding, register


def forget_rides(member_id: int, now: datetime) -> int:
    """Open rides to upcoming events are cancelled (passengers are told and matched again), then deleted."""
    rides = Ride.objects.filter(driver_id=member_id)
    upcoming = rides.filter(status=Ride.Status.OPEN, event__starts_at__gt=now)
    for ride_id in upcoming.values_list("id", flat=True):
        if Ride.objects.filter(id=ride_id, status=Ride.Status.OPEN).exists():  # a pair goes with its first leg
            with suppress(RuleError):  # the event started or closed meanwhile: the ride just goes
                services.cancel_ride(ride_id, member_id, guild_id=None, now=now)
    deleted, _ = rides.delete()
    return deleted


def forget_seats(member_id: int, now: datetime) -> int:
    """A seat is freed for the next matching request, its driver told (as when the passenger leaves)."""
    seats = Seat.objects.filter(member_id=member_id)
    for seat in seats.filter(ride__status=Ride.Status.OPEN, ride__event__starts_at__gt=now, locked=False):
        with suppress(RuleError):
            services.leave_ride(seat.ride_id, member_id, guild_id=None, now=now)
    deleted, _ = seats.delete()
    return deleted


def forget_rooms(member_id: int, now: datetime) -> int:
    deleted, _ = Room.objects.filter(host_id=member_id).delete()
    return deleted


register(Holding("carpool.Ride", "Rides you drive", ("driver",), forget=forget_rides))
register(Holding("carpool.Seat", "Seats in others' rides", ("member",), forget=forget_seats))
register(Holding("carpool.RideRequest", "Ride requests", ("member",)))
register(Holding("carpool.SortedSelf", "Events you get to on your own", ("member",)))
register(Holding("carpool.Room", "Rooms you host", ("host",), forget=forget_rooms))
register(Holding("carpool.BedClaim", "Beds you claimed", ("member",)))
