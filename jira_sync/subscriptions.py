"""Channel subscriptions: new and transitioned issues matching a JQL, posted to a channel.

Each site cycle runs one search per subscription (``(<jql>) AND updated >= -<n>m``); what
changed since the last cycle (an issue new to the subscription, or in a new status) is
posted as one message per subscription per cycle, so a burst of changes is one post, and
each issue's change appears once: the statuses already posted are kept on the row, in the
transaction that writes the outbox message (keyed by the changes it lists).
"""

from __future__ import annotations

import hashlib
import logging
import math
from datetime import datetime, timedelta

from django.db import transaction

from core import outbox
from core.errors import RuleError
from core.markup import escape_within, truncate
from jira_sync.client import JiraClient, JiraFailure, jira_time
from jira_sync.discord.messages import issue_url
from jira_sync.models import JiraSite, Subscription
from jira_sync.sites import check_jql

log = logging.getLogger(__name__)

MAX_PER_SITE = 25
OVERLAP = timedelta(minutes=2)
LINES = 20


def subscribe(site: JiraSite, channel_id: int, jql: str, created_by_id: int, now: datetime) -> Subscription:
    """Validate the JQL with a dry-run search, then save; RuleError in one sentence."""
    jql = " ".join(jql.split())
    if not jql:
        raise RuleError("Give a JQL query, for example project = OPS AND priority = High.")
    if "order by" in jql.lower():
        raise RuleError("Leave ORDER BY out of a subscription's JQL: Muster posts changes in the order they happen.")
    if site.subscriptions.count() >= MAX_PER_SITE:
        raise RuleError(f"A site has at most {MAX_PER_SITE} subscriptions; remove one with /jira unsubscribe first.")
    if site.subscriptions.filter(channel_id=channel_id, jql=jql).exists():
        raise RuleError("That channel already follows this JQL.")
    check_jql(site, jql)
    return Subscription.objects.create(
        site=site, channel_id=channel_id, jql=jql, created_by_id=created_by_id, watermark=now
    )


def run(site: JiraSite, client: JiraClient, now: datetime) -> int:
    """One search per subscription; returns the number of messages written to the outbox."""
    posted = 0
    for subscription in list(site.subscriptions.all()):
        since = subscription.watermark or now
        minutes = max(math.ceil((now - since + OVERLAP).total_seconds() / 60), 1)
        try:
            issues = client.search(f'({subscription.jql}) AND updated >= "-{minutes}m"', extra=("created",))
        except JiraFailure as exc:
            if exc.status in (None, 401, 429) or exc.status >= 500:
                raise  # the site, not this subscription: the cycle fails and says so
            # Jira now refuses this JQL (a project renamed, a field removed): the others go on.
            log.warning("subscription %s: Jira refused its JQL: %s", subscription.id, exc.sentence)
            continue
        posted += _post_changes(subscription, issues, now)
    return posted


def _post_changes(subscription: Subscription, issues: list[dict], now: datetime) -> int:
    with transaction.atomic():
        row = Subscription.objects.select_for_update().filter(id=subscription.id).first()
        if row is None:
            return 0
        since = (row.watermark or now) - OVERLAP
        changes = []
        for issue in sorted(issues, key=lambda i: int(i["id"])):
            fields = issue.get("fields") or {}
            status = (fields.get("status") or {}).get("name") or ""
            before = row.seen.get(issue["id"])
            if before == status:
                continue
            if before is None and jira_time(fields.get("created")) < since:
                row.seen[issue["id"]] = status  # an old issue first seen now: remembered, not announced
                continue
            changes.append((issue, before, status))
            row.seen[issue["id"]] = status
        if changes:
            outbox.enqueue(
                key=f"jira:sub:{row.id}:" + _digest(changes),
                channel_id=row.channel_id,
                guild_id=row.site.guild_id,
                payload=_message(row.site, row, changes),
            )
        row.watermark = now
        row.save(update_fields=["seen", "watermark"])
        return 1 if changes else 0


def _digest(changes) -> str:
    text = ";".join(f"{i['id']}={status}@{i['fields'].get('updated')}" for i, _, status in changes)
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def _message(site: JiraSite, subscription: Subscription, changes) -> dict:
    lines = []
    for issue, before, status in changes[:LINES]:
        summary = escape_within((issue.get("fields") or {}).get("summary") or "", 120)
        what = f"new, {escape_within(status, 40)}" if before is None else f"moved to {escape_within(status, 40)}"
        lines.append(f"[{issue['key']}]({issue_url(site, issue['key'])}) {summary} · {what}")
    if len(changes) > LINES:
        lines.append(f"…and {len(changes) - LINES} more")
    title = truncate(f"Jira: {subscription.jql}", 256)
    return {"embeds": [{"title": title, "description": truncate("\n".join(lines), 4096)}]}


def unsubscribe(guild_id: int, subscription_id: int) -> Subscription:
    found = Subscription.objects.select_related("site").filter(id=subscription_id, site__guild_id=guild_id).first()
    if found is None:
        raise RuleError("There is no such subscription in this server: /jira subscriptions lists them.")
    found.delete()
    return found


def listing(guild_id: int) -> str:
    rows = Subscription.objects.select_related("site").filter(site__guild_id=guild_id).order_by("id")
    lines = [f"{s.id}: `{truncate(s.jql, 200)}` → <#{s.channel_id}> ({s.site.name})" for s in rows]
    return "\n".join(lines) or "No Jira subscriptions in this server: /jira subscribe adds one."
