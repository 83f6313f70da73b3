"""Check-in: the window around the event, going members only, once; the post's button and its redraws."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import RuleError
from core.hooks import post_extras
from results import checkin
from results.models import CheckIn, CheckInWindow
from tests.events.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def upcoming(cast):
    """An event starting in an hour and ending two hours later, alice going, check-in on."""
    start = timezone.now() + timedelta(hours=1)
    event = EventFactory(guild=cast.guild, title="Quiz", starts_at=start, ends_at=start + timedelta(hours=2))
    RegistrationFactory(event=event, member=cast.member.member)
    checkin.use_check_in(cast.guild.id, event.id, enabled=True, by_id=cast.organiser.member_id)
    return event


def test_check_in_is_open_from_30_minutes_before_the_start_to_the_end(cast, upcoming):
    start, end = upcoming.starts_at, upcoming.ends_at
    with pytest.raises(RuleError, match=r"^Check-in for Quiz opens <t:\d+:R>\.$"):
        checkin.check_in(cast.guild.id, upcoming.id, cast.member.member_id, now=start - timedelta(minutes=31))
    with pytest.raises(RuleError, match=r"^Check-in for Quiz has closed\.$"):
        checkin.check_in(cast.guild.id, upcoming.id, cast.member.member_id, now=end)
    made = checkin.check_in(cast.guild.id, upcoming.id, cast.member.member_id, now=start - timedelta(minutes=30))
    assert (made.member_id, made.checked_in_at) == (cast.member.member_id, start - timedelta(minutes=30))


def test_a_member_checks_in_once_and_only_when_going(cast, upcoming):
    during = upcoming.starts_at + timedelta(minutes=5)
    checkin.check_in(cast.guild.id, upcoming.id, cast.member.member_id, now=during)
    with pytest.raises(RuleError, match=r"^You already checked in to Quiz \(<t:\d+:t>\)\.$"):
        checkin.check_in(cast.guild.id, upcoming.id, cast.member.member_id, now=during)
    with pytest.raises(RuleError, match=r"^Only members going to Quiz can check in\.$"):
        checkin.check_in(cast.guild.id, upcoming.id, cast.organiser.member_id, now=during)
    assert CheckIn.objects.count() == 1


def test_an_event_without_check_in_refuses_it(cast):
    event = EventFactory(guild=cast.guild, title="Picnic", starts_at=timezone.now())
    with pytest.raises(RuleError, match=r"^Picnic does not use check-in\.$"):
        checkin.check_in(cast.guild.id, event.id, cast.member.member_id, now=timezone.now())
    assert post_extras(event.id, timezone.now()).buttons == []


def test_an_event_without_an_end_closes_check_in_three_hours_after_its_start(cast):
    event = EventFactory(guild=cast.guild, starts_at=timezone.now())
    assert checkin.window(event) == (event.starts_at - timedelta(minutes=30), event.starts_at + timedelta(hours=3))


def test_the_post_shows_the_button_only_while_the_window_is_open(cast, upcoming):
    start = upcoming.starts_at
    before = post_extras(upcoming.id, start - timedelta(minutes=45))
    assert (before.buttons, before.footer) == ([], ["Check-in opens shortly before the start."])
    during = post_extras(upcoming.id, start)
    assert [b["custom_id"] for b in during.buttons] == [f"results:checkin:{upcoming.id}"]
    assert during.footer == ["Checked in: 0 of 1 going"]
    after = post_extras(upcoming.id, upcoming.ends_at)
    assert (after.buttons, after.footer) == ([], ["Checked in: 0 of 1 going (check-in closed)"])


def test_the_tick_redraws_each_post_once_as_the_window_opens_and_once_as_it_closes(cast, upcoming):
    start = upcoming.starts_at
    assert checkin.redraw_windows(start - timedelta(minutes=40)) == 0
    assert checkin.redraw_windows(start - timedelta(minutes=29)) == 1
    assert checkin.redraw_windows(start - timedelta(minutes=28)) == 0
    assert checkin.redraw_windows(upcoming.ends_at) == 1
    assert checkin.redraw_windows(upcoming.ends_at + timedelta(minutes=1)) == 0
    window = CheckInWindow.objects.get()
    assert window.opened_drawn_at == start - timedelta(minutes=29)
    assert window.closed_drawn_at == upcoming.ends_at


def test_the_unique_constraint_keeps_one_check_in_per_member(cast, upcoming):
    from django.db import IntegrityError, transaction

    CheckIn.objects.create(event=upcoming, guild=cast.guild, member=cast.member.member)
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckIn.objects.create(event=upcoming, guild=cast.guild, member=cast.member.member)
