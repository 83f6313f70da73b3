"""Settings of a guild: its own fields, ride areas, Jira sites and Sheets export targets.

The guild's fields are saved through a model form (the model's validators are the rules,
as in the admin); ride areas through ``carpool.services``; "export now" enqueues the task
``/export now`` does (``sheets_export.tasks.export_soon``). Jira sites and export targets
are shown here and changed on their own pages (``views_jira_sites``, ``views_sheets_targets``,
with the admin's forms).
"""

from __future__ import annotations

import copy
from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone

from carpool import services as carpool
from carpool.models import Area
from core import organiser_log
from core.errors import RuleError
from core.permissions import SESSION_MEMBER_ID
from dashboard.forms_settings import AreaForm, GuildSettingsForm, SpaceDefaultsForm
from dashboard.nav import render_guild
from dashboard.scoping import organised_guild_or_404
from events import calendars, native, spaces
from events.discord.messages import offset_text
from events.services import DEFAULT_REMINDER_OFFSETS
from jira_sync.models import JiraLink, JiraSite
from sheets_export import tasks as sheets_tasks
from sheets_export.models import ExportRun, ExportTarget

RUNS_SHOWN = 3


def _page(
    request,
    guild,
    *,
    form=None,
    area_form=None,
    spaces_form=None,
    status: int = 200,
    exporting: int | None = None,
    calendar_url: str | None = None,
):
    links = JiraLink.objects.filter(status=JiraLink.Status.ACTIVE).select_related("member").order_by("member__username")
    sites = JiraSite.objects.filter(guild=guild).prefetch_related(Prefetch("links", queryset=links, to_attr="linked"))
    targets = list(ExportTarget.objects.filter(guild=guild).order_by("id"))
    runs = ExportRun.objects.filter(target__in=targets).order_by("target_id", "-started_at", "-id")
    recent: dict[int, list[ExportRun]] = {}
    for run in runs.only("target_id", "status", "started_at", "finished_at", "error", "rows_added", "rows_updated"):
        shown = recent.setdefault(run.target_id, [])
        if len(shown) < RUNS_SHOWN:
            shown.append(run)
    for target in targets:
        target.recent_runs = recent.get(target.id, [])
    context = {
        "guild": guild,
        "form": form or GuildSettingsForm(instance=guild),
        "area_form": area_form or AreaForm(),
        "areas": Area.objects.filter(guild=guild),
        "sites": sites,
        "targets": targets,
        "exporting": exporting,
        "calendar_url": calendar_url,
        "has_calendar": calendar_url is not None or calendars.has_link(guild_id=guild.id),
        "native": native.shown(guild.id),
        "space_defaults": spaces.defaults_text(spaces.defaults(guild.id)),
        "spaces_form": spaces_form or _spaces_form(guild),
        # Muster's one default (events.services); each event chooses its own in /event create.
        "default_reminders": ", ".join(offset_text(o) for o in DEFAULT_REMINDER_OFFSETS),
    }
    return render_guild(request, guild, "settings", "dashboard/guild/settings.html", context, status=status)


@login_required
def guild_settings(request, guild_id: int):
    """The settings page; a POST saves the guild's own fields."""
    guild = organised_guild_or_404(request, guild_id)
    if request.method != "POST":
        return _page(request, guild)
    # A copy: a refused form must not leave half its values on the guild the page shows.
    form = GuildSettingsForm(request.POST, instance=copy.copy(guild))
    if not form.is_valid():
        return _page(request, guild, form=form, status=400)
    changed = ", ".join(form.changed_data) or "nothing"
    with transaction.atomic():  # the log's row with the change, or neither
        form.save()
        organiser_log.record(request, guild.id, "changed settings", guild, f"changed {changed}")
    return redirect("dashboard:settings", guild_id=guild.id)


@login_required
def area_add(request, guild_id: int):
    guild = organised_guild_or_404(request, guild_id)
    if request.method != "POST":  # after the scoping: another guild's URL is 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    form = AreaForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                area = carpool.add_area(guild.id, form.cleaned_data["name"])
                organiser_log.record(request, guild.id, "added ride area", area)
        except RuleError as error:
            form.add_error("name", error.message)
        else:
            return redirect("dashboard:settings", guild_id=guild.id)
    return _page(request, guild, area_form=form, status=400)


@login_required
def area_remove(request, guild_id: int, area_id: int):
    guild = organised_guild_or_404(request, guild_id)
    area = get_object_or_404(Area, guild=guild, id=area_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    with transaction.atomic():
        carpool.remove_area(guild.id, area.name)
        organiser_log.record(request, guild.id, "removed ride area", f"{area.name} (ride area {area_id})")
    return redirect("dashboard:settings", guild_id=guild.id)


@login_required
def export_now(request, guild_id: int):
    """Every export target of the guild, exported soon: what /export now does."""
    guild = organised_guild_or_404(request, guild_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    ids = list(ExportTarget.objects.filter(guild=guild).values_list("id", flat=True))
    for target_id in ids:
        sheets_tasks.export_soon(target_id, "now")
    organiser_log.record(
        request, guild.id, "exported now", guild, f"{len(ids)} spreadsheet{'s' if len(ids) != 1 else ''}"
    )
    return _page(request, guild, exporting=len(ids))


@login_required
def calendar_link(request, guild_id: int):
    """A new calendar link of the guild's events, shown in this answer only; the old one stops working."""
    guild = organised_guild_or_404(request, guild_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    with transaction.atomic():  # the log's row with the change, or neither
        link = calendars.rotate(guild_id=guild.id, now=timezone.now())
        organiser_log.record(
            request, guild.id, "made calendar link", guild, "the old link revoked" if link.replaced else ""
        )
    return _page(request, guild, calendar_url=link.url)


@login_required
def native_events(request, guild_id: int):
    """Turn the mirror of upcoming events as Discord scheduled events on or off (/event native).

    The web holds no bot token, so it cannot ask Discord about the bot's permissions as the
    command does: the sync that follows checks them before making anything, and a missing
    one shows on this page (and is told by DM to whoever turned mirroring on).
    """
    guild = organised_guild_or_404(request, guild_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    choice = request.POST.get("mirror")
    if choice not in ("on", "off"):
        return _page(request, guild, status=400)
    member_id = request.session.get(SESSION_MEMBER_ID)
    with transaction.atomic():  # the log's row with the change, or neither
        native.set_enabled(guild, choice == "on", member_id=int(member_id) if member_id else None, now=timezone.now())
        organiser_log.record(request, guild.id, f"turned native events {choice}", guild)
    return redirect("dashboard:settings", guild_id=guild.id)


def _spaces_form(guild) -> SpaceDefaultsForm:
    chosen = spaces.defaults(guild.id)
    initial = {
        "kind": chosen.kind,
        "include_waitlist": chosen.include_waitlist,
        "attendee_role": chosen.attendee_role,
        "cleanup_days": chosen.cleanup_after.days,
    }
    return SpaceDefaultsForm(initial=initial)


@login_required
def space_defaults(request, guild_id: int):
    """New events' thread, channel and role (/event defaults). As for native events, the web
    cannot ask Discord about the bot's permissions: each event's sync checks them before making
    anything and tells the organiser who created the event what to grant."""
    guild = organised_guild_or_404(request, guild_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = SpaceDefaultsForm(request.POST)
    if not form.is_valid():
        return _page(request, guild, spaces_form=form, status=400)
    data = form.cleaned_data
    try:
        with transaction.atomic():  # the log's row with the change, or neither
            spaces.set_defaults(
                guild,
                kind=data["kind"],
                include_waitlist=data["include_waitlist"],
                attendee_role=data["attendee_role"],
                cleanup_after=timedelta(days=data["cleanup_days"]),
            )
            organiser_log.record(request, guild.id, f"set new events' space to {data['kind']}", guild)
    except RuleError as exc:
        form.add_error(None, str(exc))
        return _page(request, guild, spaces_form=form, status=400)
    return redirect("dashboard:settings", guild_id=guild.id)
