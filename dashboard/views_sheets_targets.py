"""A guild's Sheets export targets on the Settings page: connect, change and remove one.

What an organiser does in the admin (``sheets_export.admin``), with its form and rules. Web
holds no Google credentials (only workers do), so saving a target queues the admin's check
(``sheets_export.tasks.check_target``): a worker reads the spreadsheet once and writes what
it found under *Last error* ("" when Muster can open it). Removing a target removes its
runs; the spreadsheet itself is left as it is.
"""

from __future__ import annotations

import copy

from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect

from core import organiser_log
from dashboard.forms_settings import SPREADSHEET_TAKEN, ExportTargetSettingsForm
from dashboard.nav import render_guild
from dashboard.scoping import organised_guild_or_404
from sheets_export import tasks
from sheets_export.models import ExportTarget

TICK_TO_REMOVE = "Tick the box to confirm: removing the target deletes its run history."


def _target_or_404(guild, target_id: int) -> ExportTarget:
    return get_object_or_404(ExportTarget.objects.filter(guild=guild), pk=target_id)


def _page(request, guild, form, target=None, *, status: int = 200, problem: str = ""):
    context = {"form": form, "target": target, "problem": problem}
    return render_guild(request, guild, "settings", "dashboard/guild/sheets_target.html", context, status=status)


def _save(request, guild, form, action: str, detail) -> ExportTarget | None:
    """Save the form and log it in one transaction, then queue the access check; None when the
    (guild, spreadsheet) constraint refused it (a second sending in the meantime)."""
    try:
        with transaction.atomic():  # the log's row with the target, or neither
            target = form.save()
            organiser_log.record(request, guild.id, action, target, detail(target))
            transaction.on_commit(lambda: tasks.check_target.delay(target.id))
    except IntegrityError:
        form.add_error("spreadsheet_id", SPREADSHEET_TAKEN)
        return None
    return target


@login_required
def sheets_target_add(request, guild_id: int):
    """Connect a spreadsheet; a worker then checks that Muster can open it."""
    guild = organised_guild_or_404(request, guild_id)
    if request.method != "POST":
        return _page(request, guild, ExportTargetSettingsForm(guild=guild))
    form = ExportTargetSettingsForm(request.POST, guild=guild)
    if form.is_valid() and _save(request, guild, form, "connected spreadsheet", lambda t: t.spreadsheet_id):
        return redirect("dashboard:settings", guild_id=guild.id)
    return _page(request, guild, form, status=400)


@login_required
def sheets_target_edit(request, guild_id: int, target_id: int):
    """Change what goes to a spreadsheet, how often, or the spreadsheet itself (checked again)."""
    guild = organised_guild_or_404(request, guild_id)
    target = _target_or_404(guild, target_id)
    if request.method != "POST":
        return _page(request, guild, ExportTargetSettingsForm(instance=target, guild=guild), target)
    # A copy: a refused form must not leave half its values on the target the page shows.
    form = ExportTargetSettingsForm(request.POST, instance=copy.copy(target), guild=guild)
    if form.is_valid():
        changed = ", ".join(form.changed_data) or "nothing"
        if _save(request, guild, form, "changed spreadsheet", lambda _t: f"changed {changed}"):
            return redirect("dashboard:settings", guild_id=guild.id)
    return _page(request, guild, form, target, status=400)


@login_required
def sheets_target_delete(request, guild_id: int, target_id: int):
    """Stop exporting to a spreadsheet (its runs go with it) once the organiser ticked the confirmation."""
    guild = organised_guild_or_404(request, guild_id)
    target = _target_or_404(guild, target_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if request.POST.get("confirm") != "yes":
        form = ExportTargetSettingsForm(instance=target, guild=guild)
        return _page(request, guild, form, target, status=400, problem=TICK_TO_REMOVE)
    with transaction.atomic():
        runs = target.runs.count()
        organiser_log.record(
            request,
            guild.id,
            "removed spreadsheet",
            f"{target.spreadsheet_id} (export target {target.pk})",
            f"{runs} run{'s' if runs != 1 else ''} deleted",
        )
        target.delete()
    return redirect("dashboard:settings", guild_id=guild.id)
