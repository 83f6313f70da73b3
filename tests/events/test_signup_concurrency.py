"""Simultaneous clicks for signup options against PostgreSQL: each option's capacity holds."""

from datetime import timedelta

import pytest

from events.models import Registration, SignupOption
from events.services import EventDraft, create_event, respond
from events.signup import OptionSpec, Signup
from tests.events.factories import NOW
from tests.events.test_concurrency import simultaneously
from tests.factories import GuildFactory, MemberFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]
Status = Registration.Status


def test_simultaneous_clicks_keep_each_options_capacity_and_the_events():
    event = create_event(
        GuildFactory(),
        EventDraft(title="Trip", starts_at=NOW + timedelta(days=2), capacity=6),
        now=NOW,
        gates=Signup(options=(OptionSpec("Driver", 2), OptionSpec("Rider", 16))),
    )
    driver, rider = (SignupOption.objects.get(event=event, label=label) for label in ("Driver", "Rider"))
    members = MemberFactory.create_batch(24)
    calls = [
        lambda m=m, n=n: respond(
            event.id, m.id, Status.GOING, sequence=n, now=NOW, option_id=(driver if n % 2 else rider).id
        )
        for n, m in enumerate(members)
    ]
    simultaneously(calls)
    # Neither the option's places nor the event's are overbooked, and nobody is lost. (Which
    # clicks win is the order they commit in: riders may fill the event before a second driver.)
    going = event.registrations.filter(status=Status.GOING)
    assert going.filter(option=driver).count() <= 2
    assert going.count() == 6
    assert going.filter(option=rider).count() == 6 - going.filter(option=driver).count()
    assert event.registrations.filter(status=Status.WAITLISTED).count() == 18


def test_simultaneous_leaves_promote_each_waiting_member_of_the_option_once():
    event = create_event(
        GuildFactory(),
        EventDraft(title="Trip", starts_at=NOW + timedelta(days=2)),
        now=NOW,
        gates=Signup(options=(OptionSpec("Driver", 3),)),
    )
    driver = SignupOption.objects.get(event=event)
    going, waiting = MemberFactory.create_batch(3), MemberFactory.create_batch(5)
    for n, member in enumerate(going + waiting):
        respond(event.id, member.id, Status.GOING, sequence=n, now=NOW, option_id=driver.id)
    results = simultaneously(
        [lambda m=m: respond(event.id, m.id, Status.DECLINED, sequence=100, now=NOW) for m in going]
    )
    promoted = [member_id for result in results for member_id in result.promoted]
    assert sorted(promoted) == sorted(m.id for m in waiting[:3])
    assert event.registrations.filter(status=Status.GOING, option=driver).count() == 3
