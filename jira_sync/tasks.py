"""Beat ticks and per-site tasks for Jira reminders: thin, idempotent, claiming work in the database."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from core import metrics
from core.errors import OUTAGES
from jira_sync import delivery, linking, oauth, polling


@shared_task
def poll_due_sites() -> int:
    """Beat tick: claim each site whose poll is due (compare-and-set) and queue its one poll task."""
    claimed = polling.claim_due_sites(timezone.now())
    for site_id in claimed:
        poll_site.delay(site_id)
    return len(claimed)


# A big site's first cycle reads every open issue of its members (20,000 issues: about 170
# requests and 50 s on one core), longer than the default task limits allow.
@shared_task(autoretry_for=OUTAGES, retry_backoff=2, max_retries=3, soft_time_limit=240, time_limit=300)
def poll_site(site_id: int) -> int:
    """One cycle of one site: a batched read, snapshots, reminders; then what may be sent now."""
    created = polling.poll_site(site_id, timezone.now())
    if created:
        deliver_due_reminders.delay()
    return created


@shared_task
def deliver_due_reminders() -> int:
    """Beat tick: one task per member with pending reminders (a thousand members never make one long task);
    members away have theirs held for their summary instead."""
    delivery.hold_while_away(timezone.now())
    links = delivery.links_with_pending(timezone.now())
    for link_id in links:
        deliver_member_reminders.delay(link_id)
    return len(links)


@shared_task(autoretry_for=OUTAGES, retry_backoff=1, max_retries=5)
def deliver_member_reminders(link_id: int) -> int:
    """One member's pending reminders, if their hours allow (their link's row lock: sent once)."""
    sent = delivery.deliver_link(link_id, timezone.now())
    metrics.REMINDERS_SENT.inc(sent, kind="jira")
    return sent


@shared_task
def check_link_codes() -> int:
    """Beat tick: read the link issue of each site where a member has an open link code."""
    now = timezone.now()
    return sum(len(linking.check_codes(site_id, now)) for site_id in linking.sites_awaiting_codes(now))


@shared_task
def refresh_oauth_links() -> int:
    """Beat tick: check (and rotate) each OAuth link's grant once a day; a revoked one asks to reconnect."""
    now = timezone.now()
    return sum(not oauth.refresh(link_id, now) for link_id in oauth.links_to_refresh(now))
