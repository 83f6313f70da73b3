"""A site's health as organisers see it, and the DMs when it starts failing and recovers."""

from __future__ import annotations

from datetime import datetime

from core import outbox
from core.markup import escape
from jira_sync.models import JiraSite


def record_failure(site: JiraSite, sentence: str, now: datetime, *, requests: int) -> None:
    """Keep the error's sentence; the first failure of a run of them DMs the site's organiser once."""
    started = JiraSite.objects.filter(id=site.id, failing_since__isnull=True).update(failing_since=now)
    JiraSite.objects.filter(id=site.id).update(last_error=sentence[:300], requests_last_cycle=requests)
    if started and site.notify_member_id:
        outbox.enqueue(
            key=f"jira:site:{site.id}:failing:{now.isoformat()}",
            member_id=site.notify_member_id,
            guild_id=site.guild_id,
            payload={"content": f"Jira site **{escape(site.name)}** stopped answering Muster's poll: {sentence}."},
        )


def record_success(site: JiraSite, now: datetime) -> None:
    """A good cycle; if the site was failing, its organiser is told once that it recovered."""
    failing_since = JiraSite.objects.filter(id=site.id).values_list("failing_since", flat=True).first()
    recovered = JiraSite.objects.filter(id=site.id, failing_since__isnull=False).update(failing_since=None)
    JiraSite.objects.filter(id=site.id).update(last_success_at=now, last_error="")
    if recovered and failing_since and site.notify_member_id:
        outbox.enqueue(
            key=f"jira:site:{site.id}:recovered:{failing_since.isoformat()}",
            member_id=site.notify_member_id,
            guild_id=site.guild_id,
            payload={"content": f"Jira site **{escape(site.name)}** answers again; reminders are back."},
        )
