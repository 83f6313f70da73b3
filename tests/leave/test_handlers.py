"""/leave and the approvers' buttons, as the dispatcher runs them."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.utils import timezone

from core.errors import RuleError
from core.models import Member, OutboundMessage
from leave.models import LeaveRequest
from tests.cast import handle
from tests.leave.helpers import ask

pytestmark = pytest.mark.django_db
Status = LeaveRequest.Status


def next_weekday(weekday: int, weeks: int = 1) -> date:
    """A date ``weeks`` weeks ahead on ``weekday`` (0 Monday), safely in the future whatever today is."""
    today = timezone.now().date()
    return today + timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks)


def in_dm(cast, who, **data):
    """A click or form in a DM: no guild."""
    return replace(cast.interaction(who, **data), guild_id=None)


def leave_command(cast, who, sub: str, **options):
    return handle(cast.interaction(who, command=f"leave {sub}", options=options))


def test_a_request_reads_the_dates_in_the_members_zone_and_asks_the_approvers(team):
    monday = next_weekday(0)
    friday = monday + timedelta(days=4)
    reply = leave_command(team, team.member, "request", type="vacation", to=friday.isoformat(), **{"from": str(monday)})
    request = LeaveRequest.objects.get(member_id=team.member.member_id)
    assert (request.start, request.end, request.days, request.status) == (monday, friday, 5, Status.PENDING)
    assert reply.content == (
        f"Asked for Vacation leave, {request.span_text()}: 5 days (request #{request.id}). "
        "The approvers have it; you will get a DM."
    )
    assert OutboundMessage.objects.filter(idempotency_key=f"leave:{request.id}:ask:{team.organiser.member_id}").exists()


def test_a_request_reads_day_first_or_month_first_as_the_guild_says_and_refuses_nonsense(team):
    Member.objects.filter(id=team.member.member_id).update(timezone="Pacific/Auckland")
    year = timezone.now().year + 1
    reply = leave_command(team, team.member, "request", type="Sick", to=f"6/1/{year}", **{"from": f"5/1/{year}"})
    request = LeaveRequest.objects.get(member_id=team.member.member_id)
    assert (request.start, request.end) == (date(year, 1, 5), date(year, 1, 6))
    assert reply.content.startswith("Approved: Sick leave")
    with pytest.raises(RuleError, match="I could not read the from date 'soon'"):
        leave_command(team, team.member, "request", type="Sick", to="tomorrow", **{"from": "soon"})
    with pytest.raises(RuleError, match="no leave type called 'Holiday': pick one of Vacation, Sick, Personal"):
        leave_command(team, team.member, "request", type="Holiday", to="tomorrow", **{"from": "tomorrow"})


def test_approve_in_the_dm_updates_it_and_a_second_click_is_told_it_is_decided(team):
    request = ask(team, "Vacation", next_weekday(1), now=timezone.now())
    click = in_dm(team, team.organiser, kind="component", custom_id=f"leave:approve:{request.id}")
    update = handle(click)
    assert update.components == [] and update.content == "Approved by you."
    assert LeaveRequest.objects.get(id=request.id).status == Status.APPROVED
    with pytest.raises(RuleError, match="already approved by Olivia"):
        handle(click)


def test_the_decline_form_records_the_reason_and_an_outsider_cannot_decide(team):
    request = ask(team, "Vacation", next_weekday(2), now=timezone.now())
    submitted = {"kind": "modal", "custom_id": f"leave:declined:{request.id}"}
    with pytest.raises(RuleError, match="approvers"):
        handle(in_dm(team, team.outsider, fields={"reason": "No"}, **submitted))
    reply = handle(in_dm(team, team.organiser, fields={"reason": "Release week"}, **submitted))
    assert reply.content.startswith("Declined: Vacation")
    request.refresh_from_db()
    assert (request.status, request.decline_reason) == (Status.DECLINED, "Release week")


def test_balance_mine_cancel_and_who(team):
    monday = next_weekday(0)
    request = ask(team, "Vacation", monday, monday + timedelta(days=1), now=timezone.now())
    ask(team, "Personal", monday + timedelta(days=3), half="morning", now=timezone.now())
    balance = leave_command(team, team.member, "balance", year=monday.year).embeds[0]["description"]
    assert "**Vacation**: 23 days left of 25 days; 0 days taken, 2 days waiting" in balance
    assert "**Sick**: unlimited; 0 days taken, 0 days waiting" in balance
    mine = leave_command(team, team.member, "mine").embeds[0]["description"].splitlines()
    assert mine[0].startswith(f"#{request.id} Vacation, ") and mine[0].endswith("2 days (waiting for approval)")
    assert mine[1].endswith(": 0.5 days (waiting for approval)")

    handle(team.interaction(team.organiser, kind="component", custom_id=f"leave:approve:{request.id}"))
    week = leave_command(team, team.organiser, "who", when="week")
    assert week.embeds[0]["description"] == "Nobody is away."  # next week, not this one
    cancelled = leave_command(team, team.member, "cancel", request=request.id)
    assert cancelled.content.endswith("Its days are back in your balance.")
    with pytest.raises(RuleError, match="no such leave request"):
        leave_command(team, team.outsider, "cancel", request=request.id)


def test_who_is_away_today_names_the_members_on_approved_leave(team):
    today = timezone.now().astimezone(timezone.get_current_timezone()).date()
    LeaveRequest.objects.create(
        guild=team.guild,
        member_id=team.member.member_id,
        leave_type=team.guild.leave_types.get(name="Off-duty"),
        start=today - timedelta(days=1),
        end=today + timedelta(days=2),
        days=3,
        status=Status.APPROVED,
    )
    end = today + timedelta(days=2)
    reply = leave_command(team, team.organiser, "who")
    assert reply.embeds[0]["description"] == f"<@{team.member.member_id}>: Off-duty until {end:%A} {end.day} {end:%B}"
    assert reply.allowed_mentions == {"parse": []}
