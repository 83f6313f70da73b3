"""The guild's standups on the dashboard: make, change, pause, resume and delete them (through
``standups.services``, logged), and read the history per standup and per member, or download it as CSV."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone

from core import organiser_log
from core.errors import RuleError
from core.models import GuildMember
from core.permissions import SESSION_MEMBER_ID
from dashboard.forms_standups import StandupForm
from dashboard.nav import render_guild
from dashboard.scoping import organised_guild_or_404
from dashboard.submissions import create_once
from standups import services
from standups.models import Standup

HISTORY_ROWS = 200  # a page shows the newest; the CSV has everything
CSV_COLUMNS = ["date", "standup", "member", "member_id", "status", "asked_at", "answered_at", "edited_at", "away"]


def _standup_or_404(guild, standup_id: int) -> Standup:
    return get_object_or_404(Standup.objects.select_related("guild"), guild=guild, id=standup_id)


def _who(standup: Standup) -> str:
    parts = [f"role {standup.role_id}"] if standup.role_id else []
    listed = standup.participants.count()
    if listed:
        parts.append(f"{listed} member{'s' if listed != 1 else ''}")
    return " and ".join(parts)


def _detail(standup: Standup) -> str:
    return f"posts in #{standup.channel_id}, {services.describe_days(standup.weekdays)} at {standup.ask_at:%H:%M}"


@login_required
def standup_list(request, guild_id: int, *, error: str = "", status: int = 200):
    guild = organised_guild_or_404(request, guild_id)
    standups = Standup.objects.filter(guild=guild).prefetch_related("participants").order_by("id")
    rows = [(s, services.describe_days(s.weekdays), _who(s)) for s in standups]
    context = {"rows": rows, "error": error}
    return render_guild(request, guild, "standups", "dashboard/guild/standups.html", context, status=status)


def _save(request, guild, standup: Standup | None):
    if request.method != "POST":
        form = StandupForm.of(guild, standup) if standup else StandupForm(guild)
        return _form(request, guild, form, standup)
    form = StandupForm(guild, request.POST)
    if not form.is_valid():
        return _form(request, guild, form, standup, status=400)
    try:
        draft = form.draft()
        if standup is None:
            member_id = request.session.get(SESSION_MEMBER_ID)

            def create():
                return services.create_standup(guild, draft, created_by=member_id, now=timezone.now())

            _, first = create_once(request, guild, form, "created standup", create, _detail)
            if not first:
                messages.info(request, "This form was already sent: the standup was created once.")
        else:
            with transaction.atomic():
                changes = {name: getattr(draft, name) for name in ("name", "channel_id", "questions", "weekdays")}
                changes |= {name: getattr(draft, name) for name in ("ask_at", "remind_at", "cutoff_at", "role_id")}
                saved = services.edit_standup(standup.id, guild.id, member_ids=draft.member_ids, **changes)
                organiser_log.record(request, guild.id, "edited standup", saved, _detail(saved))
    except RuleError as error:
        form.add_error(None, error.message)
        return _form(request, guild, form, standup, status=400)
    return redirect("dashboard:standups", guild_id=guild.id)


def _form(request, guild, form, standup, *, status: int = 200):
    context = {"form": form, "standup": standup}
    return render_guild(request, guild, "standups", "dashboard/guild/standup_form.html", context, status=status)


@login_required
def standup_create(request, guild_id: int):
    return _save(request, organised_guild_or_404(request, guild_id), None)


@login_required
def standup_edit(request, guild_id: int, standup_id: int):
    guild = organised_guild_or_404(request, guild_id)
    return _save(request, guild, _standup_or_404(guild, standup_id))


def _action(request, guild_id: int, standup_id: int, action: str, change) -> HttpResponse:
    guild = organised_guild_or_404(request, guild_id)
    standup = _standup_or_404(guild, standup_id)
    if request.method != "POST":  # after the scoping: another guild's URL is 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    try:
        with transaction.atomic():
            target = change(standup)
            organiser_log.record(request, guild.id, action, target)
    except RuleError as error:
        return standup_list(request, guild_id, error=error.message, status=409)
    return redirect("dashboard:standups", guild_id=guild.id)


@login_required
def standup_pause(request, guild_id: int, standup_id: int):
    return _action(
        request, guild_id, standup_id, "paused standup", lambda s: services.set_paused(s.id, s.guild_id, True)
    )


@login_required
def standup_resume(request, guild_id: int, standup_id: int):
    return _action(
        request, guild_id, standup_id, "resumed standup", lambda s: services.set_paused(s.id, s.guild_id, False)
    )


@login_required
def standup_delete(request, guild_id: int, standup_id: int):
    return _action(
        request, guild_id, standup_id, "deleted standup", lambda s: services.delete_standup(s.id, s.guild_id)
    )


def _member_or_404(guild, member_id: int) -> GuildMember:
    """A member of the guild (past or present); another guild's member is 404."""
    membership = GuildMember.objects.filter(guild=guild, member_id=member_id).select_related("member").first()
    if membership is None:
        raise Http404("No such member in this server.")
    return membership


def _history_page(request, guild, checkins, *, title: str, csv_url: str, standup=None, member=None):
    rows = list(checkins[:HISTORY_ROWS])
    width = max((len(c.answers or []) for c in rows), default=0)
    context = {"checkins": rows, "title": title, "csv_url": csv_url, "standup": standup, "member": member}
    context["more"] = checkins.count() > HISTORY_ROWS if len(rows) == HISTORY_ROWS else False
    context["width"] = width
    return render_guild(request, guild, "standups", "dashboard/guild/standup_history.html", context)


@login_required
def standup_history(request, guild_id: int, standup_id: int):
    guild = organised_guild_or_404(request, guild_id)
    standup = _standup_or_404(guild, standup_id)
    checkins = services.history(guild.id, standup_id=standup.id)
    csv_url = reverse("dashboard:standup_history_csv", args=[guild.id, standup.id])
    return _history_page(request, guild, checkins, title=standup.title, csv_url=csv_url, standup=standup)


@login_required
def member_standup_history(request, guild_id: int, member_id: int):
    guild = organised_guild_or_404(request, guild_id)
    membership = _member_or_404(guild, member_id)
    checkins = services.history(guild.id, member_id=membership.member_id)
    csv_url = reverse("dashboard:member_standup_history_csv", args=[guild.id, membership.member_id])
    title = f"Standups of {membership.nickname or membership.member}"
    return _history_page(request, guild, checkins, title=title, csv_url=csv_url, member=membership)


def _csv(checkins, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    width = services.MAX_QUESTIONS
    writer = csv.writer(response)
    writer.writerow([*CSV_COLUMNS, *(f"{kind} {i + 1}" for i in range(width) for kind in ("question", "answer"))])
    for c in checkins.iterator():
        answers = [part for pair in (c.answers or []) for part in pair]
        writer.writerow(
            [
                c.local_date.isoformat(),
                c.standup.title,
                str(c.member),
                str(c.member_id),
                c.get_status_display(),
                c.asked_at.isoformat() if c.asked_at else "",
                c.answered_at.isoformat() if c.answered_at else "",
                c.edited_at.isoformat() if c.edited_at else "",
                c.away_reason,
                *(_safe(value) for value in answers),
            ]
        )
    return response


def _safe(value: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula (a member's answer is their text)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@login_required
def standup_history_csv(request, guild_id: int, standup_id: int):
    guild = organised_guild_or_404(request, guild_id)
    standup = _standup_or_404(guild, standup_id)
    return _csv(services.history(guild.id, standup_id=standup.id), f"standup-{standup.id}-history.csv")


@login_required
def member_standup_history_csv(request, guild_id: int, member_id: int):
    guild = organised_guild_or_404(request, guild_id)
    membership = _member_or_404(guild, member_id)
    checkins = services.history(guild.id, member_id=membership.member_id)
    return _csv(checkins, f"standups-member-{membership.member_id}.csv")
