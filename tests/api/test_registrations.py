"""An event's registrations through the API: listed in order, set and removed as an organiser would."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import OutboundMessage
from events.models import Registration, SignupOption
from tests.api.conftest import error
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import GuildMemberFactory

pytestmark = pytest.mark.django_db
Status = Registration.Status


@pytest.fixture
def event(cast):
    return EventFactory(guild=cast.guild, starts_at=timezone.now() + timedelta(days=3), capacity=1)


def test_it_lists_registrations_with_waitlist_places(api, cast, event):
    extra = GuildMemberFactory(guild=cast.guild)
    RegistrationFactory(event=event, member=cast.member.member, status=Status.GOING)
    RegistrationFactory(event=event, member=cast.organiser.member, status=Status.WAITLISTED)
    RegistrationFactory(event=event, member=extra.member, status=Status.WAITLISTED)
    body = api.get(api.url(f"/events/{event.id}/registrations")).json()
    assert body["count"] == 3
    rows = [(row["member_id"], row["status"], row["waitlist_position"]) for row in body["items"]]
    assert rows == [
        (str(cast.member.member_id), "going", None),
        (str(cast.organiser.member_id), "waitlisted", 1),
        (str(extra.member_id), "waitlisted", 2),
    ]
    only = api.get(api.url(f"/events/{event.id}/registrations"), status="waitlisted").json()
    assert [row["waitlist_position"] for row in only["items"]] == [1, 2]


def test_setting_going_on_a_full_event_puts_the_member_on_the_waitlist(api, cast, event):
    RegistrationFactory(event=event, member=cast.organiser.member, status=Status.GOING)
    path = api.url(f"/events/{event.id}/registrations/{cast.member.member_id}")
    response = api.send("PUT", path, {"status": "going"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["waitlist_position"]) == ("waitlisted", 1)
    assert api.send("PUT", path, {"status": "going"}).json()["status"] == "waitlisted"  # unchanged
    assert Registration.objects.filter(event=event).count() == 2


def test_removing_a_member_moves_the_waitlist_up_and_tells_them(api, cast, event):
    RegistrationFactory(event=event, member=cast.organiser.member, status=Status.GOING)
    RegistrationFactory(event=event, member=cast.member.member, status=Status.WAITLISTED)
    response = api.send("DELETE", api.url(f"/events/{event.id}/registrations/{cast.organiser.member_id}"))
    assert response.status_code == 204
    assert Registration.objects.get(event=event).status == Status.GOING
    assert OutboundMessage.objects.filter(member_id=cast.member.member_id).count() == 1


def test_removing_someone_not_registered_is_404(api, cast, event):
    response = api.send("DELETE", api.url(f"/events/{event.id}/registrations/{cast.member.member_id}"))
    assert response.status_code == 404
    assert error(response) == {"detail": "That member is not registered.", "errors": []}


def test_a_member_of_another_guild_cannot_be_registered(api, cast, event):
    response = api.send(
        "PUT", api.url(f"/events/{event.id}/registrations/{cast.outsider.member_id}"), {"status": "going"}
    )
    assert response.status_code == 404
    assert error(response)["detail"] == "There is no such member in this guild."
    assert Registration.objects.count() == 0


def test_a_status_that_is_not_a_choice_is_422(api, cast, event):
    response = api.send(
        "PUT", api.url(f"/events/{event.id}/registrations/{cast.member.member_id}"), {"status": "waitlisted"}
    )
    assert response.status_code == 422
    assert error(response)["errors"][0]["loc"] == ["body", "status"]


def test_after_the_deadline_only_declined_is_accepted(api, cast):
    now = timezone.now()
    event = EventFactory(guild=cast.guild, starts_at=now + timedelta(days=2), signup_deadline=now - timedelta(hours=1))
    path = api.url(f"/events/{event.id}/registrations/{cast.member.member_id}")
    response = api.send("PUT", path, {"status": "going"})
    assert response.status_code == 409
    assert error(response) == {"detail": "Registration for this event is closed.", "errors": []}
    assert api.send("PUT", path, {"status": "declined"}).json()["status"] == "declined"


def test_another_guilds_event_registrations_are_404(api, cast):
    theirs = EventFactory(guild=cast.outsider.guild, starts_at=timezone.now() + timedelta(days=3))
    RegistrationFactory(event=theirs, member=cast.outsider.member)
    assert api.get(api.url(f"/events/{theirs.id}/registrations")).status_code == 404
    path = api.url(f"/events/{theirs.id}/registrations/{cast.outsider.member_id}")
    assert api.send("DELETE", path).status_code == 404
    assert Registration.objects.filter(event=theirs).count() == 1


def test_going_on_an_event_with_options_names_the_option(api, cast):
    event = EventFactory(guild=cast.guild, starts_at=timezone.now() + timedelta(days=3))
    SignupOption.objects.create(event=event, label="Driver", capacity=1, position=0)
    SignupOption.objects.create(event=event, label="Rider", position=1)
    url = api.url(f"/events/{event.id}/registrations/{cast.member.member_id}")

    unnamed = api.send("PUT", url, {"status": "going"})
    assert unnamed.status_code == 422
    assert error(unnamed)["errors"][0]["loc"] == ["body", "option"]
    unknown = api.send("PUT", url, {"status": "going", "option": "Pilot"})
    assert error(unknown)["detail"] == "That is not one of this event's signup options (Driver, Rider)."

    done = api.send("PUT", url, {"status": "going", "option": "driver"})
    assert (done.status_code, done.json()["status"], done.json()["option"]) == (200, "going", "Driver")
    other = api.url(f"/events/{event.id}/registrations/{cast.organiser.member_id}")
    full = api.send("PUT", other, {"status": "going", "option": "Driver"})
    assert (full.json()["status"], full.json()["waitlist_position"], full.json()["option"]) == (
        "waitlisted",
        1,
        "Driver",
    )
    listed = api.get(api.url(f"/events/{event.id}/registrations")).json()["items"]
    assert [row["option"] for row in listed] == ["Driver", "Driver"]
