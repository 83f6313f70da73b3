"""What needs an organiser's attention in a guild: messages that did not arrive, failing syncs.

Read by the guild overview; every query is filtered by the one guild, and each list is cut
to ``SHOWN`` rows (with its full count), so the page costs the same however much went wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count

from core.models import Guild, Member, OutboundMessage
from jira_sync.models import JiraSite
from sheets_export.models import ExportTarget

SINCE = timedelta(days=7)  # older failures are history, not something to act on now
SHOWN = 10
NOT_DELIVERED = (OutboundMessage.Status.UNDELIVERABLE, OutboundMessage.Status.FAILED)


@dataclass(frozen=True)
class Problems:
    dm_members: list[Member]  # members whose DMs did not arrive (most first), at most SHOWN
    dm_count: int  # DMs not delivered since SINCE
    failed_posts: list[OutboundMessage]
    failed_post_count: int
    jira_sites: list[JiraSite]
    exports: list[ExportTarget]

    def __bool__(self) -> bool:
        return bool(self.dm_count or self.failed_post_count or self.jira_sites or self.exports)


def problems(guild: Guild, *, now: datetime) -> Problems:
    """DMs and posts of the last week that were given up on, Jira sites and Sheets exports failing."""
    failed = OutboundMessage.objects.filter(guild=guild, status__in=NOT_DELIVERED, updated_at__gte=now - SINCE)
    dms, posts = failed.filter(member__isnull=False), failed.filter(member__isnull=True)
    by_member = dms.order_by().values("member_id").annotate(n=Count("id")).order_by("-n", "member_id")
    member_ids = [row["member_id"] for row in by_member[:SHOWN]]
    members = Member.objects.in_bulk(member_ids)
    return Problems(
        dm_members=[members[member_id] for member_id in member_ids if member_id in members],
        dm_count=dms.count(),
        failed_posts=list(posts.order_by("-updated_at", "-id")[:SHOWN]),
        failed_post_count=posts.count(),
        jira_sites=list(JiraSite.objects.filter(guild=guild, active=True, failing_since__isnull=False)[:SHOWN]),
        exports=list(ExportTarget.objects.filter(guild=guild).exclude(last_error="").order_by("id")[:SHOWN]),
    )
