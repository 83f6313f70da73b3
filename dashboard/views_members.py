"""Members: the guild's members as Muster knows them, and how far the directory is in step.

The gateway stamps each member event it forwards (``synced_ns``, see ``core.directory``);
a membership Muster only learnt of from an interaction has no stamp. So "seen by the
gateway" is the stamped memberships, and the newest stamp is the last directory event.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, F, Max, Q
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect

from core import organiser_log
from core.errors import RuleError
from core.memberships import set_organiser_flag
from core.models import GuildMember
from core.permissions import SESSION_MEMBER_ID
from dashboard.nav import render_guild
from dashboard.scoping import organised_guild_or_404

PER_PAGE = 100


def sync_status(guild) -> dict:
    """Stored, current and gateway-seen memberships, and when the last directory event was seen."""
    counts = GuildMember.objects.filter(guild=guild).aggregate(
        stored=Count("id"),
        current=Count("id", filter=Q(left_at__isnull=True)),
        seen=Count("id", filter=Q(synced_ns__gt=0)),
        newest_ns=Max("synced_ns"),
    )
    newest_ns = max(counts.pop("newest_ns") or 0, guild.synced_ns)
    counts["last_event_at"] = datetime.fromtimestamp(newest_ns / 1e9, tz=UTC) if newest_ns else None
    return counts


@login_required
def members(request, guild_id: int):
    """The guild's members (joined, left, organiser, DMs closed, time zone), 100 a page."""
    guild = organised_guild_or_404(request, guild_id)
    rows = (
        GuildMember.objects.filter(guild=guild)
        .select_related("member")
        .order_by(F("left_at").asc(nulls_first=True), "member__username", "member_id")
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    for membership in page:
        membership.organises = membership.is_organiser or (
            guild.organiser_role_id is not None and guild.organiser_role_id in (membership.role_ids or ())
        )
    context = {"guild": guild, "page": page, "sync": sync_status(guild)}
    return render_guild(request, guild, "members", "dashboard/guild/members.html", context)


# What each answer says: the flag is one of three sources of the right (core.memberships).
FLAGGED = (
    "{name} is flagged as an organiser: they may use the organiser commands and this dashboard "
    "for this server (within five minutes)."
)
UNFLAGGED = (
    "{name}'s organiser flag is removed. Discord's Administrator, Manage Server or Manage Events "
    "permission still makes them an organiser if they have one."
)


@login_required
def member_organiser(request, guild_id: int, membership_id: int):
    """Flag or unflag a membership as an organiser's (``organiser`` = 1 or 0), as the admin does."""
    guild = organised_guild_or_404(request, guild_id)
    membership = get_object_or_404(
        GuildMember.objects.filter(guild=guild).select_related("member", "guild"), pk=membership_id
    )
    if request.method != "POST":  # after the scoping: another guild's URL is 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    back = redirect("dashboard:members", guild_id=guild.id)
    wanted = request.POST.get("organiser")
    if wanted not in ("0", "1"):
        messages.error(request, "Choose whether to flag or unflag the member as an organiser.")
        return back
    flagged = wanted == "1"
    name = membership.nickname or str(membership.member)
    actor = request.session.get(SESSION_MEMBER_ID)
    try:
        changed = set_organiser_flag(membership, flagged, actor_member_id=int(actor) if actor else None)
    except RuleError as error:
        messages.error(request, error.message)
        return back
    if not changed:
        messages.info(request, f"{name} already was {'flagged' if flagged else 'not flagged'} as an organiser.")
        return back
    action = "flagged as organiser" if flagged else "removed organiser flag"
    organiser_log.record(request, guild.id, action, membership.member)
    messages.success(request, (FLAGGED if flagged else UNFLAGGED).format(name=name))
    return back
