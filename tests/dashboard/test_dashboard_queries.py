"""Queries per page do not grow with the guild: 1,000 events and 10,000 registrations cost
what one event and one registration cost.

olivia organises two guilds of the same shape (an event that needs rides and rooms, a poll
with votes, a DM and a post that failed, a logged action): Tiny has one of each, Big has
1,000 events, 10,000 registrations (2,008 for one event) and 2,008 members. Each page is
loaded once to warm the session, then its queries are counted in both guilds.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from carpool.models import BedClaim, Ride, RideRequest, Room, Seat
from carpool.rooms import event_nights
from core.models import GuildMember, Member, OrganiserAction, OutboundMessage
from events.models import Event, Registration
from polls.models import Option, Vote
from tests.factories import GuildFactory
from tests.polls.factories import PollFactory

from .conftest import log_in

pytestmark = pytest.mark.django_db
MEMBER_BASE = 810_000_000_000_000_000


def fill(guild, *, events: int, members: int, per_event: int, crowd: int, organiser) -> Event:
    """``events`` events with ``per_event`` registrations each, the first with ``crowd``; returns the first."""
    GuildMember.objects.create(guild=guild, member=organiser, is_organiser=True)
    start = MEMBER_BASE + guild.id % 1000 * 100_000
    people = Member.objects.bulk_create(
        Member(id=start + n, username=f"m{guild.id % 1000}-{n}", display_name=f"M {n}") for n in range(members)
    )
    GuildMember.objects.bulk_create(GuildMember(guild=guild, member=member) for member in people)
    soon = timezone.now() + timedelta(days=10)
    rows = Event.objects.bulk_create(
        Event(
            guild=guild,
            title=f"Event {n}",
            starts_at=soon + timedelta(hours=n),
            capacity=crowd,
            needs_rides=n % 2 == 0,
            needs_rooms=n % 3 == 0,
            channel_id=700_000_000_000_000_099,
        )
        for n in range(events)
    )
    registrations = [Registration(event=rows[0], member=people[n], status="going", sequence=n) for n in range(crowd)]
    for index, event in enumerate(rows[1:], 1):
        for k in range(per_event):
            member = people[(index * per_event + k) % members]
            registrations.append(Registration(event=event, member=member, status="waitlisted", sequence=k))
    Registration.objects.bulk_create(registrations, batch_size=2000)
    poll = PollFactory(guild=guild, labels=["Yes", "No"])
    yes = Option.objects.get(poll=poll, position=1)
    Vote.objects.bulk_create(
        Vote(poll=poll, option=yes, voter=str(member.id), single_choice=True) for member in people[: members // 2]
    )
    for n, member in enumerate(people[:3]):
        OutboundMessage.objects.create(
            idempotency_key=f"dm-{guild.id}-{n}", member=member, guild=guild, payload={}, status="undeliverable"
        )
    OutboundMessage.objects.create(
        idempotency_key=f"post-{guild.id}", channel_id=1, guild=guild, payload={}, status="failed"
    )
    OrganiserAction.objects.bulk_create(
        OrganiserAction(guild=guild, actor="olivia", action="edited event", target="x") for _ in range(events)
    )
    return rows[0]


def pages(guild, event) -> dict[str, str]:
    poll = guild.polls.get()
    return {
        "overview": reverse("dashboard:guild", args=[guild.id]),
        "events": reverse("dashboard:events", args=[guild.id]),
        "event": reverse("dashboard:event", args=[guild.id, event.id]),
        "edit": reverse("dashboard:event_edit", args=[guild.id, event.id]),
        "create": reverse("dashboard:event_create", args=[guild.id]),
        "roster": reverse("dashboard:event_roster", args=[guild.id, event.id]),
        "logistics": reverse("dashboard:event_logistics", args=[guild.id, event.id]),
        "logistics csv": reverse("dashboard:event_logistics_csv", args=[guild.id, event.id]),
        "polls": reverse("dashboard:polls", args=[guild.id]),
        "poll": reverse("dashboard:poll", args=[guild.id, poll.id]),
        "new poll": reverse("dashboard:poll_create", args=[guild.id]),
        "log": reverse("dashboard:log", args=[guild.id]),
        **{name: reverse(f"dashboard:{name}", args=[guild.id]) for name in MINE},
    }


# The pages of s24-dash-settings: members, activity, settings, custom commands, schedules, API tokens.
MINE = ("members", "activity", "settings", "commands", "schedules", "tokens")


def queries(client, path: str) -> int:
    assert client.get(path).status_code == 200, path  # warm: the session's rights, the CSRF cookie
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, path
    return len(captured)


def test_each_page_costs_the_same_in_a_tiny_and_a_big_guild(world):
    olivia = world.cast.organiser.member
    tiny, big = GuildFactory(name="Tiny"), GuildFactory(name="Big")
    tiny_event = fill(tiny, events=1, members=4, per_event=1, crowd=1, organiser=olivia)
    big_event = fill(big, events=1_000, members=2_008, per_event=8, crowd=2_008, organiser=olivia)
    assert Registration.objects.filter(event__guild=big).count() == 2_008 + 999 * 8 == 10_000
    client = log_in(world, "olivia")
    counts = {
        name: (queries(client, tiny_path), queries(client, big_path))
        for (name, tiny_path), big_path in zip(
            pages(tiny, tiny_event).items(), pages(big, big_event).values(), strict=True
        )
    }
    assert {name: small for name, (small, _) in counts.items()} == {name: large for name, (_, large) in counts.items()}
    assert max(small for small, _ in counts.values()) <= 25, counts


def carpool(event, people, *, rides: int, per_ride: int, waiting: int, rooms: int) -> None:
    """``rides`` rides to the event with ``per_ride`` passengers each, ``waiting`` open
    requests, and ``rooms`` rooms with a sleeper each night; people are taken in order."""
    leaves = event.starts_at - timedelta(hours=2)
    people = iter(people)
    drivers = [next(people) for _ in range(rides)]
    cars = Ride.objects.bulk_create(
        Ride(event=event, driver=driver, direction="to", seats=8, area="North", departs_at=leaves) for driver in drivers
    )
    passengers = [(car, next(people)) for car in cars for _ in range(per_ride)]
    asked = RideRequest.objects.bulk_create(
        RideRequest(event=event, member=member, direction="to", area="North", status="seated", sequence=n)
        for n, (_car, member) in enumerate(passengers)
    )
    Seat.objects.bulk_create(
        Seat(ride=car, request=request, member=member, event=event, direction="to")
        for (car, member), request in zip(passengers, asked, strict=True)
    )
    RideRequest.objects.bulk_create(
        RideRequest(event=event, member=next(people), direction="back", area="South", sequence=n)
        for n in range(waiting)
    )
    night = event_nights(event)[0]
    hosted = Room.objects.bulk_create(
        Room(event=event, host=next(people), place="Flat", beds=2, first_night=night, last_night=night)
        for _ in range(rooms)
    )
    BedClaim.objects.bulk_create(BedClaim(room=room, member=next(people), event=event, night=night) for room in hosted)


def test_the_logistics_page_and_csv_cost_the_same_with_one_ride_or_a_hundred(world):
    olivia = world.cast.organiser.member
    tiny, big = GuildFactory(name="Tiny"), GuildFactory(name="Big")
    tiny_event = fill(tiny, events=1, members=6, per_event=1, crowd=6, organiser=olivia)
    big_event = fill(big, events=1, members=1_000, per_event=1, crowd=1_000, organiser=olivia)
    going = Registration.objects.filter(status="going").select_related("member").order_by("sequence")
    carpool(tiny_event, [r.member for r in going.filter(event=tiny_event)], rides=1, per_ride=1, waiting=1, rooms=1)
    carpool(big_event, [r.member for r in going.filter(event=big_event)], rides=100, per_ride=5, waiting=100, rooms=50)
    assert Seat.objects.filter(event=big_event).count() == 500
    client = log_in(world, "olivia")
    counts = {}
    for name in ("event_logistics", "event_logistics_csv"):
        counts[name] = tuple(
            queries(client, reverse(f"dashboard:{name}", args=[guild.id, event.id]))
            for guild, event in ((tiny, tiny_event), (big, big_event))
        )
    assert all(small == large for small, large in counts.values()), counts
    assert max(small for small, _ in counts.values()) <= 30, counts
