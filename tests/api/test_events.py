"""Events through the API: the same rules and sentences as Discord, the one error shape."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from core.models import OutboundMessage
from events.models import Event, EventSpace, Registration, SpaceDefaults
from tests.api.conftest import error
from tests.cast import CHANNEL_ID
from tests.events.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def soon(days: float = 7) -> datetime:
    return (timezone.now() + timedelta(days=days)).replace(microsecond=0)


def iso(moment: datetime) -> str:
    return moment.isoformat()


def picnic(**fields) -> dict:
    return {"title": "Picnic", "starts_at": iso(soon()), **fields}


def test_it_creates_an_event_and_posts_it_as_discord_would(api, cast):
    response = api.send("POST", api.url("/events"), picnic(capacity=10, reminders=["1d", "1h"], location="The park"))
    assert response.status_code == 201
    body = response.json()
    event = Event.objects.get()
    assert body["id"] == event.id
    assert (body["title"], body["location"], body["capacity"], body["status"]) == (
        "Picnic",
        "The park",
        10,
        "scheduled",
    )
    assert body["channel_id"] == str(CHANNEL_ID)
    assert body["reminders"] == ["1d", "1h"]
    assert (body["going"], body["waitlisted"], body["maybe"], body["declined"]) == (0, 0, 0, 0)
    assert OutboundMessage.objects.filter(idempotency_key__startswith=f"event-post:{event.id}").count() == 1


def test_an_event_that_needs_rides_and_rooms_says_so_and_an_edit_turns_it_off(api):
    created = api.send("POST", api.url("/events"), picnic(needs_rides=True, needs_rooms=True))
    assert created.status_code == 201
    assert (created.json()["needs_rides"], created.json()["needs_rooms"]) == (True, True)
    event = Event.objects.get()
    edited = api.send("PATCH", api.url(f"/events/{event.id}"), {"needs_rooms": False})
    assert (edited.status_code, edited.json()["needs_rides"], edited.json()["needs_rooms"]) == (200, True, False)
    event.refresh_from_db()
    assert (event.needs_rides, event.needs_rooms) == (True, False)


def test_a_time_without_a_utc_offset_is_refused_naming_the_field(api):
    response = api.send("POST", api.url("/events"), picnic(starts_at="2027-06-01T18:30:00"))
    assert response.status_code == 422
    body = error(response)
    assert body["errors"][0]["loc"] == ["body", "starts_at"]
    assert body["detail"] == "The request is not valid: body.starts_at: Input should have timezone info"
    assert Event.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "loc", "detail"),
    [
        ({"starts_at": "2020-01-01T10:00:00+00:00"}, "starts_at", "The start is in the past."),
        ({"title": "   "}, "title", "The event needs a title."),
        ({"ends_at": "START"}, "ends_at", "The end must come after the start."),
        ({"signup_deadline": "LATER"}, "signup_deadline", "The signup deadline must be no later than the start."),
        ({"reminders": ["soon"]}, "reminders", "I could not read the reminder 'soon': write 30m, 1h, 2d or 1w."),
        ({"reminders": ["9w"]}, "reminders", "A reminder goes at most 8 weeks before the start: '9w' is longer."),
    ],
)
def test_a_rule_refusal_is_422_with_discords_sentence_and_the_field(api, fields, loc, detail):
    data = picnic(**fields)
    start = datetime.fromisoformat(data["starts_at"])
    replace = {"START": iso(start), "LATER": iso(start + timedelta(hours=1))}
    data = {name: replace.get(value, value) if isinstance(value, str) else value for name, value in data.items()}
    response = api.send("POST", api.url("/events"), data)
    assert response.status_code == 422
    assert error(response) == {"detail": detail, "errors": [{"loc": ["body", loc], "msg": detail, "type": "rule"}]}
    assert Event.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "loc"),
    [
        ({"title": "x" * 101}, ["body", "title"]),
        ({"capacity": 0}, ["body", "capacity"]),
        ({"capacity": 100_001}, ["body", "capacity"]),
        ({"channel_id": "general"}, ["body", "channel_id"]),
        ({"location": "a\x00b"}, ["body", "location"]),
        ({"reminders": ["1h"] * 6}, ["body", "reminders"]),
    ],
)
def test_a_value_outside_the_schema_is_422_naming_the_field(api, fields, loc):
    response = api.send("POST", api.url("/events"), picnic(**fields))
    assert response.status_code == 422
    assert error(response)["errors"][0]["loc"] == loc
    assert Event.objects.count() == 0


def test_a_missing_field_is_named(api):
    response = api.send("POST", api.url("/events"), {"title": "Picnic"})
    assert response.status_code == 422
    assert error(response)["errors"] == [{"loc": ["body", "starts_at"], "msg": "Field required", "type": "missing"}]


def test_a_channel_muster_never_saw_in_this_guild_is_refused(api, cast):
    EventFactory(guild=cast.outsider.guild, channel_id=123_456_789_012_345_678, starts_at=soon())
    response = api.send("POST", api.url("/events"), picnic(channel_id="123456789012345678"))
    assert response.status_code == 422
    body = error(response)
    assert body["detail"] == (
        "Channel 123456789012345678 is not a channel Muster knows in this server: "
        "use the announcement channel or one an event, poll or scheduled message was posted in."
    )
    assert body["errors"][0]["loc"] == ["body", "channel_id"]


def test_a_channel_an_event_of_this_guild_was_posted_in_is_accepted(api, cast):
    EventFactory(guild=cast.guild, channel_id=700_000_000_000_000_077, starts_at=soon())
    response = api.send("POST", api.url("/events"), picnic(channel_id="700000000000000077"))
    assert response.status_code == 201
    assert response.json()["channel_id"] == "700000000000000077"


def test_without_an_announcement_channel_the_channel_is_required(api, cast):
    cast.guild.announcement_channel_id = None
    cast.guild.save()
    response = api.send("POST", api.url("/events"), picnic())
    assert response.status_code == 422
    assert (
        error(response)["detail"] == "The channel is missing: this server has no announcement channel: give channel_id."
    )


def test_it_lists_upcoming_events_soonest_first_with_pages(api, cast):
    later, sooner = EventFactory(guild=cast.guild, starts_at=soon(9)), EventFactory(guild=cast.guild, starts_at=soon(2))
    EventFactory(guild=cast.guild, starts_at=timezone.now() - timedelta(days=1))
    EventFactory(guild=cast.outsider.guild, starts_at=soon(3))
    first = api.get(api.url("/events"), limit=1).json()
    assert (first["count"], first["limit"], first["offset"]) == (2, 1, 0)
    assert [item["id"] for item in first["items"]] == [sooner.id]
    second = api.get(api.url("/events"), limit=1, offset=1).json()
    assert [item["id"] for item in second["items"]] == [later.id]


def test_it_filters_past_events_by_status_and_channel(api, cast):
    now = timezone.now()
    old = EventFactory(guild=cast.guild, starts_at=now - timedelta(days=2), channel_id=CHANNEL_ID)
    older = EventFactory(guild=cast.guild, starts_at=now - timedelta(days=5), status=Event.Status.CANCELLED)
    EventFactory(guild=cast.guild, starts_at=now - timedelta(days=3), channel_id=1)
    assert [e["id"] for e in api.get(api.url("/events"), when="past", channel_id=str(CHANNEL_ID)).json()["items"]] == [
        old.id
    ]
    assert [e["id"] for e in api.get(api.url("/events"), when="past", status="cancelled").json()["items"]] == [older.id]
    assert api.get(api.url("/events"), when="all").json()["count"] == 3


@pytest.mark.parametrize(
    ("params", "loc"),
    [
        ({"limit": 0}, ["query", "limit"]),
        ({"limit": 101}, ["query", "limit"]),
        ({"offset": -1}, ["query", "offset"]),
        ({"when": "tomorrow"}, ["query", "when"]),
        ({"status": "maybe"}, ["query", "status"]),
        ({"channel_id": "x"}, ["query", "channel_id"]),
    ],
)
def test_a_bad_filter_is_422_naming_it(api, params, loc):
    response = api.get(api.url("/events"), **params)
    assert response.status_code == 422
    assert error(response)["errors"][0]["loc"] == loc


def test_it_gets_one_event_with_its_counts(api, cast):
    event = EventFactory(guild=cast.guild, starts_at=soon(), capacity=1)
    RegistrationFactory(event=event, member=cast.member.member, status=Registration.Status.GOING)
    RegistrationFactory(event=event, member=cast.organiser.member, status=Registration.Status.WAITLISTED)
    body = api.get(api.url(f"/events/{event.id}")).json()
    assert (body["going"], body["waitlisted"], body["capacity"]) == (1, 1, 1)


def test_another_guilds_event_is_404_for_every_method(api, cast):
    theirs = EventFactory(guild=cast.outsider.guild, starts_at=soon())
    mine_path = api.url(f"/events/{theirs.id}")
    their_path = api.url(f"/events/{theirs.id}", guild_id=cast.outsider.guild_id)
    assert error(api.get(mine_path)) == {"detail": "There is no such event in this guild.", "errors": []}
    for path in (mine_path, their_path):
        assert api.get(path).status_code == 404
        assert api.send("PATCH", path, {"title": "Mine now"}).status_code == 404
        assert api.send("POST", f"{path}/cancel").status_code == 404
    theirs.refresh_from_db()
    assert (theirs.title, theirs.status) != ("Mine now", "cancelled")
    assert theirs.status == "scheduled"


def test_it_updates_an_event_and_a_moved_start_moves_the_end(api, cast):
    start = soon()
    event = EventFactory(guild=cast.guild, starts_at=start, ends_at=start + timedelta(hours=2))
    response = api.send("PATCH", api.url(f"/events/{event.id}"), {"starts_at": iso(start + timedelta(days=1))})
    assert response.status_code == 200
    body = response.json()
    assert datetime.fromisoformat(body["ends_at"]) == start + timedelta(days=1, hours=2)
    event.refresh_from_db()
    assert event.starts_at == start + timedelta(days=1)


def test_null_removes_a_capacity_and_a_title_may_not_be_null(api, cast):
    event = EventFactory(guild=cast.guild, starts_at=soon(), capacity=5)
    assert api.send("PATCH", api.url(f"/events/{event.id}"), {"capacity": None}).json()["capacity"] is None
    response = api.send("PATCH", api.url(f"/events/{event.id}"), {"title": None})
    assert response.status_code == 422
    assert error(response)["errors"] == [{"loc": ["body", "title"], "msg": "may not be null", "type": "value_error"}]


def test_an_empty_update_is_refused(api, cast):
    event = EventFactory(guild=cast.guild, starts_at=soon())
    response = api.send("PATCH", api.url(f"/events/{event.id}"), {})
    assert response.status_code == 422
    assert error(response)["detail"] == "Nothing to change: send at least one field."


def test_a_capacity_below_those_going_is_409(api, cast):
    event = EventFactory(guild=cast.guild, starts_at=soon(), capacity=5)
    for who in (cast.member, cast.organiser):
        RegistrationFactory(event=event, member=who.member)
    response = api.send("PATCH", api.url(f"/events/{event.id}"), {"capacity": 1})
    assert response.status_code == 409
    assert error(response)["detail"] == "2 members are already going; the capacity cannot be lower than that."


def test_a_cancelled_event_cannot_be_changed(api, cast):
    event = EventFactory(guild=cast.guild, starts_at=soon(), status=Event.Status.CANCELLED)
    response = api.send("PATCH", api.url(f"/events/{event.id}"), {"title": "Back on"})
    assert response.status_code == 409
    assert error(response) == {"detail": "This event is cancelled.", "errors": []}


def test_it_cancels_an_event_once_and_registrants_are_told(api, cast):
    event = EventFactory(guild=cast.guild, starts_at=soon())
    RegistrationFactory(event=event, member=cast.member.member)
    first = api.send("POST", api.url(f"/events/{event.id}/cancel"))
    again = api.send("POST", api.url(f"/events/{event.id}/cancel"))
    assert (first.status_code, again.status_code) == (200, 200)
    assert first.json()["status"] == again.json()["status"] == "cancelled"
    assert OutboundMessage.objects.filter(member_id=cast.member.member_id).count() == 1


def test_an_event_id_too_large_for_the_database_is_422_not_500(api):
    response = api.get(api.url(f"/events/{2**63}"))
    assert response.status_code == 422
    assert error(response)["errors"][0]["loc"] == ["path", "event_id"]


def test_datetimes_are_answered_in_utc(api, cast):
    start = datetime(2030, 3, 1, 18, 0, tzinfo=UTC)
    event = EventFactory(guild=cast.guild, starts_at=start)
    assert api.get(api.url(f"/events/{event.id}")).json()["starts_at"] in (
        "2030-03-01T18:00:00Z",
        "2030-03-01T18:00:00+00:00",
    )


def test_a_start_with_a_far_utc_offset_is_stored_as_its_instant(api):
    start = soon(10).replace(tzinfo=None).isoformat() + "+20:30"
    response = api.send("POST", api.url("/events"), picnic(starts_at=start))
    assert response.status_code == 201
    assert Event.objects.get().starts_at == datetime.fromisoformat(start)


def test_a_page_of_events_costs_the_same_queries_whatever_its_length(api, cast, django_assert_num_queries):
    for days in range(1, 6):
        EventFactory(guild=cast.guild, starts_at=soon(days))
    # The token and its last use (the rate limit is Redis), then the page: rows, reminders, options, count.
    with django_assert_num_queries(6):
        assert api.get(api.url("/events")).json()["count"] == 5


ROLE = "500000000000000011"


def test_it_creates_an_event_with_signup_options_and_roles_and_shows_them(api, cast):
    options = [{"label": "Driver", "capacity": 4}, {"label": "Rider"}]
    response = api.send("POST", api.url("/events"), picnic(signup_options=options, allowed_role_ids=[ROLE]))

    assert response.status_code == 201, response.json()
    event = Event.objects.get()
    assert [(o.label, o.capacity) for o in event.signup_options.all()] == [("Driver", 4), ("Rider", None)]
    assert event.allowed_role_ids == [int(ROLE)]
    driver = event.signup_options.get(label="Driver")
    RegistrationFactory(event=event, member=cast.member.member, status=Registration.Status.GOING, option=driver)
    body = api.get(api.url(f"/events/{event.id}")).json()
    assert body["allowed_role_ids"] == [ROLE]
    assert body["signup_options"] == [
        {"label": "Driver", "capacity": 4, "going": 1, "waitlisted": 0},
        {"label": "Rider", "capacity": None, "going": 0, "waitlisted": 0},
    ]


def test_signup_options_are_shown_in_their_order_after_an_edit_reorders_them(api):
    created = api.send("POST", api.url("/events"), picnic(signup_options=[{"label": "Rider"}, {"label": "Driver"}]))
    path = api.url(f"/events/{created.json()['id']}")

    reordered = [{"label": "Driver", "capacity": 1}, {"label": "Rider", "capacity": 4}]
    assert api.send("PATCH", path, {"signup_options": reordered}).status_code == 200

    for body in (api.get(path).json(), api.get(api.url("/events")).json()["items"][0]):
        assert [(o["label"], o["capacity"]) for o in body["signup_options"]] == [("Driver", 1), ("Rider", 4)]


@pytest.mark.parametrize(
    ("fields", "detail"),
    [
        (
            {"signup_options": [{"label": "Driver"}, {"label": "driver"}]},
            "There are two signup options called driver; give each its own name.",
        ),
        ({"signup_options": [{"label": " "}]}, "Each signup option needs a name."),
    ],
)
def test_bad_signup_options_are_422_with_discords_sentence(api, fields, detail):
    response = api.send("POST", api.url("/events"), picnic(**fields))

    assert response.status_code == 422
    assert error(response) == {
        "detail": detail,
        "errors": [{"loc": ["body", "signup_options"], "msg": detail, "type": "rule"}],
    }
    assert Event.objects.count() == 0


def test_more_options_or_roles_than_discord_takes_are_422_naming_the_field(api):
    too_many = [{"label": f"O{n}"} for n in range(6)]
    for fields, loc in (
        ({"signup_options": too_many}, "signup_options"),
        ({"allowed_role_ids": [ROLE] * 11}, "allowed_role_ids"),
    ):
        response = api.send("POST", api.url("/events"), picnic(**fields))
        assert response.status_code == 422
        assert error(response)["errors"][0]["loc"][:2] == ["body", loc]
    assert Event.objects.count() == 0


def test_updating_options_keeps_their_members_and_refuses_dropping_one_members_chose(api, cast):
    created = api.send("POST", api.url("/events"), picnic(signup_options=[{"label": "Driver", "capacity": 4}]))
    event = Event.objects.get(id=created.json()["id"])
    driver = event.signup_options.get()
    RegistrationFactory(event=event, member=cast.member.member, status=Registration.Status.GOING, option=driver)

    refused = api.send("PATCH", api.url(f"/events/{event.id}"), {"signup_options": [{"label": "Rider"}]})
    assert refused.status_code == 409
    assert error(refused)["detail"].startswith("1 member has signed up as Driver")

    done = api.send(
        "PATCH",
        api.url(f"/events/{event.id}"),
        {"signup_options": [{"label": "Driver", "capacity": 2}, {"label": "Rider"}], "allowed_role_ids": [ROLE]},
    )
    assert done.status_code == 200, done.json()
    assert [o["label"] for o in done.json()["signup_options"]] == ["Driver", "Rider"]
    assert done.json()["signup_options"][0] == {"label": "Driver", "capacity": 2, "going": 1, "waitlisted": 0}
    assert done.json()["allowed_role_ids"] == [ROLE]
    opened = api.send("PATCH", api.url(f"/events/{event.id}"), {"allowed_role_ids": []})
    assert opened.json()["allowed_role_ids"] == []
    assert api.send("PATCH", api.url(f"/events/{event.id}"), {"signup_options": None}).status_code == 422


def space_error(loc: str, msg: str) -> list[dict]:
    return [{"loc": ["body", "space", loc], "msg": msg, "type": "rule"}]


def test_an_event_is_created_with_a_thread_and_an_attendee_role_and_shows_them(api, cast):
    response = api.send("POST", api.url("/events"), picnic(space={"kind": "thread", "attendee_role": True}))
    assert response.status_code == 201
    event = Event.objects.get()
    assert response.json()["space"] == {
        "kind": "thread",
        "include_waitlist": False,
        "category_id": None,
        "attendee_role": True,
        "channel_id": None,  # made by the sync, which asks Discord
        "role_id": None,
        "cleaned_up_at": None,
        "problem": "",
    }
    space = EventSpace.objects.get(event=event)
    assert (space.kind, space.attendee_role, space.requested_by_id) == ("thread", True, None)
    plain = api.send("POST", api.url("/events"), picnic(title="Plain")).json()
    assert (plain["space"]["kind"], plain["space"]["attendee_role"]) == ("none", False)


def test_an_update_gives_an_event_a_private_channel_in_a_category_muster_knows(api, cast):
    SpaceDefaults.objects.create(guild=cast.guild, category_id=700_000_000_000_000_001)
    event = EventFactory(guild=cast.guild, starts_at=soon())
    sent = {"kind": "channel", "category_id": "700000000000000001", "include_waitlist": True}
    response = api.send("PATCH", api.url(f"/events/{event.id}"), {"space": sent})
    assert response.status_code == 200
    shown = response.json()["space"]
    assert (shown["kind"], shown["category_id"], shown["include_waitlist"]) == ("channel", "700000000000000001", True)
    assert api.get(api.url(f"/events/{event.id}")).json()["space"] == shown
    removed = api.send("PATCH", api.url(f"/events/{event.id}"), {"space": {"category_id": None}})
    assert (removed.json()["space"]["category_id"], removed.json()["space"]["kind"]) == (None, "channel")


def test_a_category_of_another_guild_is_422_and_nothing_changes(api, cast):
    SpaceDefaults.objects.create(guild=cast.outsider.guild, category_id=700_000_000_000_000_002)
    event = EventFactory(guild=cast.guild, starts_at=soon(), title="Picnic")
    sent = {"title": "Renamed", "space": {"kind": "channel", "category_id": "700000000000000002"}}
    response = api.send("PATCH", api.url(f"/events/{event.id}"), sent)
    assert response.status_code == 422
    body = error(response)
    assert body["detail"].startswith(f"That category is not one Muster knows in {cast.guild.name}: choose it once")
    assert body["errors"] == space_error("category_id", body["detail"])
    event.refresh_from_db()
    assert (event.title, EventSpace.objects.filter(event=event).exists()) == ("Picnic", False)
    created = api.send("POST", api.url("/events"), picnic(space={"category_id": "700000000000000002"}))
    assert (created.status_code, Event.objects.filter(title="Picnic").count()) == (422, 1)  # no event made


def test_what_is_already_made_is_409_and_a_bad_space_is_422(api, cast):
    event = EventFactory(guild=cast.guild, starts_at=soon())
    EventSpace.objects.create(event=event, guild=cast.guild, kind="thread", channel_id=900_000_000_000_000_001)
    response = api.send("PATCH", api.url(f"/events/{event.id}"), {"space": {"kind": "channel"}})
    assert response.status_code == 409
    assert error(response) == {"detail": "This event already has a thread; it stays until its cleanup.", "errors": []}
    for sent, loc in (
        ({"space": {"kind": "tent"}}, ["body", "space", "kind"]),
        ({"space": {"attendee_role": None}}, ["body", "space", "attendee_role"]),
        ({"space": None}, ["body", "space"]),
        ({"space": {"category_id": "12x"}}, ["body", "space", "category_id"]),
    ):
        refused = api.send("PATCH", api.url(f"/events/{event.id}"), sent)
        assert (refused.status_code, error(refused)["errors"][0]["loc"]) == (422, loc), sent
    assert EventSpace.objects.get(event=event).kind == "thread"


def test_another_guilds_event_space_is_404_and_untouched(api, cast):
    theirs = EventFactory(guild=cast.outsider.guild, starts_at=soon())
    for guild_id in (None, cast.outsider.guild_id):
        path = api.url(f"/events/{theirs.id}", guild_id=guild_id)
        assert api.send("PATCH", path, {"space": {"kind": "thread"}}).status_code == 404
    assert not EventSpace.objects.filter(event=theirs).exists()
