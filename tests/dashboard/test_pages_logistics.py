"""An event's Logistics page: the board of rides and rooms, and the admin's ride, room,
seat and nudge actions."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from carpool import rooms, services
from carpool.models import DEFAULT_NUDGE, BedClaim, Nudge, Ride, RideRequest, Room, Seat
from core.errors import RuleError
from core.models import OrganiserAction
from tests.carpool.factories import going
from tests.events.factories import EventFactory

from .conftest import csrf_post, log_in

pytestmark = pytest.mark.django_db


def page_url(event, tail: str = "") -> str:
    return f"/dashboard/g/{event.guild_id}/events/{event.id}/logistics/{tail}"


def logistics_event(guild, **fields):
    start = (timezone.now() + timedelta(days=7)).replace(microsecond=0)
    fields = {"needs_rides": True, "needs_rooms": True, "ends_at": start + timedelta(days=2), **fields}
    return EventFactory(guild=guild, starts_at=start, **fields)


def offer(event, driver, *, seats=3, area="North", direction="to"):
    offer = services.Offer(seats=seats, area=area, departs_at=event.starts_at - timedelta(hours=2), direction=direction)
    return services.offer_ride(event.id, driver.id, offer, guild_id=None, now=timezone.now())[0]


def need(event, member, *, area="North", sequence=1):
    return services.need_ride(
        event.id, member.id, services.Need(area=area), guild_id=None, sequence=sequence, now=timezone.now()
    )[0]


@pytest.fixture
def board(world):
    """In Muster HQ: Dana drives from North with Pat seated, Sam waits from South, Kim gets
    there alone, Lee has nothing; Hana hosts a room where Pat sleeps every night."""
    event = logistics_event(world.cast.guild, title="Summer camp")
    names = ("dana", "pat", "sam", "kim", "lee", "hana")
    dana, pat, sam, kim, lee, hana = (going(event, username=name) for name in names)
    ride = offer(event, dana)
    need(event, pat)
    need(event, sam, area="South", sequence=2)
    services.sorted_self(event.id, kim.id, guild_id=None, now=timezone.now())
    room = rooms.offer_room(
        event.id, hana.id, rooms.RoomOffer(beds=2, place="Hana's flat"), guild_id=None, now=timezone.now()
    )
    rooms.claim_bed(room.id, pat.id, nights=None, guild_id=None, now=timezone.now())
    return {"event": event, "ride": ride, "room": room, "lee": lee, "pat": pat, "sam": sam, "kim": kim}


def test_the_organiser_sees_the_rides_passengers_requests_and_rooms(world, board):
    event, ride = board["event"], board["ride"]
    assert Seat.objects.filter(ride=ride, member=board["pat"]).exists()
    page = log_in(world, "olivia").get(page_url(event))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Summer camp" in html
    assert "Dana" in html and "North" in html and "1/3" in html  # the driver, the area, seats taken/total
    rides = page.context["board"].legs["to"]
    assert [(r.id, r.taken_seats, [s.member.username for s in r.passengers.all()]) for r in rides] == [
        (ride.id, 1, ["pat"])
    ]
    assert [(r.member.username, r.area, r.party) for r in page.context["board"].unmatched] == [("sam", "South", 1)]
    assert [m.username for m in page.context["board"].sorted_self] == ["kim"]
    assert "Hana&#x27;s flat" in html and "1/2" in html  # the room and its beds taken that night
    nights = page.context["board"].nights
    assert nights and all([s.username for s in night.rooms[0][1]] == ["pat"] for night in nights)
    # Who may be put in a car to the event: going, not seated, not driving, not on their own.
    assert {m.username for m in page.context["board"].without_seat("to")} == {"sam", "lee", "hana"}


def test_the_event_page_links_to_logistics_only_when_the_event_needs_them(world, board):
    olivia = log_in(world, "olivia")
    link = page_url(board["event"])
    assert link in olivia.get(f"/dashboard/g/{world.cast.guild.id}/events/{board['event'].id}/").content.decode()
    plain = EventFactory(guild=world.cast.guild, starts_at=timezone.now() + timedelta(days=3))
    assert "logistics/" not in olivia.get(f"/dashboard/g/{world.cast.guild.id}/events/{plain.id}/").content.decode()
    answer = olivia.get(page_url(plain))
    assert answer.status_code == 200
    assert "This event needs neither rides nor rooms" in answer.content.decode()


def test_putting_a_member_in_a_car_seats_them_locked_and_is_logged(world, board):
    event, ride, lee = board["event"], board["ride"], board["lee"]
    olivia = log_in(world, "olivia")
    done = csrf_post(olivia, page_url(event, "assign/"), {"ride": ride.id, "member": lee.id}, page=page_url(event))
    assert (done.status_code, done["Location"]) == (302, page_url(event))
    seat = Seat.objects.get(event=event, direction="to", member=lee)
    assert (seat.ride_id, seat.locked) == (ride.id, True)
    action = OrganiserAction.objects.get(guild=world.cast.guild, action="assigned seat")
    assert (action.object_id, action.actor) == (ride.id, "Olivia")
    assert "Lee is in ride" in olivia.get(page_url(event)).content.decode()
    again = csrf_post(olivia, page_url(event, "assign/"), {"ride": ride.id, "member": lee.id}, page=page_url(event))
    assert again.status_code == 302  # the form sent twice: one seat, one line in the log
    assert f"Lee was already in ride {ride.id}." in olivia.get(page_url(event)).content.decode()
    assert Seat.objects.filter(event=event, member=lee).count() == 1
    assert OrganiserAction.objects.filter(action="assigned seat").count() == 1


def test_assigning_a_member_who_is_not_going_is_a_message_not_a_500(world, board):
    event, ride = board["event"], board["ride"]
    olivia = log_in(world, "olivia")
    alice = world.cast.member.member  # in the guild, not registered
    done = csrf_post(olivia, page_url(event, "assign/"), {"ride": ride.id, "member": alice.id}, page=page_url(event))
    assert done.status_code == 302
    assert "That member is not going to this event." in olivia.get(page_url(event)).content.decode()
    assert not Seat.objects.filter(member=alice).exists()
    assert not OrganiserAction.objects.filter(action="assigned seat").exists()


def test_changing_seats_and_notes_goes_through_the_service_and_is_logged(world, board):
    event, ride = board["event"], board["ride"]
    olivia = log_in(world, "olivia")
    data = {"ride": ride.id, "seats": "5", "notes": "Blue van"}
    assert csrf_post(olivia, page_url(event, "change/"), data, page=page_url(event)).status_code == 302
    ride.refresh_from_db()
    assert (ride.seats, ride.notes) == (5, "Blue van")
    assert OrganiserAction.objects.get(action="changed ride").detail == "seats 3 → 5, notes"


def test_seats_below_those_taken_are_refused_with_the_services_sentence(world, board):
    event, ride = board["event"], board["ride"]
    services.assign(ride.id, board["lee"].id, guild_id=None, now=timezone.now())  # two seats taken now
    olivia = log_in(world, "olivia")
    done = csrf_post(olivia, page_url(event, "change/"), {"ride": ride.id, "seats": "1"}, page=page_url(event))
    assert done.status_code == 302
    assert "2 seats are taken; free some before offering fewer." in olivia.get(page_url(event)).content.decode()
    ride.refresh_from_db()
    assert ride.seats == 3
    assert not OrganiserAction.objects.filter(action="changed ride").exists()


def test_cancelling_a_ride_sends_its_passengers_back_to_matching(world, board):
    event, ride, pat = board["event"], board["ride"], board["pat"]
    olivia = log_in(world, "olivia")
    assert csrf_post(olivia, page_url(event, "cancel/"), {"ride": ride.id}, page=page_url(event)).status_code == 302
    ride.refresh_from_db()
    assert ride.status == Ride.Status.CANCELLED
    assert not Seat.objects.filter(ride=ride).exists()
    assert RideRequest.objects.get(event=event, member=pat).status == RideRequest.Status.OPEN
    assert OrganiserAction.objects.filter(action="cancelled ride", object_id=ride.id).count() == 1
    again = csrf_post(olivia, page_url(event, "cancel/"), {"ride": ride.id}, page=page_url(event))
    assert again.status_code == 302
    assert "This ride was cancelled." in olivia.get(page_url(event)).content.decode()
    assert OrganiserAction.objects.filter(action="cancelled ride").count() == 1


def test_the_logistics_csv_is_the_admins(world, board):
    response = log_in(world, "olivia").get(page_url(board["event"], "logistics.csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    kinds = {(row[2], row[5]) for row in rows[1:]}
    assert {("driver", "dana"), ("passenger", "pat"), ("waiting", "sam"), ("host", "hana"), ("no ride", "lee")} <= kinds


@pytest.mark.parametrize("username", ["otto", "oscar", "alice"])
def test_anyone_but_the_organisers_gets_404(world, board, username):
    event, ride = board["event"], board["ride"]
    client = log_in(world, username)
    assert client.get(page_url(event)).status_code == 404
    assert client.get(page_url(event, "logistics.csv")).status_code == 404
    room, seat = board["room"], Seat.objects.get(ride=ride)
    data = {"ride": ride.id, "seats": "1", "room": room.id, "beds": "1", "seat": seat.id, "offset": "1h"}
    data["member"] = board["pat"].id
    for tail in TAILS:
        answer = csrf_post(client, page_url(event, tail), data, page="/dashboard/")
        assert answer.status_code == 404, tail
    ride.refresh_from_db()
    room.refresh_from_db()
    assert (ride.status, ride.seats) == (Ride.Status.OPEN, 3)
    assert (room.status, room.beds) == (Room.Status.OPEN, 2)
    assert Seat.objects.filter(id=seat.id).exists() and BedClaim.objects.filter(member=board["pat"]).exists()
    assert not Nudge.objects.filter(event=event).exists()


TAILS = (
    *("assign/", "change/", "cancel/", "nudge/", "nudge/remove/"),
    *("room/change/", "room/cancel/", "bed/free/", "seat/free/", "seat/lock/"),
)


def test_another_guilds_ride_is_404_even_inside_her_own_event(world, board):
    theirs = logistics_event(world.cast.outsider.guild)
    their_ride = offer(theirs, going(theirs, username="zed"))
    olivia = log_in(world, "olivia")
    answer = csrf_post(olivia, page_url(board["event"], "cancel/"), {"ride": their_ride.id}, page="/dashboard/")
    assert answer.status_code == 404
    assert olivia.get(page_url(theirs)).status_code == 404
    their_ride.refresh_from_db()
    assert their_ride.status == Ride.Status.OPEN


def test_an_action_without_the_csrf_token_is_refused(world, board):
    event, ride = board["event"], board["ride"]
    olivia = log_in(world, "olivia")
    olivia.get(page_url(event))
    answer = olivia.post(page_url(event, "cancel/"), {"ride": ride.id})
    assert answer.status_code == 403
    ride.refresh_from_db()
    assert ride.status == Ride.Status.OPEN


# The nudge.


def test_setting_the_nudge_as_typed_in_discord_and_removing_it(world, board):
    event = board["event"]
    olivia = log_in(world, "olivia")
    assert "get one DM 2d before the start" in olivia.get(page_url(event)).content.decode()  # the default
    assert csrf_post(olivia, page_url(event, "nudge/"), {"offset": "36h"}, page=page_url(event)).status_code == 302
    nudge = Nudge.objects.get(event=event)
    before = timedelta(hours=36)
    assert (nudge.offset, nudge.due_at, nudge.sent_at) == (before, event.starts_at - before, None)
    html = olivia.get(page_url(event)).content.decode()
    assert "get one DM 36h before the start" in html and "not sent yet" in html
    assert OrganiserAction.objects.get(action="set nudge").detail == "36h before the start"
    csrf_post(olivia, page_url(event, "nudge/"), {"offset": "36h"}, page=page_url(event))  # sent twice
    assert OrganiserAction.objects.filter(action="set nudge").count() == 1
    assert csrf_post(olivia, page_url(event, "nudge/remove/"), {}, page=page_url(event)).status_code == 302
    assert not Nudge.objects.filter(event=event).exists()
    assert "Removed the nudge" in olivia.get(page_url(event)).content.decode()
    assert OrganiserAction.objects.filter(action="removed nudge", object_id=event.id).count() == 1


def test_a_nudge_that_cannot_be_read_or_was_sent_is_refused_on_the_page(world, board):
    event = board["event"]
    olivia = log_in(world, "olivia")
    csrf_post(olivia, page_url(event, "nudge/"), {"offset": "soon"}, page=page_url(event))
    assert "I could not read the reminder &#x27;soon&#x27;" in olivia.get(page_url(event)).content.decode()
    csrf_post(olivia, page_url(event, "nudge/"), {"offset": "1d 2d"}, page=page_url(event))
    assert "Give one time for the nudge, like 2d or 36h." in olivia.get(page_url(event)).content.decode()
    assert not Nudge.objects.filter(event=event).exists()
    due = event.starts_at - DEFAULT_NUDGE
    Nudge.objects.create(event=event, offset=DEFAULT_NUDGE, due_at=due, sent_at=timezone.now())
    csrf_post(olivia, page_url(event, "nudge/"), {"offset": "1h"}, page=page_url(event))
    assert "members are nudged once." in olivia.get(page_url(event)).content.decode()
    assert Nudge.objects.get(event=event).offset == DEFAULT_NUDGE
    assert not OrganiserAction.objects.filter(action="set nudge").exists()


def test_once_the_event_started_the_forms_are_gone_and_the_actions_refused(world, board):
    event = board["event"]
    olivia = log_in(world, "olivia")
    type(event).objects.filter(id=event.id).update(starts_at=timezone.now() - timedelta(hours=1))
    html = olivia.get(page_url(event)).content.decode()
    assert "Set the nudge" not in html and "Free the seat" not in html and "Cancel the room" not in html
    csrf_post(olivia, page_url(event, "nudge/"), {"offset": "1h"}, page=page_url(event))
    assert "This event has started or was cancelled" in olivia.get(page_url(event)).content.decode()
    seat = Seat.objects.get(ride=board["ride"])
    csrf_post(olivia, page_url(event, "seat/lock/"), {"seat": seat.id, "locked": "1"}, page=page_url(event))
    assert not Nudge.objects.filter(event=event).exists()
    seat.refresh_from_db()
    assert seat.locked is False


# Rooms and beds.


def test_changing_a_room_goes_through_change_room_and_is_logged(world, board):
    event, room = board["event"], board["room"]
    olivia = log_in(world, "olivia")
    nights = f"{room.first_night:%Y-%m-%d}..{room.last_night:%Y-%m-%d}"
    assert nights in olivia.get(page_url(event)).content.decode()  # the form shows the nights as typed
    data = {"room": room.id, "place": " Hana's house ", "beds": "4", "nights": nights, "notes": "Bring a sleeping bag"}
    assert csrf_post(olivia, page_url(event, "room/change/"), data, page=page_url(event)).status_code == 302
    room.refresh_from_db()
    assert (room.place, room.beds, room.notes) == ("Hana's house", 4, "Bring a sleeping bag")
    assert OrganiserAction.objects.get(action="changed room", object_id=room.id).detail == "place, beds 2 → 4, notes"
    csrf_post(olivia, page_url(event, "room/change/"), data, page=page_url(event))  # sent twice
    assert f"Room {room.id} was already so." in olivia.get(page_url(event)).content.decode()
    assert OrganiserAction.objects.filter(action="changed room").count() == 1


def test_a_room_change_that_would_turn_out_a_sleeper_is_refused_with_a_sentence(world, board):
    event, room, pat = board["event"], board["room"], board["pat"]
    olivia = log_in(world, "olivia")
    first = f"{room.first_night:%Y-%m-%d}"
    data = {"room": room.id, "place": "Hana's flat", "beds": "2", "nights": first}  # Pat sleeps there both nights
    csrf_post(olivia, page_url(event, "room/change/"), data, page=page_url(event))
    html = olivia.get(page_url(event)).content.decode()
    assert f"Someone sleeps in room {room.id} on {room.last_night:%Y-%m-%d}: free their bed first." in html
    csrf_post(olivia, page_url(event, "room/change/"), {**data, "nights": "", "beds": "0"}, page=page_url(event))
    assert "Offer 1 to 20 beds (not counting the host)." in olivia.get(page_url(event)).content.decode()
    room.refresh_from_db()
    assert (room.beds, room.first_night != room.last_night) == (2, True)
    assert BedClaim.objects.filter(room=room, member=pat).count() == 2
    assert not OrganiserAction.objects.filter(action="changed room").exists()


def test_cancelling_a_room_frees_its_beds_and_is_logged(world, board):
    event, room = board["event"], board["room"]
    olivia = log_in(world, "olivia")
    done = csrf_post(olivia, page_url(event, "room/cancel/"), {"room": room.id}, page=page_url(event))
    assert done.status_code == 302
    room.refresh_from_db()
    assert room.status == Room.Status.CANCELLED
    assert not BedClaim.objects.filter(room=room).exists()
    assert OrganiserAction.objects.get(action="cancelled room", object_id=room.id).detail == "hosted by Hana"
    csrf_post(olivia, page_url(event, "room/cancel/"), {"room": room.id}, page=page_url(event))
    assert "This room was cancelled." in olivia.get(page_url(event)).content.decode()
    assert OrganiserAction.objects.filter(action="cancelled room").count() == 1


def test_freeing_a_bed_frees_every_night_of_it(world, board):
    event, room, pat = board["event"], board["room"], board["pat"]
    olivia = log_in(world, "olivia")
    data = {"room": room.id, "member": pat.id}
    assert csrf_post(olivia, page_url(event, "bed/free/"), data, page=page_url(event)).status_code == 302
    assert not BedClaim.objects.filter(event=event, member=pat).exists()
    assert OrganiserAction.objects.get(action="freed bed", object_id=room.id).detail == "Pat, 2 night(s)"
    csrf_post(olivia, page_url(event, "bed/free/"), data, page=page_url(event))  # sent twice
    assert f"You have no bed in room {room.id}." in olivia.get(page_url(event)).content.decode()
    assert OrganiserAction.objects.filter(action="freed bed").count() == 1


# Seats.


def test_freeing_a_placed_passengers_seat_unlocks_and_withdraws_it(world, board):
    event, ride, pat = board["event"], board["ride"], board["pat"]
    Seat.objects.filter(ride=ride, member=pat).update(locked=True)  # placed: their own /ride leave is refused
    olivia = log_in(world, "olivia")
    seat = Seat.objects.get(ride=ride, member=pat)
    assert csrf_post(olivia, page_url(event, "seat/free/"), {"seat": seat.id}, page=page_url(event)).status_code == 302
    assert not Seat.objects.filter(event=event, member=pat).exists()
    assert RideRequest.objects.get(event=event, member=pat).status == RideRequest.Status.WITHDRAWN
    assert OrganiserAction.objects.get(action="freed seat", object_id=ride.id).detail == "Pat out of the car"
    assert "Freed Pat&#x27;s seat" in olivia.get(page_url(event)).content.decode()


def test_locking_and_unlocking_a_seat(world, board):
    event, ride = board["event"], board["ride"]
    seat = Seat.objects.get(ride=ride)
    olivia = log_in(world, "olivia")
    csrf_post(olivia, page_url(event, "seat/lock/"), {"seat": seat.id, "locked": "1"}, page=page_url(event))
    seat.refresh_from_db()
    assert seat.locked is True
    assert "Unlock" in olivia.get(page_url(event)).content.decode()
    with pytest.raises(RuleError, match="An organiser placed you"):
        services.leave_ride(ride.id, board["pat"].id, guild_id=None, now=timezone.now())
    csrf_post(olivia, page_url(event, "seat/lock/"), {"seat": seat.id, "locked": "1"}, page=page_url(event))
    assert OrganiserAction.objects.filter(action="locked seat").count() == 1  # sent twice: logged once
    csrf_post(olivia, page_url(event, "seat/lock/"), {"seat": seat.id, "locked": "0"}, page=page_url(event))
    seat.refresh_from_db()
    assert seat.locked is False
    assert OrganiserAction.objects.filter(action="unlocked seat", object_id=ride.id).count() == 1


def test_another_guilds_room_or_seat_is_404_inside_her_own_event(world, board):
    theirs = logistics_event(world.cast.outsider.guild)
    driver, rider, host = (going(theirs, username=name) for name in ("zed", "yan", "xia"))
    their_ride = offer(theirs, driver)
    need(theirs, rider)
    their_seat = Seat.objects.get(ride=their_ride, member=rider)
    place = rooms.RoomOffer(beds=2, place="Xia's")
    their_room = rooms.offer_room(theirs.id, host.id, place, guild_id=None, now=timezone.now())
    rooms.claim_bed(their_room.id, rider.id, nights=None, guild_id=None, now=timezone.now())
    olivia, mine = log_in(world, "olivia"), page_url(board["event"])
    posts = {
        "room/change/": {"room": their_room.id, "place": "Mine now", "beds": "5"},
        "room/cancel/": {"room": their_room.id},
        "bed/free/": {"room": their_room.id, "member": rider.id},
        "seat/free/": {"seat": their_seat.id},
        "seat/lock/": {"seat": their_seat.id, "locked": "1"},
    }
    for tail, data in posts.items():
        assert csrf_post(olivia, f"{mine}{tail}", data, page="/dashboard/").status_code == 404, tail
    their_room.refresh_from_db()
    their_seat.refresh_from_db()
    assert (their_room.status, their_room.place, their_room.beds) == (Room.Status.OPEN, "Xia's", 2)
    assert their_seat.locked is False and BedClaim.objects.filter(room=their_room, member=rider).exists()
