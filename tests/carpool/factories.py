"""Rides and rooms around the events factories: an event that needs both, and going members."""

from datetime import timedelta

from carpool.services import Need, Offer, need_ride, offer_ride
from core.models import GuildMember
from tests.events.factories import NOW, EventFactory, RegistrationFactory
from tests.factories import MemberFactory

START = NOW + timedelta(days=7)  # the events factory's start


def logistics_event(**fields):
    fields.setdefault("needs_rides", True)
    fields.setdefault("needs_rooms", True)
    fields.setdefault("ends_at", START + timedelta(days=2))
    return EventFactory(**fields)


def going(event, **member_fields):
    """A member of the event's guild registered as going to ``event``."""
    member = MemberFactory(**member_fields)
    GuildMember.objects.get_or_create(guild_id=event.guild_id, member=member)
    RegistrationFactory(event=event, member=member)
    return member


def offer(event, driver=None, *, seats=3, area="North", leaves=START - timedelta(hours=2), **fields):
    driver = driver or going(event)
    rides = offer_ride(
        event.id, driver.id, Offer(seats=seats, area=area, departs_at=leaves, **fields), guild_id=None, now=NOW
    )
    return rides[0] if len(rides) == 1 else rides


def need(event, member=None, *, area="North", sequence=1, **fields):
    member = member or going(event)
    requests = need_ride(event.id, member.id, Need(area=area, **fields), guild_id=None, sequence=sequence, now=NOW)
    return requests[0] if len(requests) == 1 else requests
