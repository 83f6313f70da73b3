"""The guild overview and the organiser log: what is coming, what is open, what needs attention, who changed what."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.utils import timezone

from core.models import OrganiserAction
from events.models import Event
from polls.models import Poll

from .nav import render_guild
from .problems import problems
from .scoping import organised_guild_or_404
from .views_events import event_rows, with_counts
from .views_polls import tallies

SHOWN = 10  # upcoming events and open polls on the overview; the Events and Polls pages list more
LOG_PAGE = 50


@login_required
def overview(request, guild_id: int):
    """Upcoming events, open polls, the logistics still missing, and problems to look at."""
    guild = organised_guild_or_404(request, guild_id)
    now = timezone.now()
    upcoming = with_counts(
        Event.objects.filter(guild=guild, status=Event.Status.SCHEDULED, starts_at__gt=now).select_related("guild")
    ).order_by("starts_at", "id")[:SHOWN]
    polls = list(Poll.objects.filter(guild=guild, status=Poll.Status.OPEN).order_by("closes_at", "-id")[:SHOWN])
    results = tallies(polls)
    context = {
        "events": event_rows(upcoming),
        "polls": [(poll, results.get(poll.id, [])) for poll in polls],
        "problems": problems(guild, now=now),
    }
    return render_guild(request, guild, "guild", "dashboard/guild/overview.html", context)


@login_required
def organiser_log(request, guild_id: int):
    """Who changed what, when: every change organisers made from the dashboard or the admin."""
    guild = organised_guild_or_404(request, guild_id)
    actions = OrganiserAction.objects.filter(guild=guild).order_by("-at", "-id")
    page = Paginator(actions, LOG_PAGE).get_page(request.GET.get("page"))
    return render_guild(request, guild, "log", "dashboard/guild/log.html", {"page": page})
