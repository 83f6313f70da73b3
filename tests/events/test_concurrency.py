"""Simultaneous clicks against PostgreSQL: capacity holds, the waitlist follows the clicks."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from core.recurrence import parse_rule
from events.models import Event, Registration, Series
from events.series import SeriesPlan, create_series, materialise
from events.services import EventDraft, respond
from tests.events.factories import NOW, EventFactory
from tests.factories import GuildFactory, MemberFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]
Status = Registration.Status


def simultaneously(calls):
    """Run every call in its own thread and database connection, released together."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait()
            return call()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def test_simultaneous_going_clicks_never_exceed_the_capacity():
    event = EventFactory(capacity=5)
    members = MemberFactory.create_batch(30)
    results = simultaneously(
        [lambda m=m, n=n: respond(event.id, m.id, Status.GOING, sequence=n, now=NOW) for n, m in enumerate(members)]
    )
    assert sorted(r.status for r in results).count(Status.GOING) == 5
    assert event.registrations.filter(status=Status.GOING).count() == 5
    waiting = list(event.registrations.filter(status=Status.WAITLISTED).order_by("sequence", "id"))
    assert len(waiting) == 25
    assert [w.sequence for w in waiting] == sorted(w.sequence for w in waiting)


def test_simultaneous_leaves_promote_each_waiting_member_once():
    event = EventFactory(capacity=4)
    goers, waiters = MemberFactory.create_batch(4), MemberFactory.create_batch(6)
    for n, member in enumerate(goers + waiters):
        respond(event.id, member.id, Status.GOING, sequence=n, now=NOW)
    results = simultaneously(
        [lambda m=m: respond(event.id, m.id, Status.DECLINED, sequence=100, now=NOW) for m in goers]
    )
    promoted = [member_id for r in results for member_id in r.promoted]
    assert sorted(promoted) == sorted(m.id for m in waiters[:4])
    assert set(event.registrations.filter(status=Status.GOING).values_list("member_id", flat=True)) == {
        m.id for m in waiters[:4]
    }


def test_the_same_member_clicking_going_many_times_at_once_registers_once():
    event = EventFactory(capacity=3)
    member = MemberFactory()
    results = simultaneously([lambda: respond(event.id, member.id, Status.GOING, sequence=1, now=NOW)] * 8)
    assert [r.changed for r in results].count(True) == 1
    assert event.registrations.count() == 1


def test_simultaneous_series_ticks_make_each_occurrence_once():
    now, guild = datetime(2027, 3, 1, 9, 0, tzinfo=UTC), GuildFactory(timezone="Europe/Berlin")
    draft = EventDraft(title="Choir", starts_at=now + timedelta(days=1))
    for _ in range(10):
        create_series(guild, draft, SeriesPlan(parse_rule("weekly")), now=now)
    later = now + timedelta(days=7)

    made = simultaneously([lambda: materialise(now=later).occurrences for _ in range(4)])

    assert sum(made) == 10  # one new week for each series, made by whichever tick locked it
    assert Event.objects.count() == 90
    assert Series.objects.filter(materialised_until=later + timedelta(days=56)).count() == 10
