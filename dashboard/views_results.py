"""A guild's archive of past events (attendance, teams, results), an event's results (typed or
a CSV upload, posted in Discord through ``results.services``), the seasons' standings and
their tie-breaks, and one member's attendance.

Teams are read through the ORM from ``teams.Team`` rows; every change is logged with
``core.organiser_log``; a ``RuleError`` becomes the form's error.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone

from core import organiser_log
from core.errors import RuleError
from core.models import GuildMember
from core.permissions import SESSION_MEMBER_ID
from dashboard.forms_results import ArchiveFilter, ResultsForm, TieBreakForm
from dashboard.nav import render_guild
from dashboard.scoping import organised_guild_or_404
from events.models import Event, Registration
from results import checkin, entries, services
from results.models import CheckIn, ResultEntry, ResultSheet, Season
from results.standings import standings
from teams.models import Team

LISTED = 100
GOING = Registration.Status.GOING


def _past_events(guild, now):
    return (
        Event.objects.filter(guild=guild, starts_at__lt=now)
        .exclude(status=Event.Status.CANCELLED)
        .annotate(
            going=Count("registrations", filter=Q(registrations__status=GOING), distinct=True),
            checked_in=Count("check_ins", distinct=True),
        )
        .order_by("-starts_at", "-id")
    )


def _filtered(events, chosen: ArchiveFilter, guild):
    data = chosen.cleaned_data
    if data["q"]:
        events = events.filter(title__icontains=data["q"])
    if data["since"]:
        events = events.filter(starts_at__date__gte=data["since"])
    if data["until"]:
        events = events.filter(starts_at__date__lte=data["until"])
    if data["season"]:
        season = get_object_or_404(Season.objects.filter(guild=guild), pk=int(data["season"]))
        in_season = Q(result_sheet__season=season)
        if season.series_id:
            in_season |= Q(series_id=season.series_id)
        events = events.filter(in_season)
    return events


@login_required
def archive(request, guild_id: int):
    guild = organised_guild_or_404(request, guild_id)
    seasons = list(services.seasons_by_name(guild.id))
    chosen = ArchiveFilter(seasons, request.GET or None)
    events = _past_events(guild, timezone.now())
    if chosen.is_bound and chosen.is_valid():
        events = _filtered(events, chosen, guild)
    shown = list(
        events.prefetch_related(
            Prefetch("teams", queryset=Team.objects.order_by("position", "id")),
        )[:LISTED]
    )
    sheets = {
        sheet.event_id: sheet
        for sheet in ResultSheet.objects.filter(event__in=shown)
        .select_related("season")
        .prefetch_related(Prefetch("entries", queryset=ResultEntry.objects.order_by("position", "id")))
    }
    rows = [(event, sheets.get(event.id)) for event in shown]
    context = {"filter": chosen if chosen.is_bound else ArchiveFilter(seasons), "rows": rows, "limit": LISTED}
    return render_guild(request, guild, "archive", "dashboard/guild/archive.html", context)


def _posting(request, season: str) -> services.Posting:
    member_id = request.session.get(SESSION_MEMBER_ID)
    return services.Posting(by_id=int(member_id) if member_id else None, season=season)


@login_required
def event_results(request, guild_id: int, event_id: int):
    guild = organised_guild_or_404(request, guild_id)
    event = get_object_or_404(Event.objects.filter(guild=guild), pk=event_id)
    sheet = ResultSheet.objects.filter(event=event).select_related("season").first()
    status = 200
    if request.method == "POST":
        form = ResultsForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                typed = form.csv_text()
                drafts = (
                    entries.parse_csv(typed) if typed is not None else entries.parse_lines(form.cleaned_data["entries"])
                )
                sheet, created = services.post_results(
                    guild.id, event.id, drafts, _posting(request, form.cleaned_data["season"])
                )
                organiser_log.record(request, guild.id, "posted results" if created else "updated results", sheet)
            except (RuleError, forms.ValidationError) as error:
                form.add_error(None, error.message)
            else:
                return redirect("dashboard:event_results", guild_id=guild.id, event_id=event.id)
        status = 400
    else:
        initial = {"season": sheet.season.name if sheet and sheet.season_id else ""}
        if sheet is not None:
            initial["entries"] = "\n".join(entries.typed_line(entry) for entry in sheet.entries.all())
        form = ResultsForm(initial=initial)
    going = list(
        Registration.objects.filter(event=event, status=GOING).select_related("member").order_by("sequence", "id")
    )
    came = set(CheckIn.objects.filter(event=event).values_list("member_id", flat=True))
    context = {
        "event": event,
        "sheet": sheet,
        "sheet_entries": list(sheet.entries.all()) if sheet else [],
        "form": form,
        "attendance": [(registration.member, registration.member_id in came) for registration in going],
        "checked_in": len(came),
        "check_in_used": hasattr(event, "check_in_window"),
        "window": checkin.window(event),
        "teams": list(Team.objects.filter(event=event).prefetch_related("memberships__member")),
    }
    return render_guild(request, guild, "archive", "dashboard/guild/event_results.html", context, status=status)


@login_required
def season_standings(request, guild_id: int):
    guild = organised_guild_or_404(request, guild_id)
    seasons = list(services.seasons_by_name(guild.id))
    season = None
    if request.GET.get("season", "").isdigit():
        season = get_object_or_404(Season.objects.filter(guild=guild), pk=int(request.GET["season"]))
    elif seasons:
        season = services.latest_season(guild.id) or seasons[0]
    context = {"seasons": seasons, "season": season, "rows": standings(season) if season else []}
    if season is not None:
        chosen = dict(zip(("first", "second", "third"), season.tie_breaks, strict=False))
        context["tie_breaks"] = TieBreakForm(initial=chosen)
    return render_guild(request, guild, "standings", "dashboard/guild/standings.html", context)


@login_required
def season_tie_breaks(request, guild_id: int, season_id: int):
    guild = organised_guild_or_404(request, guild_id)
    season = get_object_or_404(Season.objects.filter(guild=guild), pk=season_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = TieBreakForm(request.POST)
    if form.is_valid():
        try:
            services.set_tie_breaks(season, form.chosen())
        except RuleError as error:
            form.add_error(None, error.message)
        else:
            organiser_log.record(request, guild.id, "set tie-breaks", season, ", ".join(season.tie_breaks))
            return redirect(f"{_standings_url(guild)}?season={season.id}")
    context = {"seasons": list(services.seasons_by_name(guild.id)), "season": season, "rows": standings(season)}
    context["tie_breaks"] = form
    return render_guild(request, guild, "standings", "dashboard/guild/standings.html", context, status=400)


def _standings_url(guild) -> str:
    return reverse("dashboard:standings", kwargs={"guild_id": guild.id})


@login_required
def member_attendance(request, guild_id: int, member_id: int):
    guild = organised_guild_or_404(request, guild_id)
    membership = get_object_or_404(
        GuildMember.objects.filter(guild=guild).select_related("member"), member_id=member_id
    )
    now = timezone.now()
    going = (
        Registration.objects.filter(event__guild=guild, member_id=member_id, status=GOING, event__starts_at__lt=now)
        .exclude(event__status=Event.Status.CANCELLED)
        .select_related("event")
        .order_by("-event__starts_at")[:LISTED]
    )
    came = dict(CheckIn.objects.filter(guild=guild, member_id=member_id).values_list("event_id", "checked_in_at"))
    places = {
        entry.sheet.event_id: entry
        for entry in ResultEntry.objects.filter(sheet__guild=guild, member_id=member_id).select_related("sheet")
    }
    rows = [(r.event, came.get(r.event_id), places.get(r.event_id)) for r in going]
    context = {"membership": membership, "rows": rows, "came": sum(1 for _, at, _ in rows if at), "limit": LISTED}
    return render_guild(request, guild, "archive", "dashboard/guild/member_attendance.html", context)
