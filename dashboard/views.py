"""The dashboard's pages. Every query is scoped to the guilds the user organises (or to
the user themself, on *Me*), as ``core.permissions.guilds_organised_by`` decides."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone

from core.models import Guild, Member
from core.permissions import SESSION_MEMBER_ID, bot_invite_url, guilds_organised_by
from events.models import Event, Registration


@login_required
def guilds(request):
    """The guilds you organise, with their members and upcoming events; the bot's invite link."""
    organised = guilds_organised_by(request)
    now = timezone.now()
    rows = Guild.objects.filter(active=True).order_by("name")
    if organised is not None:
        rows = rows.filter(id__in=organised)
    rows = rows.annotate(
        member_count=Count("memberships", filter=Q(memberships__left_at__isnull=True), distinct=True),
        upcoming_count=Count(
            "events", filter=Q(events__starts_at__gte=now, events__status=Event.Status.SCHEDULED), distinct=True
        ),
    )
    application_id = settings.DISCORD_APPLICATION_ID or settings.DISCORD_CLIENT_ID
    invite = bot_invite_url(int(application_id)) if application_id else None
    return render(request, "dashboard/guilds.html", {"guilds": rows, "invite_url": invite})


@login_required
def me(request):
    """Your upcoming events and registrations, time zone and DM preference."""
    member_id = request.session.get(SESSION_MEMBER_ID)
    member = Member.objects.filter(id=member_id).first() if member_id else None
    registrations = []
    if member is not None:
        registrations = (
            Registration.objects.filter(
                member=member, event__starts_at__gte=timezone.now(), event__status=Event.Status.SCHEDULED
            )
            .select_related("event__guild")
            .order_by("event__starts_at")
        )
    return render(request, "dashboard/me.html", {"member": member, "registrations": registrations})
