"""The guild's Leave section: settings, leave types, the holiday calendar, and requests to decide.

Every change calls ``leave.services`` and is logged (``core.organiser_log``) in the same
transaction. Decisions here are an organiser's: the member is told by DM as when an
approver clicks in Discord, and the same compare-and-set decides once.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone

from core import organiser_log
from core.errors import RuleError
from dashboard.forms_leave import DeclineForm, HolidayForm, LeaveSettingsForm, LeaveTypeForm
from dashboard.nav import render_guild
from dashboard.scoping import organised_guild_or_404
from leave import days_off, services
from leave.models import Holiday, LeaveRequest, LeaveType

Status = LeaveRequest.Status


def _page(request, guild, *, status: int = 200, **forms):
    settings = services.setup(guild.id)
    today = timezone.now().astimezone(ZoneInfo(guild.timezone or "UTC")).date()
    upcoming = (
        LeaveRequest.objects.filter(guild=guild, end__gte=today, status__in=(Status.PENDING, Status.APPROVED))
        .select_related("member", "leave_type")
        .order_by("status", "start", "id")[:200]
    )
    country_days = days_off.country_holidays(
        settings.holiday_country, settings.holiday_subdivision, today, today.replace(year=today.year + 1)
    )
    context = {
        "settings_form": forms.get("settings_form") or LeaveSettingsForm.of(guild, settings),
        "type_form": forms.get("type_form") or LeaveTypeForm(),
        "holiday_form": forms.get("holiday_form") or HolidayForm(),
        "decline_form": DeclineForm(),
        "error": forms.get("error"),
        "types": LeaveType.objects.filter(guild=guild),
        "holidays": Holiday.objects.filter(guild=guild, date__gte=today),
        "country_days": sorted(country_days.items())[:20],
        "requests": upcoming,
    }
    return render_guild(request, guild, "leave", "dashboard/guild/leave.html", context, status=status)


def _post_only(request):
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


@login_required
def leave(request, guild_id: int):
    """The page; its POST saves the settings."""
    guild = organised_guild_or_404(request, guild_id)
    if request.method != "POST":
        return _page(request, guild)
    form = LeaveSettingsForm(guild, request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                saved = services.save_settings(guild.id, form.draft())
                organiser_log.record(request, guild.id, "changed leave settings", saved)
        except RuleError as error:
            form.add_error(None, error.message)
        else:
            return redirect("dashboard:leave", guild_id=guild.id)
    return _page(request, guild, settings_form=form, status=400)


@login_required
def leave_type_add(request, guild_id: int):
    guild = organised_guild_or_404(request, guild_id)
    if refused := _post_only(request):
        return refused
    form = LeaveTypeForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                made = services.save_type(guild.id, form.draft())
                organiser_log.record(request, guild.id, "added leave type", made)
        except RuleError as error:
            form.add_error(None, error.message)
        else:
            return redirect("dashboard:leave", guild_id=guild.id)
    return _page(request, guild, type_form=form, status=400)


@login_required
def leave_type(request, guild_id: int, type_id: int):
    """One leave type's form (GET), saved by POST."""
    guild = organised_guild_or_404(request, guild_id)
    current = get_object_or_404(LeaveType, guild=guild, id=type_id)
    form = LeaveTypeForm(request.POST if request.method == "POST" else None, instance=current)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                with transaction.atomic():
                    saved = services.save_type(guild.id, form.draft(), leave_type=LeaveType.objects.get(id=type_id))
                    organiser_log.record(request, guild.id, "changed leave type", saved)
            except RuleError as error:
                form.add_error(None, error.message)
            else:
                return redirect("dashboard:leave", guild_id=guild.id)
    context = {"form": form, "leave_type": current}
    return render_guild(request, guild, "leave", "dashboard/guild/leave_type.html", context, status=status)


@login_required
def leave_holiday_add(request, guild_id: int):
    guild = organised_guild_or_404(request, guild_id)
    if refused := _post_only(request):
        return refused
    form = HolidayForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                holiday = services.add_holiday(guild.id, form.cleaned_data["date"], form.cleaned_data["name"])
                organiser_log.record(request, guild.id, "added holiday", holiday)
        except RuleError as error:
            form.add_error(None, error.message)
        else:
            return redirect("dashboard:leave", guild_id=guild.id)
    return _page(request, guild, holiday_form=form, status=400)


@login_required
def leave_holiday_remove(request, guild_id: int, holiday_id: int):
    guild = organised_guild_or_404(request, guild_id)
    holiday = get_object_or_404(Holiday, guild=guild, id=holiday_id)
    if refused := _post_only(request):
        return refused
    with transaction.atomic():
        services.remove_holiday(guild.id, holiday.id)
        organiser_log.record(request, guild.id, "removed holiday", f"{holiday} (holiday {holiday_id})")
    return redirect("dashboard:leave", guild_id=guild.id)


@login_required
def leave_decide(request, guild_id: int, request_id: int):
    """Approve (``decision=approve``) or decline with a reason a pending request."""
    guild = organised_guild_or_404(request, guild_id)
    asked = get_object_or_404(LeaveRequest, guild=guild, id=request_id)
    if refused := _post_only(request):
        return refused
    now = timezone.now()
    try:
        with transaction.atomic():
            if request.POST.get("decision") == "approve":
                decided = services.approve(asked.id, None, now=now)
                organiser_log.record(request, guild.id, "approved leave", decided, decided.span_text())
            else:
                reason = request.POST.get("reason") or ""
                decided = services.decline(asked.id, None, reason, now=now)
                organiser_log.record(request, guild.id, "declined leave", decided, reason)
    except RuleError as error:
        return _page(request, guild, error=error.message, status=409)
    return redirect("dashboard:leave", guild_id=guild.id)


@login_required
def leave_cancel(request, guild_id: int, request_id: int):
    guild = organised_guild_or_404(request, guild_id)
    asked = get_object_or_404(LeaveRequest, guild=guild, id=request_id)
    if refused := _post_only(request):
        return refused
    try:
        with transaction.atomic():
            cancelled = services.cancel(asked.id, None, now=timezone.now())
            organiser_log.record(request, guild.id, "cancelled leave", cancelled, cancelled.span_text())
    except RuleError as error:
        return _page(request, guild, error=error.message, status=409)
    return redirect("dashboard:leave", guild_id=guild.id)
