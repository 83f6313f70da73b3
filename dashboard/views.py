"""The dashboard's pages. Every query is scoped to the guilds the user organises (or to
the user themself, on *Me*), as ``core.permissions.guilds_organised_by`` decides."""

from __future__ import annotations

import copy

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.shortcuts import redirect, render
from django.utils import timezone

from carpool.models import BedClaim, Ride, Room, Seat
from core.models import Guild, Member
from core.permissions import SESSION_MEMBER_ID, bot_invite_url, guilds_organised_by
from dashboard.forms_me import MemberPreferencesForm
from events import calendars
from events.models import Event, Registration
from jira_sync.models import JiraLink


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
    """Your upcoming events and registrations, rides and beds, Jira links, time zone and DM preference.

    A POST saves your time zone and whether reminders come by DM (the same fields as
    ``/muster timezone``); everything else is changed in Discord.
    """
    member_id = request.session.get(SESSION_MEMBER_ID)
    member = Member.objects.filter(id=member_id).first() if member_id else None
    if member is None:
        return render(request, "dashboard/me.html", {"member": None, "registrations": []})
    form, calendar_url = MemberPreferencesForm(instance=member), None
    if request.method == "POST" and "calendar" in request.POST:
        # A new calendar link, shown in this answer only (the old one stops working).
        calendar_url = calendars.rotate(member_id=member.id, now=timezone.now()).url
    elif request.method == "POST":
        # A copy: a refused form must not show half its values as saved.
        form = MemberPreferencesForm(request.POST, instance=copy.copy(member))
        if form.is_valid():
            form.save()
            return redirect("dashboard:me")
    context = {
        "member": member,
        "form": form,
        "calendar_url": calendar_url,
        "has_calendar": calendar_url is not None or calendars.has_link(member_id=member.id),
        **mine(member, now=timezone.now()),
    }
    return render(request, "dashboard/me.html", context, status=400 if form.errors else 200)


def mine(member: Member, *, now) -> dict:
    """What is the member's from now on: one query per kind, whatever their number."""
    upcoming = {"event__starts_at__gte": now, "event__status": Event.Status.SCHEDULED}
    return {
        "registrations": Registration.objects.filter(member=member, **upcoming)
        .select_related("event__guild")
        .order_by("event__starts_at"),
        "rides": Ride.objects.filter(driver=member, status=Ride.Status.OPEN, **upcoming)
        .select_related("event")
        .annotate(taken_places=Sum("passengers__places"))
        .order_by("departs_at"),
        "seats": Seat.objects.filter(member=member, **upcoming)
        .select_related("ride__driver", "event")
        .order_by("ride__departs_at"),
        "rooms": Room.objects.filter(host=member, status=Room.Status.OPEN, **upcoming)
        .select_related("event")
        .order_by("first_night"),
        "beds": BedClaim.objects.filter(member=member, **upcoming)
        .select_related("room__host", "event")
        .order_by("night"),
        "jira_links": JiraLink.objects.filter(member=member).select_related("site").order_by("site__name"),
    }
