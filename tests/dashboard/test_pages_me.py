"""Me: a member's own upcoming events, rides and beds, Jira links, time zone and DM preference."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from carpool.models import BedClaim, Seat
from carpool.rooms import RoomOffer, claim_bed, offer_room
from carpool.services import Need, Offer, need_ride, offer_ride
from core.models import Member
from jira_sync.models import JiraLink, JiraSite
from tests.events.factories import EventFactory, RegistrationFactory

from .conftest import csrf_post, log_in

pytestmark = pytest.mark.django_db


def test_me_shows_my_rides_beds_and_jira_link_and_nobody_elses(world):
    now = timezone.now()
    starts = (now + timedelta(days=7)).replace(hour=18, minute=0, second=0, microsecond=0)
    event = EventFactory(
        guild=world.cast.guild,
        title="Camp",
        starts_at=starts,
        ends_at=starts + timedelta(days=2),
        needs_rides=True,
        needs_rooms=True,
    )
    alice, olivia = world.cast.member.member, world.cast.organiser.member
    for member in (alice, olivia):
        RegistrationFactory(event=event, member=member)
    offer_ride(
        event.id,
        olivia.id,
        Offer(seats=3, area="North", departs_at=starts - timedelta(hours=2)),
        guild_id=None,
        now=now,
    )
    need_ride(event.id, alice.id, Need(area="North"), guild_id=None, sequence=1, now=now)
    room = offer_room(event.id, olivia.id, RoomOffer(beds=2, place="Flat"), guild_id=None, now=now)
    claim_bed(room.id, alice.id, nights=None, guild_id=None, now=now)
    site = JiraSite.objects.create(guild=world.cast.guild, name="Acme Jira", base_url="https://acme.example")
    JiraLink.objects.create(site=site, member=alice, account_id="acc-1", display_name="Alice A.")
    assert Seat.objects.filter(member=alice).count() == 1 and BedClaim.objects.filter(member=alice).exists()

    page = log_in(world, "alice").get("/dashboard/me/")
    assert page.status_code == 200
    context = page.context
    assert [seat.ride.driver_id for seat in context["seats"]] == [olivia.id]
    assert list(context["rides"]) == [] and list(context["rooms"]) == []
    assert {bed.room_id for bed in context["beds"]} == {room.id}
    assert [link.site.name for link in context["jira_links"]] == ["Acme Jira"]
    html = page.content.decode()
    assert f"A seat with {olivia} to Camp" in html and f"A bed with {olivia} in Flat" in html and "Alice A." in html

    hers = log_in(world, "olivia").get("/dashboard/me/").context
    assert [(ride.area, ride.taken_places) for ride in hers["rides"]] == [("North", 1)]
    assert [r.id for r in hers["rooms"]] == [room.id]
    assert list(hers["seats"]) == [] and list(hers["beds"]) == [] and list(hers["jira_links"]) == []


def test_me_saves_my_time_zone_and_dm_preference_and_refuses_a_bad_zone(world):
    alice = log_in(world, "alice")
    done = csrf_post(alice, "/dashboard/me/", {"timezone": "Europe/Berlin"})
    assert (done.status_code, done["Location"]) == (302, "/dashboard/me/")
    member = Member.objects.get(pk=world.cast.member.member_id)
    assert (member.timezone, member.dm_reminders) == ("Europe/Berlin", False)
    bad = csrf_post(alice, "/dashboard/me/", {"timezone": "Europe/Berln", "dm_reminders": "on"})
    assert bad.status_code == 400
    assert bad.context["form"].errors == {
        "timezone": ["Europe/Berln is not a time zone name; did you mean Europe/Berlin?"]
    }
    assert "reminders by DM off" in bad.content.decode()
    member.refresh_from_db()
    assert (member.timezone, member.dm_reminders) == ("Europe/Berlin", False)
