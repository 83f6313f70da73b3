"""The Leave page: settings, types, holidays, and requests decided by an organiser, each logged."""

from __future__ import annotations

from datetime import date

import pytest

from core.models import OrganiserAction, OutboundMessage
from leave import services
from leave.models import Holiday, LeaveRequest, LeaveSettings, LeaveType

from .conftest import csrf_post, log_in

pytestmark = pytest.mark.django_db


def leave_url(world, tail: str = "") -> str:
    return f"/dashboard/g/{world.cast.guild.id}/leave/{tail}"


def pending(world, day=date(2099, 6, 1)) -> LeaveRequest:
    services.setup(world.cast.guild.id)
    vacation = LeaveType.objects.get(guild=world.cast.guild, name="Vacation")
    return LeaveRequest.objects.create(
        guild=world.cast.guild, member_id=world.cast.member.member_id, leave_type=vacation, start=day, end=day, days=1
    )


def actions(world) -> list[str]:
    return list(OrganiserAction.objects.filter(guild=world.cast.guild).values_list("action", flat=True))


def test_the_page_shows_the_default_types_and_saves_settings_through_the_services(world):
    olivia = log_in(world, "olivia")
    page = olivia.get(leave_url(world))
    assert page.status_code == 200
    assert [t.name for t in page.context["types"]] == ["Vacation", "Sick", "Personal", "Off-duty"]
    data = {"away_post_hour": "8", "holiday_country": "de", "holiday_subdivision": "by"}
    assert csrf_post(olivia, leave_url(world), data, page=leave_url(world)).status_code == 302
    settings = LeaveSettings.objects.get(guild=world.cast.guild)
    assert (settings.away_post_hour, settings.holiday_country, settings.holiday_subdivision) == (8, "DE", "BY")
    refused = csrf_post(olivia, leave_url(world), {**data, "holiday_country": "QQ"}, page=leave_url(world))
    assert refused.status_code == 400 and "QQ is not a country" in refused.content.decode()
    assert actions(world) == ["changed leave settings"]


def test_types_and_holidays_are_added_changed_and_removed(world):
    olivia = log_in(world, "olivia")
    olivia.get(leave_url(world))
    made = {"name": "Study", "allowance_days": "2.5", "needs_approval": "on", "carry_over_days": "0", "active": "on"}
    assert csrf_post(olivia, leave_url(world, "types/add/"), made, page=leave_url(world)).status_code == 302
    study = LeaveType.objects.get(guild=world.cast.guild, name="Study")
    assert study.allowance_days == 2.5 and not study.half_days
    clash = csrf_post(olivia, leave_url(world, "types/add/"), {**made, "name": "vacation"}, page=leave_url(world))
    assert clash.status_code == 400
    url = leave_url(world, f"types/{study.id}/")
    assert csrf_post(olivia, url, {**made, "allowance_days": ""}, page=url).status_code == 302
    study.refresh_from_db()
    assert study.unlimited
    day = {"date": "2099-05-01", "name": "Club day"}
    assert csrf_post(olivia, leave_url(world, "holidays/add/"), day, page=leave_url(world)).status_code == 302
    again = csrf_post(olivia, leave_url(world, "holidays/add/"), day, page=leave_url(world))
    assert again.status_code == 400 and "already a holiday" in again.content.decode()
    holiday = Holiday.objects.get(guild=world.cast.guild)
    remove = leave_url(world, f"holidays/{holiday.id}/remove/")
    assert csrf_post(olivia, remove, {}, page=leave_url(world)).status_code == 302
    assert not Holiday.objects.exists()
    assert actions(world) == ["removed holiday", "added holiday", "changed leave type", "added leave type"]


def test_an_organiser_approves_declines_and_cancels_and_the_member_is_told(world):
    olivia = log_in(world, "olivia")
    first, second = pending(world), pending(world, date(2099, 6, 2))
    decide = leave_url(world, f"requests/{first.id}/decide/")
    assert csrf_post(olivia, decide, {"decision": "approve"}, page=leave_url(world)).status_code == 302
    first.refresh_from_db()
    assert first.status == LeaveRequest.Status.APPROVED
    assert OutboundMessage.objects.filter(idempotency_key=f"leave:{first.id}:decided").exists()
    twice = csrf_post(olivia, decide, {"decision": "approve"}, page=leave_url(world))
    assert twice.status_code == 409 and "already approved" in twice.content.decode()
    declined = leave_url(world, f"requests/{second.id}/decide/")
    no_reason = csrf_post(olivia, declined, {"decision": "decline", "reason": ""}, page=leave_url(world))
    assert no_reason.status_code == 409
    csrf_post(olivia, declined, {"decision": "decline", "reason": "Busy"}, page=leave_url(world))
    second.refresh_from_db()
    assert (second.status, second.decline_reason) == (LeaveRequest.Status.DECLINED, "Busy")
    cancel = leave_url(world, f"requests/{first.id}/cancel/")
    assert csrf_post(olivia, cancel, {}, page=leave_url(world)).status_code == 302
    assert LeaveRequest.objects.get(id=first.id).status == LeaveRequest.Status.CANCELLED
    assert OutboundMessage.objects.get(idempotency_key=f"leave:{first.id}:cancelled").member_id == first.member_id
    assert actions(world) == ["cancelled leave", "declined leave", "approved leave"]
