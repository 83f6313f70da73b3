"""Calendar feeds: what a member's and a guild's feed hold, read back with icalendar and
expanded by an independent consumer (recurring-ical-events), and the secret links that
serve them over HTTP."""

import hashlib
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import directory
from events import calendars
from events.models import CalendarFeed, Event, Registration
from events.services import cancel_event, edit_event
from tests.events.factories import NOW, EventFactory, RegistrationFactory
from tests.factories import GuildFactory, GuildMemberFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
Status = Registration.Status


def parsed(body: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(body)


def vevents(body: bytes) -> dict[str, icalendar.Event]:
    """The feed's events by title (each title once: a repeated event would be a bug)."""
    components = parsed(body).walk("VEVENT")
    by_title = {str(component["SUMMARY"]): component for component in components}
    assert len(by_title) == len(components)
    return by_title


def token_of(link: calendars.NewLink) -> str:
    return link.url.rsplit("/", 1)[1].removesuffix(".ics")


def get(client, token: str, **headers):
    return client.get(f"/calendar/{token}.ics", headers=headers)


def test_an_event_at_six_in_berlin_stays_at_six_after_the_clocks_go_back(cast):
    # Given a Berlin guild with an event at 18:00 before the end of summer time (25 October) and one after
    cast.guild.timezone = "Europe/Berlin"
    cast.guild.save()
    before = datetime(2026, 10, 20, 18, 0, tzinfo=BERLIN)
    after = datetime(2026, 10, 27, 18, 0, tzinfo=BERLIN)
    EventFactory(guild=cast.guild, title="Before", starts_at=before, ends_at=before + timedelta(hours=2))
    EventFactory(guild=cast.guild, title="After", starts_at=after)

    # When the guild's feed is read by a consumer over a window across the change
    body = calendars.feed(CalendarFeed(guild=cast.guild), now=NOW)
    calendar = parsed(body)
    seen = recurring_ical_events.of(calendar).between(datetime(2026, 10, 1), datetime(2026, 11, 1))

    # Then both are at 18:00 local time, in the guild's zone, whose rules the feed carries
    starts = {str(e["SUMMARY"]): e.decoded("DTSTART") for e in seen}
    assert {title: (start.hour, start.minute, str(start.tzinfo)) for title, start in starts.items()} == {
        "Before": (18, 0, "Europe/Berlin"),
        "After": (18, 0, "Europe/Berlin"),
    }
    assert [starts["Before"].astimezone(UTC).hour, starts["After"].astimezone(UTC).hour] == [16, 17]
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert vevents(body)["Before"]["DTSTART"].params["TZID"] == "Europe/Berlin"
    # and an event without an end lasts the hour /event create assumes
    assert {str(e["SUMMARY"]): e.decoded("DTEND") - e.decoded("DTSTART") for e in seen} == {
        "Before": timedelta(hours=2),
        "After": timedelta(hours=1),
    }


def test_the_feed_names_itself_asks_for_hourly_refresh_and_links_each_event_to_its_post(cast):
    event = EventFactory(guild=cast.guild, title="Quiz", location="The Crown", description="Bring a pen.")
    Event.objects.filter(id=event.id).update(message_id=800_000_000_000_000_001)

    body = calendars.feed(CalendarFeed(guild=cast.guild), now=NOW)

    calendar = parsed(body)
    assert (str(calendar["X-WR-CALNAME"]), calendar.decoded("REFRESH-INTERVAL")) == (
        "Muster HQ (Muster)",
        timedelta(hours=1),
    )
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in body and b"X-PUBLISHED-TTL:PT1H\r\n" in body
    quiz = vevents(body)["Quiz"]
    link = f"https://discord.com/channels/{cast.guild.id}/{event.channel_id}/800000000000000001"
    assert (str(quiz["UID"]), str(quiz["STATUS"]), str(quiz["LOCATION"]), str(quiz["URL"])) == (
        f"event-{event.id}@127.0.0.1",
        "CONFIRMED",
        "The Crown",
        link,
    )
    assert str(quiz["DESCRIPTION"]) == f"Bring a pen.\n\nIn Discord: {link}"
    assert quiz.decoded("DTSTAMP") == Event.objects.get(id=event.id).updated_at.replace(microsecond=0)


def test_each_visible_change_raises_the_sequence_and_a_cancelled_event_stays_as_cancelled(cast):
    event = EventFactory(guild=cast.guild, title="Hike")

    def sequence_and_status():
        hike = vevents(calendars.feed(CalendarFeed(guild=cast.guild), now=NOW))["Hike"]
        return int(hike["SEQUENCE"]), str(hike["STATUS"])

    assert sequence_and_status() == (0, "CONFIRMED")
    edit_event(event.id, now=NOW, location="The hills")
    assert sequence_and_status() == (1, "CONFIRMED")
    edit_event(event.id, now=NOW, starts_at=event.starts_at + timedelta(hours=2))
    assert sequence_and_status() == (2, "CONFIRMED")
    edit_event(event.id, now=NOW, location="The hills")  # changes nothing
    assert sequence_and_status() == (2, "CONFIRMED")
    cancel_event(event.id, now=NOW)
    assert sequence_and_status() == (3, "CANCELLED")


def test_events_leave_the_feed_thirty_days_after_their_start(cast):
    EventFactory(guild=cast.guild, title="Recent", starts_at=NOW - timedelta(days=29))
    EventFactory(guild=cast.guild, title="Old", starts_at=NOW - timedelta(days=31), status=Event.Status.CANCELLED)
    EventFactory(guild=cast.guild, title="Gone", starts_at=NOW - timedelta(days=29), status=Event.Status.CANCELLED)
    EventFactory(guild=GuildFactory(), title="Elsewhere")

    assert sorted(vevents(calendars.feed(CalendarFeed(guild=cast.guild), now=NOW))) == ["Gone", "Recent"]


def test_a_members_feed_holds_what_they_go_to_maybe_or_wait_for_in_the_guilds_they_are_in(cast):
    # Given alice's answers in her guild, in a guild she left, and someone else's registration
    member = cast.member.member
    for title, status in (("Going", Status.GOING), ("Maybe", Status.MAYBE), ("Waiting", Status.WAITLISTED)):
        RegistrationFactory(event=EventFactory(guild=cast.guild, title=title), member=member, status=status)
    RegistrationFactory(event=EventFactory(guild=cast.guild, title="Declined"), member=member, status=Status.DECLINED)
    RegistrationFactory(event=EventFactory(guild=cast.guild, title="Olivia's"), member=cast.organiser.member)
    left = GuildMemberFactory(member=member, left_at=NOW)
    RegistrationFactory(event=EventFactory(guild=left.guild, title="Left"), member=member)

    # When her feed is read
    events = vevents(calendars.feed(CalendarFeed(member=member), now=NOW))

    # Then it holds exactly her three answers, each saying which
    assert {title: str(e["DESCRIPTION"]).split("\n")[0] for title, e in events.items()} == {
        "Going": "You are going.",
        "Maybe": "You answered maybe.",
        "Waiting": "You are on the waitlist.",
    }


def test_the_database_keeps_only_a_digest_of_the_token(cast):
    link = calendars.rotate(member_id=cast.member.member_id, now=NOW)
    token = token_of(link)

    assert len(token) == 43  # 32 random bytes
    assert link.url == f"http://127.0.0.1:8000/calendar/{token}.ics"
    row = CalendarFeed.objects.values().get()
    assert (row["digest"], row["prefix"]) == (hashlib.sha256(token.encode()).hexdigest(), token[:8])
    assert [name for name, value in row.items() if token in str(value)] == []


def test_the_link_serves_the_calendar_to_anyone_who_has_it_and_polling_is_cheap(client, cast):
    EventFactory(guild=cast.guild, title="Picnic", starts_at=timezone.now() + timedelta(days=3))
    token = token_of(calendars.rotate(guild_id=cast.guild.id, now=timezone.now()))

    response = get(client, token)
    assert response.status_code == 200
    assert (response["Content-Type"], response["Cache-Control"]) == (
        "text/calendar; charset=utf-8",
        "private, max-age=300",
    )
    assert list(vevents(response.content)) == ["Picnic"]

    again = get(client, token, if_none_match=response["ETag"])
    assert (again.status_code, again.content) == (304, b"")
    head = client.head(f"/calendar/{token}.ics")
    assert (head.status_code, head.content, head["ETag"]) == (200, b"", response["ETag"])
    assert head["Content-Length"] == str(len(response.content))


def test_a_rotation_revokes_the_old_link_at_once_and_a_guessed_one_is_not_found(client, cast):
    old = token_of(calendars.rotate(member_id=cast.member.member_id, now=NOW))

    new = calendars.rotate(member_id=cast.member.member_id, now=NOW)

    assert new.replaced is True
    assert (get(client, old).status_code, get(client, token_of(new)).status_code) == (404, 200)
    assert get(client, "A" * 43).status_code == 404
    assert get(client, "short").status_code == 404
    assert client.post(f"/calendar/{token_of(new)}.ics").status_code == 405


def test_leaving_the_guild_revokes_the_members_link(client, cast):
    token = token_of(calendars.rotate(member_id=cast.member.member_id, now=NOW))
    assert get(client, token).status_code == 200

    directory.member_left(cast.guild.id, cast.member.member_id)

    assert get(client, token).status_code == 404
    assert CalendarFeed.objects.get().revoked_at is not None


def test_a_guild_that_left_muster_serves_no_feed(client, cast):
    token = token_of(calendars.rotate(guild_id=cast.guild.id, now=NOW))
    cast.guild.active = False
    cast.guild.save()

    assert get(client, token).status_code == 404


@pytest.mark.parametrize("owner", ["member", "guild"])
def test_a_feed_costs_the_same_queries_for_two_events_as_for_forty(client, cast, owner):
    start = timezone.now() + timedelta(days=1)
    if owner == "member":
        token = token_of(calendars.rotate(member_id=cast.member.member_id, now=NOW))
    else:
        token = token_of(calendars.rotate(guild_id=cast.guild.id, now=NOW))

    def queries_for(count: int) -> int:
        Event.objects.all().delete()
        for n in range(count):
            event = EventFactory(guild=cast.guild, starts_at=start + timedelta(hours=n))
            RegistrationFactory(event=event, member=cast.member.member)
        with CaptureQueriesContext(connection) as queries:
            response = get(client, token)
        assert len(vevents(response.content)) == count
        return len(queries)

    assert queries_for(2) == queries_for(40) <= 3


def test_an_outsiders_feed_shows_nothing_of_a_guild_they_are_not_in(cast):
    # Given oscar, of another guild, holding a registration for an event of Muster HQ
    RegistrationFactory(event=EventFactory(guild=cast.guild, title="HQ only"), member=cast.outsider.member)
    RegistrationFactory(event=EventFactory(guild=cast.outsider.guild, title="His own"), member=cast.outsider.member)

    # Then his feed holds his own guild's event alone
    assert list(vevents(calendars.feed(CalendarFeed(member=cast.outsider.member), now=NOW))) == ["His own"]
