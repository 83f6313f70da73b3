"""Custom commands and scheduled messages of a guild: the dashboard's side of issue 17.

Every change goes through ``community.services`` / ``community.schedules``, exactly as
``/custom`` and ``/schedule`` do; their ``RuleError`` becomes the form's error. A
schedule is saved only after its next five occurrences were shown: the first POST
previews, the "Save" button of the preview posts the same fields with ``confirm``.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone

from community import schedules, services
from community.models import CustomCommand, GuildCommandSync, Occurrence, ScheduledMessage
from core import organiser_log
from core.errors import RuleError
from core.permissions import SESSION_MEMBER_ID
from dashboard.forms_community import CommandForm, ScheduleForm
from dashboard.nav import render_guild
from dashboard.scoping import organised_guild_or_404
from dashboard.submissions import create_once


def _member_id(request) -> int | None:
    """The Discord user behind the login (None for an operator's password login)."""
    member_id = request.session.get(SESSION_MEMBER_ID)
    return int(member_id) if member_id else None


# --- custom commands --------------------------------------------------------------------


@login_required
def commands(request, guild_id: int):
    """The guild's custom commands, with where each /<name> registration stands."""
    guild = organised_guild_or_404(request, guild_id)
    context = {
        "guild": guild,
        "commands": CustomCommand.objects.filter(guild=guild).order_by("name"),
        "sync": GuildCommandSync.objects.filter(guild=guild).first(),
    }
    return render_guild(request, guild, "commands", "dashboard/guild/commands.html", context)


def _save_command(request, guild, command: CustomCommand | None):
    if request.method != "POST":
        form = CommandForm.of(guild, command) if command else CommandForm(guild)
        return _command_form(request, guild, form, command)
    form = CommandForm(guild, request.POST)
    if form.is_valid():
        now = timezone.now()
        try:
            draft = form.draft()
            if command is None:
                member_id = _member_id(request)

                def create():
                    return services.create_command(guild, draft, created_by_id=member_id, now=now)

                _, first = create_once(request, guild, form, "created custom command", create, lambda row: "")
                if not first:
                    messages.info(request, "This form was already sent: the command was created once.")
            else:
                with transaction.atomic():
                    saved = services.update_command(command, draft, now=now)
                    organiser_log.record(request, guild.id, "edited custom command", saved)
        except RuleError as error:
            form.add_error(None, error.message)
        else:
            return redirect("dashboard:commands", guild_id=guild.id)
    return _command_form(request, guild, form, command, status=400)


def _command_form(request, guild, form, command, *, status: int = 200):
    context = {"guild": guild, "form": form, "command": command}
    return render_guild(request, guild, "commands", "dashboard/guild/command_form.html", context, status=status)


@login_required
def command_create(request, guild_id: int):
    return _save_command(request, organised_guild_or_404(request, guild_id), None)


@login_required
def command_edit(request, guild_id: int, command_id: int):
    guild = organised_guild_or_404(request, guild_id)
    return _save_command(request, guild, get_object_or_404(CustomCommand, guild=guild, id=command_id))


@login_required
def command_delete(request, guild_id: int, command_id: int):
    guild = organised_guild_or_404(request, guild_id)
    command = get_object_or_404(CustomCommand, guild=guild, id=command_id)
    if request.method != "POST":  # after the scoping: another guild's URL is 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    name = f"{command} (custom command {command.id})"  # the row is gone once deleted
    with transaction.atomic():  # the log's row with the change, or neither
        services.delete_command(command, now=timezone.now())
        organiser_log.record(request, guild.id, "deleted custom command", name)
    return redirect("dashboard:commands", guild_id=guild.id)


# --- scheduled messages -----------------------------------------------------------------


@login_required
def schedule_list(request, guild_id: int):
    """The guild's schedules: status, next post, and how many occurrences an outage skipped."""
    guild = organised_guild_or_404(request, guild_id)
    return render_guild(request, guild, "schedules", "dashboard/guild/schedules.html", {"schedules": _schedules(guild)})


def _save_schedule(request, guild, schedule: ScheduledMessage | None):
    if request.method != "POST":
        form = ScheduleForm.of(guild, schedule) if schedule else ScheduleForm(guild)
        return _schedule_form(request, guild, form, schedule)
    form = ScheduleForm(guild, request.POST)
    if not form.is_valid():
        return _schedule_form(request, guild, form, schedule, status=400)
    now = timezone.now()
    try:
        draft = form.draft(now=now)
        if "confirm" not in request.POST:
            occurrences = schedules.preview(guild, draft, now=now)
            zone = ZoneInfo(draft.timezone)
            shown = [moment.astimezone(zone).strftime("%a %Y-%m-%d %H:%M %Z") for moment in occurrences]
            return _schedule_form(request, guild, form, schedule, preview=shown)
        if schedule is None:
            # A double click or a resent POST must not make a second schedule that posts twice.
            member_id = _member_id(request)

            def create():
                return schedules.create_schedule(guild, draft, created_by_id=member_id, now=now)

            _, first = create_once(request, guild, form, "created scheduled message", create, _posts_in)
            if not first:
                messages.info(request, "This form was already sent: the schedule was created once.")
        else:
            with transaction.atomic():
                saved = schedules.update_schedule(schedule, draft, now=now)
                organiser_log.record(request, guild.id, "edited scheduled message", saved, _posts_in(saved))
    except RuleError as error:
        form.add_error(None, error.message)
        return _schedule_form(request, guild, form, schedule, status=400)
    return redirect("dashboard:schedules", guild_id=guild.id)


def _posts_in(schedule: ScheduledMessage) -> str:
    return f"posts in #{schedule.channel_id}, {schedule.repeat}"


def _schedule_form(request, guild, form, schedule, *, preview=None, status: int = 200):
    context = {"guild": guild, "form": form, "schedule": schedule, "preview": preview}
    return render_guild(request, guild, "schedules", "dashboard/guild/schedule_form.html", context, status=status)


def _schedule_or_404(guild, schedule_id: int) -> ScheduledMessage:
    return get_object_or_404(ScheduledMessage, guild=guild, id=schedule_id)


@login_required
def schedule_create(request, guild_id: int):
    return _save_schedule(request, organised_guild_or_404(request, guild_id), None)


@login_required
def schedule_edit(request, guild_id: int, schedule_id: int):
    guild = organised_guild_or_404(request, guild_id)
    return _save_schedule(request, guild, _schedule_or_404(guild, schedule_id))


def _schedule_action(request, guild_id: int, schedule_id: int):
    """The guild and schedule of an action's URL (404 first), or the 405 of a GET."""
    guild = organised_guild_or_404(request, guild_id)
    schedule = _schedule_or_404(guild, schedule_id)
    if request.method != "POST":  # after the scoping: another guild's URL is 404 whatever the method
        return guild, schedule, HttpResponseNotAllowed(["POST"])
    return guild, schedule, None


def _schedules(guild):
    skipped = Count("occurrences", filter=Q(occurrences__outcome=Occurrence.Outcome.SKIPPED))
    return ScheduledMessage.objects.filter(guild=guild).annotate(skipped=skipped).order_by("status", "id")


@login_required
def schedule_pause(request, guild_id: int, schedule_id: int):
    guild, schedule, refused = _schedule_action(request, guild_id, schedule_id)
    if refused:
        return refused
    with transaction.atomic():
        if schedules.pause_schedule(schedule, now=timezone.now(), reason="paused by an organiser"):
            organiser_log.record(request, guild.id, "paused scheduled message", schedule)
    return redirect("dashboard:schedules", guild_id=guild.id)


@login_required
def schedule_resume(request, guild_id: int, schedule_id: int):
    guild, schedule, refused = _schedule_action(request, guild_id, schedule_id)
    if refused:
        return refused
    try:
        with transaction.atomic():
            schedules.resume_schedule(schedule, now=timezone.now())
            organiser_log.record(request, guild.id, "resumed scheduled message", schedule)
    except RuleError as error:
        context = {"schedules": _schedules(guild), "error": error.message}
        return render_guild(request, guild, "schedules", "dashboard/guild/schedules.html", context, status=409)
    return redirect("dashboard:schedules", guild_id=guild.id)


@login_required
def schedule_delete(request, guild_id: int, schedule_id: int):
    guild, schedule, refused = _schedule_action(request, guild_id, schedule_id)
    if refused:
        return refused
    name = str(schedule)
    with transaction.atomic():
        schedules.delete_schedule(schedule)
        organiser_log.record(request, guild.id, "deleted scheduled message", name)
    return redirect("dashboard:schedules", guild_id=guild.id)
