"""Simultaneous votes against PostgreSQL: each member counted once, a close counts them all."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from core.errors import RuleError
from core.models import OutboundMessage
from polls.models import Poll, Vote
from polls.services import close_poll, vote
from tests.events.factories import NOW
from tests.factories import MemberFactory
from tests.polls.factories import PollFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def simultaneously(calls):
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait()
            return call()
        except RuleError as error:
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def test_simultaneous_votes_of_different_members_are_all_counted():
    poll = PollFactory(labels=["A", "B"])
    a, b = poll.options.order_by("position")
    members = MemberFactory.create_batch(30)
    simultaneously([lambda m=m, n=n: vote(poll.id, (a, b)[n % 2].id, m.id, now=NOW) for n, m in enumerate(members)])
    assert [(t.label, t.votes) for t in poll.tally()] == [("A", 15), ("B", 15)]


def test_one_member_clicking_different_options_at_once_keeps_one_vote():
    poll = PollFactory(labels=["A", "B", "C"])
    options = list(poll.options.order_by("position"))
    member = MemberFactory()
    simultaneously([lambda o=o: vote(poll.id, o.id, member.id, now=NOW) for o in options * 4])
    assert Vote.objects.filter(poll=poll).count() <= 1
    assert sum(t.votes for t in poll.tally()) == Vote.objects.filter(poll=poll).count()


def test_one_member_double_clicking_an_option_of_a_multiple_choice_poll_has_at_most_one_vote_on_it():
    poll = PollFactory(labels=["A", "B"], multiple_choice=True)
    option = poll.options.get(position=1)
    member = MemberFactory()
    simultaneously([lambda: vote(poll.id, option.id, member.id, now=NOW)] * 8)
    assert Vote.objects.filter(poll=poll, option=option).count() in (0, 1)


def test_closing_while_votes_arrive_closes_once_and_counts_every_accepted_vote():
    poll = PollFactory(labels=["A", "B"])
    option = poll.options.get(position=1)
    members = MemberFactory.create_batch(20)
    calls = [lambda m=m: vote(poll.id, option.id, m.id, now=NOW) for m in members]
    calls += [lambda: close_poll(poll.id, now=NOW)] * 4
    results = simultaneously(calls)
    accepted = [r for r in results[:20] if not isinstance(r, RuleError)]
    assert results[20:].count(True) == 1
    assert Poll.objects.get(id=poll.id).status == "closed"
    assert Vote.objects.filter(poll=poll).count() == len(accepted)
    result = OutboundMessage.objects.get(idempotency_key=f"poll-result:{poll.id}").payload["content"]
    expected = f"Result: **A** with {len(accepted)} votes." if len(accepted) > 1 else result.splitlines()[1]
    assert result.splitlines()[1] == expected
