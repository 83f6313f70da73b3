"""Simultaneous decisions against PostgreSQL: a request is decided once, a cancelled one never approved."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from django.db import connection

from core.errors import RuleError
from core.models import OutboundMessage
from leave import services
from leave.models import LeaveRequest
from tests.cast import ORGANISER_ROLE_ID
from tests.factories import GuildMemberFactory, MemberFactory
from tests.leave.helpers import NOW, ask

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]
Status = LeaveRequest.Status


def simultaneously(calls):
    """Run every call in its own thread and database connection, released together; results or RuleErrors."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait()
            return call()
        except RuleError as refusal:
            return refusal
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.fixture
def approvers(team):
    more = [
        GuildMemberFactory(guild=team.guild, member=MemberFactory(), role_ids=[ORGANISER_ROLE_ID]) for _ in range(3)
    ]
    return [team.organiser.member_id, *(m.member_id for m in more)]


def test_approvers_clicking_at_once_decide_once(team, approvers):
    for day in range(7, 12):  # Monday to Friday: a day each round
        request = ask(team, "Vacation", date(2026, 12, day))
        rid = request.id
        calls = [lambda a=a, r=rid: services.approve(r, a, now=NOW) for a in approvers[:2]]
        calls += [lambda a=a, r=rid: services.decline(r, a, "No", now=NOW) for a in approvers[2:]]
        results = simultaneously(calls)
        decided = [r for r in results if isinstance(r, LeaveRequest)]
        assert len(decided) == 1
        request.refresh_from_db()
        assert (request.status, request.decided_by_id) == (decided[0].status, decided[0].decided_by_id)
        assert OutboundMessage.objects.filter(idempotency_key=f"leave:{request.id}:decided").count() == 1


def test_a_request_cancelled_while_an_approver_clicks_ends_cancelled(team, approvers):
    for day in range(14, 19):
        request = ask(team, "Vacation", date(2026, 12, day))
        approve, cancel = simultaneously(
            [
                lambda r=request.id: services.approve(r, approvers[0], now=NOW),
                lambda r=request.id: services.cancel(r, team.member.member_id, now=NOW),
            ]
        )
        request.refresh_from_db()
        assert request.status == Status.CANCELLED
        assert isinstance(cancel, LeaveRequest)
        if isinstance(approve, RuleError):  # the cancel landed first: never approved
            assert request.decided_by_id is None
            assert not OutboundMessage.objects.filter(idempotency_key=f"leave:{request.id}:decided").exists()


def test_two_overlapping_requests_at_once_make_one(team):
    results = simultaneously([lambda: ask(team, "Vacation", date(2026, 12, 9), date(2026, 12, 10)) for _ in range(4)])
    assert len([r for r in results if isinstance(r, LeaveRequest)]) == 1
    assert all("already asked" in r.message for r in results if isinstance(r, RuleError))
    assert LeaveRequest.objects.filter(member_id=team.member.member_id).count() == 1
