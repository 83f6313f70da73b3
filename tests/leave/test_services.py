"""Leave's rules: what a request counts, overlaps, balances, decisions and cancelling."""

from datetime import date
from decimal import Decimal

import pytest

from core.errors import RuleError
from core.models import GuildMember, OutboundMessage
from leave import services
from leave.balances import balance
from leave.models import Holiday, LeaveRequest, LeaveSettings, LeaveType
from tests.factories import GuildMemberFactory, MemberFactory
from tests.leave.helpers import NOW, ask

pytestmark = pytest.mark.django_db
Status = LeaveRequest.Status


def kind(cast, name):
    return LeaveType.objects.get(guild=cast.guild, name=name)


def test_a_guild_gets_the_default_leave_types_once_on_first_use(cast):
    services.setup(cast.guild.id)
    services.setup(cast.guild.id)
    types = {t.name: t for t in LeaveType.objects.filter(guild=cast.guild)}
    assert list(types) == ["Vacation", "Sick", "Personal", "Off-duty"]
    assert (types["Vacation"].allowance_days, types["Vacation"].carry_over_days) == (25, 5)
    assert types["Sick"].unlimited and types["Sick"].auto_approve
    assert LeaveSettings.objects.filter(guild=cast.guild).count() == 1


def test_weekends_and_the_guilds_own_holidays_are_not_counted(team):
    week = ask(team, "Vacation", date(2026, 12, 7), date(2026, 12, 13))  # Monday to Sunday
    assert week.days == 5
    Holiday.objects.create(guild=team.guild, date=date(2026, 12, 16), name="Founders' day")
    assert ask(team, "Vacation", date(2026, 12, 14), date(2026, 12, 18)).days == 4


def test_the_countrys_public_holidays_are_not_counted(team):
    LeaveSettings.objects.filter(guild=team.guild).update(holiday_country="GB", holiday_subdivision="ENG")
    # Christmas Day is a Friday; Boxing Day a Saturday, its substitute day Monday 28th.
    request = ask(team, "Vacation", date(2026, 12, 21), date(2026, 12, 28))
    assert request.days == 4


def test_a_request_with_no_working_day_is_refused(team):
    with pytest.raises(RuleError, match="has no working day"):
        ask(team, "Vacation", date(2026, 12, 5), date(2026, 12, 6))  # a weekend


def test_a_half_day_counts_half_and_is_one_day_of_a_type_that_allows_it(team):
    morning = ask(team, "Vacation", date(2026, 12, 2), half="morning")
    assert morning.days == Decimal("0.5")
    afternoon = ask(team, "Personal", date(2026, 12, 2), half="afternoon")  # the other half: no overlap
    assert afternoon.days == Decimal("0.5")
    with pytest.raises(RuleError, match="already asked"):
        ask(team, "Vacation", date(2026, 12, 2), half="morning")
    with pytest.raises(RuleError, match="one day"):
        ask(team, "Vacation", date(2026, 12, 3), date(2026, 12, 4), half="morning")
    LeaveType.objects.filter(guild=team.guild, name="Off-duty").update(half_days=False)
    with pytest.raises(RuleError, match="whole days"):
        ask(team, "Off-duty", date(2026, 12, 3), half="afternoon")
    assert balance(team.member.member_id, kind(team, "Vacation"), 2026).pending == Decimal("0.5")


def test_a_request_overlapping_ones_own_pending_or_approved_leave_is_refused(team):
    first = ask(team, "Vacation", date(2026, 12, 7), date(2026, 12, 11))
    with pytest.raises(RuleError, match=r"already asked for Vacation leave on Monday 7 December 2026 to Friday 11"):
        ask(team, "Personal", date(2026, 12, 11), date(2026, 12, 14))
    services.decline(first.id, team.organiser.member_id, "Short that week", now=NOW)
    assert ask(team, "Personal", date(2026, 12, 11)).status == Status.PENDING  # a declined request frees its days
    other = GuildMemberFactory(guild=team.guild, member=MemberFactory())
    assert ask(team, "Vacation", date(2026, 12, 8), who=other).days == 1  # someone else's leave is no overlap


@pytest.mark.parametrize(
    ("start", "end", "refusal"),
    [
        (date(2026, 12, 9), date(2026, 12, 8), "before it starts"),
        (date(2026, 11, 30), date(2026, 12, 2), "is past"),
        (date(2026, 12, 30), date(2027, 1, 4), "within one year"),
        (date(2029, 1, 8), date(2029, 1, 9), "two years ahead"),
    ],
)
def test_dates_must_be_in_order_ahead_and_within_a_year(team, start, end, refusal):
    with pytest.raises(RuleError, match=refusal):
        ask(team, "Vacation", start, end)


def test_a_request_beyond_the_balance_is_refused_unless_the_type_allows_a_negative_balance(team):
    ask(team, "Personal", date(2026, 12, 2), date(2026, 12, 3))
    with pytest.raises(RuleError) as refusal:
        ask(team, "Personal", date(2026, 12, 8), date(2026, 12, 9))
    assert refusal.value.message == (
        "That is 2 days of Personal leave, and you have 1 day left in 2026 "
        "(3 days a year, 0 days carried over, 0 days taken, 2 days waiting for approval)."
    )
    LeaveType.objects.filter(guild=team.guild, name="Personal").update(negative_allowed=True)
    ask(team, "Personal", date(2026, 12, 8), date(2026, 12, 9))
    held = balance(team.member.member_id, kind(team, "Personal"), 2026)
    assert (held.used, held.pending, held.remaining) == (0, 4, -1)


def _taken(cast, year: int, days: int, status=Status.APPROVED):
    return LeaveRequest.objects.create(
        guild=cast.guild,
        member_id=cast.member.member_id,
        leave_type=kind(cast, "Vacation"),
        start=date(year, 3, 2),
        end=date(year, 3, 2),
        days=days,
        status=status,
    )


def test_unused_days_carry_over_up_to_the_cap_year_after_year(team):
    vacation = kind(team, "Vacation")  # 25 a year, at most 5 carried
    _taken(team, 2024, 18)  # 7 left: 5 carried into 2025
    _taken(team, 2025, 28)  # 25 + 5 - 28 = 2 carried into 2026
    _taken(team, 2025, 3, status=Status.CANCELLED)  # counts nowhere
    held = balance(team.member.member_id, vacation, 2026)
    assert (held.carried, held.used, held.remaining) == (2, 0, 27)
    assert balance(team.member.member_id, vacation, 2025).carried == 5
    LeaveType.objects.filter(pk=vacation.pk).update(carry_over_days=0)
    vacation.refresh_from_db()
    assert balance(team.member.member_id, vacation, 2026).remaining == 25


def test_sick_leave_approves_itself_and_asks_no_approver(team):
    sick = ask(team, "Sick", date(2026, 12, 1))
    assert sick.status == Status.APPROVED and sick.decided_at == NOW
    assert not OutboundMessage.objects.filter(idempotency_key__startswith=f"leave:{sick.id}:").exists()
    assert balance(team.member.member_id, kind(team, "Sick"), 2026).remaining is None


def test_a_request_asks_each_approver_by_dm_and_the_decision_tells_the_member(team):
    request = ask(team, "Vacation", date(2026, 12, 7), date(2026, 12, 8))
    [dm] = OutboundMessage.objects.filter(idempotency_key__startswith=f"leave:{request.id}:ask:")
    assert dm.member_id == team.organiser.member_id
    buttons = [b["custom_id"] for b in dm.payload["components"][0]["components"]]
    assert buttons == [f"leave:approve:{request.id}", f"leave:decline:{request.id}"]

    services.approve(request.id, team.organiser.member_id, now=NOW)

    request.refresh_from_db()
    assert (request.status, request.decided_by_id) == (Status.APPROVED, team.organiser.member_id)
    told = OutboundMessage.objects.get(idempotency_key=f"leave:{request.id}:decided")
    assert told.member_id == team.member.member_id
    assert told.payload["content"].startswith("Your leave was approved: Vacation, Monday 7 December 2026")
    held = balance(team.member.member_id, kind(team, "Vacation"), 2026)
    assert (held.used, held.pending, held.remaining) == (2, 0, 23)


def test_the_approver_role_replaces_the_organisers_as_approvers(team):
    boss = GuildMemberFactory(guild=team.guild, member=MemberFactory(), role_ids=[4242])
    LeaveSettings.objects.filter(guild=team.guild).update(approver_role_id=4242)
    request = ask(team, "Vacation", date(2026, 12, 7))
    with pytest.raises(RuleError, match="Only this server's leave approvers"):
        services.approve(request.id, team.organiser.member_id, now=NOW)
    assert services.approvers(team.guild.id) == [boss.member_id]
    GuildMember.objects.filter(pk=boss.pk).update(left_at=NOW)  # gone from the server: no longer approves
    assert services.approvers(team.guild.id) == []


def test_a_decision_is_made_once_and_never_by_the_member_or_an_outsider(team):
    request = ask(team, "Vacation", date(2026, 12, 7))
    with pytest.raises(RuleError, match="your own leave"):
        services.approve(request.id, team.member.member_id, now=NOW)
    with pytest.raises(RuleError, match="approvers"):
        services.approve(request.id, team.outsider.member_id, now=NOW)
    with pytest.raises(RuleError, match="Say why"):
        services.decline(request.id, team.organiser.member_id, "  ", now=NOW)
    services.decline(request.id, team.organiser.member_id, "Inventory week", now=NOW)
    with pytest.raises(RuleError, match="already declined by Olivia"):
        services.approve(request.id, team.organiser.member_id, now=NOW)
    told = OutboundMessage.objects.get(idempotency_key=f"leave:{request.id}:decided")
    assert told.payload["content"].endswith("The reason: Inventory week")


def test_cancelling_approved_future_leave_gives_its_days_back_and_tells_the_approver(team):
    request = ask(team, "Vacation", date(2026, 12, 7), date(2026, 12, 11))
    services.approve(request.id, team.organiser.member_id, now=NOW)
    services.cancel(request.id, team.member.member_id, now=NOW)
    held = balance(team.member.member_id, kind(team, "Vacation"), 2026)
    assert (held.used, held.remaining) == (0, 25)
    told = OutboundMessage.objects.get(idempotency_key=f"leave:{request.id}:cancelled")
    assert told.member_id == team.organiser.member_id
    with pytest.raises(RuleError, match="already cancelled"):
        services.cancel(request.id, team.member.member_id, now=NOW)
    with pytest.raises(RuleError, match="cancelled meanwhile"):
        services.approve(request.id, team.organiser.member_id, now=NOW)


def test_leave_that_has_begun_is_cancelled_by_an_organiser_not_the_member(team):
    request = ask(team, "Sick", date(2026, 12, 1), date(2026, 12, 3))
    with pytest.raises(RuleError, match="has begun"):
        services.cancel(request.id, team.member.member_id, now=NOW)
    with pytest.raises(RuleError, match="no such leave request"):
        services.cancel(request.id, team.organiser.member_id, now=NOW)  # not theirs
    services.cancel(request.id, None, now=NOW)  # an organiser on the dashboard
    assert LeaveRequest.objects.get(id=request.id).status == Status.CANCELLED
    told = OutboundMessage.objects.get(idempotency_key=f"leave:{request.id}:cancelled")
    assert told.member_id == team.member.member_id


def test_settings_check_the_country_and_types_their_days(team):
    saved = services.save_settings(team.guild.id, services.SettingsDraft(None, None, 9, "gb", "eng"))
    assert (saved.holiday_country, saved.holiday_subdivision) == ("GB", "ENG")
    with pytest.raises(RuleError, match="XX is not a country"):
        services.save_settings(team.guild.id, services.SettingsDraft(None, None, 9, "XX", ""))
    with pytest.raises(RuleError, match="not a subdivision of GB"):
        services.save_settings(team.guild.id, services.SettingsDraft(None, None, 9, "GB", "ZZZ"))
    with pytest.raises(RuleError, match="in halves"):
        services.save_type(team.guild.id, services.TypeDraft("Study", Decimal("2.3")))
    with pytest.raises(RuleError, match="already has a leave type called vacation"):
        services.save_type(team.guild.id, services.TypeDraft("vacation", None))
    study = services.save_type(team.guild.id, services.TypeDraft("Study", Decimal("2.5")))
    assert services.find_type(team.guild.id, "STUDY") == study


def test_forget_me_deletes_the_members_requests_and_unlinks_their_decisions(team):
    from core import personal_data

    mine = ask(team, "Vacation", date(2026, 12, 7))
    theirs = ask(team, "Vacation", date(2026, 12, 8), who=team.organiser)
    # alice decided olivia's request (as an approver would)
    LeaveRequest.objects.filter(id=theirs.id).update(status=Status.APPROVED, decided_by_id=team.member.member_id)
    exported = personal_data.export(team.member.member_id, now=NOW)
    assert '"leave.LeaveRequest"' in exported and f'"id": {mine.id}' in exported

    changed = personal_data.forget(team.member.member_id, now=NOW)

    assert changed["leave.LeaveRequest"] == 2
    assert not LeaveRequest.objects.filter(id=mine.id).exists()
    assert LeaveRequest.objects.get(id=theirs.id).decided_by_id is None


def test_an_approver_who_is_away_is_not_asked_unless_every_approver_is(team):
    deputy = GuildMemberFactory(guild=team.guild, member=MemberFactory(), is_organiser=True)
    olivias = ask(team, "Sick", date(2026, 12, 1), who=team.organiser)  # olivia is off sick today
    assert olivias.status == Status.APPROVED
    request = ask(team, "Vacation", date(2026, 12, 14))
    asked = OutboundMessage.objects.filter(idempotency_key__startswith=f"leave:{request.id}:ask:")
    assert list(asked.values_list("member_id", flat=True)) == [deputy.member_id]
    Holiday.objects.create(guild=team.guild, date=date(2026, 12, 1), name="Founders' day")  # now nobody is in
    later = ask(team, "Vacation", date(2026, 12, 15))
    asked = OutboundMessage.objects.filter(idempotency_key__startswith=f"leave:{later.id}:ask:")
    assert sorted(asked.values_list("member_id", flat=True)) == sorted([team.organiser.member_id, deputy.member_id])
