"""Members: the guild's members as Muster knows them, and how far the directory is in step.

The gateway stamps each member event it forwards (``synced_ns``, see ``core.directory``);
a membership Muster only learnt of from an interaction has no stamp. So "seen by the
gateway" is the stamped memberships, and the newest stamp is the last directory event.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, F, Max, Q

from core.models import GuildMember
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
