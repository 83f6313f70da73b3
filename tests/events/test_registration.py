"""Going, Maybe, Can't go: capacity, the waitlist, the deadline."""

from datetime import timedelta

import pytest

from core.errors import RuleError
from events.models import Registration
from events.services import respond, waitlist_position
from tests.events.factories import NOW, EventFactory, RegistrationFactory
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db
Status = Registration.Status


def statuses(event):
    return list(event.registrations.order_by("sequence").values_list("member__username", "status"))


def test_it_registers_a_member_as_going():
    event, member = EventFactory(capacity=2), MemberFactory(username="alice")
    response = respond(event.id, member.id, Status.GOING, sequence=10, now=NOW)
    assert (response.status, response.changed, response.waitlist_position) == (Status.GOING, True, None)
    assert statuses(event) == [("alice", "going")]


def test_it_waitlists_going_when_the_event_is_full_in_click_order():
    event = EventFactory(capacity=1)
    first, second, third = MemberFactory(username="a"), MemberFactory(username="b"), MemberFactory(username="c")
    respond(event.id, first.id, Status.GOING, sequence=1, now=NOW)
    # The later click is processed first; the waitlist still follows the clicks.
    late = respond(event.id, third.id, Status.GOING, sequence=3, now=NOW)
    early = respond(event.id, second.id, Status.GOING, sequence=2, now=NOW)
    assert (late.status, late.waitlist_position) == (Status.WAITLISTED, 1)
    assert (early.status, early.waitlist_position) == (Status.WAITLISTED, 1)
    assert waitlist_position(Registration.objects.get(member=third)) == 2


def test_it_treats_a_second_going_click_as_no_change():
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, status=Status.WAITLISTED)
    response = respond(event.id, waiting.member_id, Status.GOING, sequence=99, now=NOW)
    assert (response.status, response.changed, response.waitlist_position) == (Status.WAITLISTED, False, 1)
    waiting.refresh_from_db()
    assert waiting.sequence != 99


def test_it_has_no_limit_without_a_capacity():
    event = EventFactory(capacity=None)
    for n in range(5):
        respond(event.id, MemberFactory().id, Status.GOING, sequence=n, now=NOW)
    assert event.registrations.filter(status=Status.GOING).count() == 5


def test_it_records_maybe_and_cant_go_without_taking_a_place():
    event, member = EventFactory(capacity=1), MemberFactory()
    assert respond(event.id, member.id, Status.MAYBE, sequence=1, now=NOW).status == Status.MAYBE
    assert respond(event.id, member.id, Status.DECLINED, sequence=2, now=NOW).status == Status.DECLINED
    other = respond(event.id, MemberFactory().id, Status.GOING, sequence=3, now=NOW)
    assert other.status == Status.GOING


def test_it_closes_registration_at_the_signup_deadline_but_lets_members_withdraw():
    event = EventFactory(signup_deadline=NOW - timedelta(minutes=1), capacity=None)
    going = RegistrationFactory(event=event)
    with pytest.raises(RuleError, match=r"^Registration for this event is closed\.$"):
        respond(event.id, MemberFactory().id, Status.GOING, sequence=1, now=NOW)
    with pytest.raises(RuleError, match=r"^Registration for this event is closed\.$"):
        respond(event.id, going.member_id, Status.MAYBE, sequence=1, now=NOW)
    response = respond(event.id, going.member_id, Status.DECLINED, sequence=1, now=NOW)
    assert response.status == Status.DECLINED


def test_it_refuses_clicks_once_the_event_has_started():
    event = EventFactory(starts_at=NOW)
    with pytest.raises(RuleError, match=r"^This event has already started\.$"):
        respond(event.id, MemberFactory().id, Status.GOING, sequence=1, now=NOW)


def test_it_refuses_clicks_on_a_cancelled_event():
    event = EventFactory(status="cancelled")
    with pytest.raises(RuleError, match=r"^This event is cancelled\.$"):
        respond(event.id, MemberFactory().id, Status.GOING, sequence=1, now=NOW)


def test_it_refuses_clicks_on_a_deleted_event():
    with pytest.raises(RuleError, match=r"^This event no longer exists\.$"):
        respond(123456, MemberFactory().id, Status.GOING, sequence=1, now=NOW)


def test_a_click_scoped_to_another_guild_is_refused_and_changes_nothing():
    event, member = EventFactory(), MemberFactory()
    with pytest.raises(RuleError, match=r"^There is no such event in this server\.$"):
        respond(event.id, member.id, Status.GOING, sequence=1, now=NOW, guild_id=event.guild_id + 1)
    assert event.registrations.count() == 0


def test_a_scoped_click_returns_the_event_it_locked():
    event, member = EventFactory(), MemberFactory()
    response = respond(event.id, member.id, Status.GOING, sequence=1, now=NOW, guild_id=event.guild_id)
    assert (response.status, response.event.pk) == (Status.GOING, event.pk)
