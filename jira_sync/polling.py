"""One batched, read-only read per site per cycle, turned into snapshots and reminders.

Per cycle, for the linked members' account ids (validated, quoted, at most 100 per query):

- ``assignee in (...) AND updated >= "-<minutes>m"``: what changed since the watermark
  (minus an overlap), for members already seeded. A relative date, so the JQL means the
  same whatever time zone the API user's profile has;
- ``assignee in (...) AND statusCategory != Done``: the first read of newly linked
  members, which only seeds their snapshots (no "newly assigned" for what they had);
- once an hour, ``... AND statusCategory != Done AND duedate <= "<horizon>"`` for due soon
  and overdue (and stale work, when someone asked for it).

"Newly assigned" is a snapshot diff (the assignee changed to a linked member), confirmed
with the changelog, which also tells a self-assignment (skipped).
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from core import metrics
from jira_sync import health, subscriptions
from jira_sync.client import JiraClient, JiraFailure, jira_time
from jira_sync.models import IssueMute, IssueSnapshot, JiraLink, JiraSite, Reminder
from jira_sync.rules import due_rules, stale_rule
from jira_sync.sites import client_for

log = logging.getLogger(__name__)

ACCOUNT_ID = re.compile(r"^[A-Za-z0-9:_-]{1,128}$")
CHUNK = 100
OVERLAP = timedelta(minutes=2)
SWEEP_EVERY = timedelta(hours=1)
HORIZON_DAYS = 7  # the longest due-soon choice


@dataclass
class Cycle:
    """What one poll read."""

    changed: dict[str, dict] = field(default_factory=dict)  # issue id -> issue JSON
    gone: set[str] = field(default_factory=set)  # account ids Jira no longer knows
    seeded: dict[str, dict] = field(default_factory=dict)
    swept: dict[str, dict] | None = None


def claim_due_sites(now: datetime) -> list[int]:
    """Ids of active sites due for a poll, each claimed once (compare-and-set on next_poll_at)."""
    claimed = []
    for site_id, due_at, minutes in JiraSite.objects.filter(active=True, next_poll_at__lte=now).values_list(
        "id", "next_poll_at", "poll_interval_minutes"
    ):
        later = now + timedelta(minutes=max(minutes, 2))
        if JiraSite.objects.filter(id=site_id, next_poll_at=due_at).update(next_poll_at=later):
            claimed.append(site_id)
    return claimed


def assignee_clause(account_ids: list[str]) -> str:
    """``assignee in ("a", "b")``; ids that are not Atlassian account ids are refused, never quoted in."""
    bad = [a for a in account_ids if not ACCOUNT_ID.match(a)]
    if bad:
        raise ValueError(f"not an account id: {bad[0]!r}")
    return "assignee in (" + ", ".join(f'"{a}"' for a in account_ids) + ")"


def _chunks(items: list[str]) -> list[list[str]]:
    return [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]


UNKNOWN_ACCOUNT = re.compile(r"The value '([A-Za-z0-9:_-]+)' does not exist for the field 'assignee'")


def _search_assigned(client: JiraClient, site: JiraSite, account_ids: list[str], tail: str, gone: set[str]) -> list:
    """Search ``assignee in (ids) AND tail``; an account Jira no longer knows is dropped (into ``gone``), not fatal."""
    ids = [a for a in account_ids if a not in gone]
    while ids:
        try:
            return client.search(_scoped(site, f"{assignee_clause(ids)}{tail}"))
        except JiraFailure as exc:
            unknown = set(UNKNOWN_ACCOUNT.findall(exc.sentence)) & set(ids) if exc.status == 400 else set()
            if not unknown:
                raise
            gone |= unknown
            ids = [a for a in ids if a not in unknown]
    return []


def _scoped(site: JiraSite, clause: str) -> str:
    return f"({site.jql_filter}) AND {clause}" if site.jql_filter.strip() else clause


def read_cycle(site: JiraSite, client: JiraClient, links: list[JiraLink], now: datetime) -> Cycle:
    """Every search of one cycle (no database writes)."""
    cycle = Cycle()
    seeded = sorted(link.account_id for link in links if link.seeded_at is not None)
    fresh = sorted(link.account_id for link in links if link.seeded_at is None)
    since = site.watermark or now
    minutes = max(math.ceil((now - since + OVERLAP).total_seconds() / 60), 1)
    for chunk in _chunks(seeded):
        found = _search_assigned(client, site, chunk, f' AND updated >= "-{minutes}m"', cycle.gone)
        cycle.changed.update((i["id"], i) for i in found)
    for chunk in _chunks(fresh):
        found = _search_assigned(client, site, chunk, " AND statusCategory != Done", cycle.gone)
        cycle.seeded.update((i["id"], i) for i in found)
    if now >= site.next_sweep_at:
        cycle.swept = {}
        horizon = site_today(site, now) + timedelta(days=HORIZON_DAYS)
        stale_days = [link.stale_days for link in links if link.remind_stale]
        for chunk in _chunks(seeded + fresh):
            due = f' AND statusCategory != Done AND duedate <= "{horizon.isoformat()}"'
            cycle.swept.update((i["id"], i) for i in _search_assigned(client, site, chunk, due, cycle.gone))
            if stale_days:
                untouched = f' AND statusCategory = "In Progress" AND updated <= "-{min(stale_days)}d"'
                found = _search_assigned(client, site, chunk, untouched, cycle.gone)
                cycle.swept.update((i["id"], i) for i in found)
    return cycle


def site_today(site: JiraSite, now: datetime) -> date:
    return now.astimezone(ZoneInfo(site.timezone)).date()


def _snapshot_fields(issue: dict) -> dict:
    fields = issue.get("fields") or {}
    status = fields.get("status") or {}
    due = fields.get("duedate")
    return {
        "key": issue["key"],
        "summary": (fields.get("summary") or "")[:500],
        "status": status.get("name") or "",
        "status_category": (status.get("statusCategory") or {}).get("key") or "",
        "duedate": date.fromisoformat(due) if due else None,
        "assignee": ((fields.get("assignee") or {}).get("accountId")) or "",
        "priority": (fields.get("priority") or {}).get("name") or "",
        "project": (fields.get("project") or {}).get("key") or "",
        "updated": jira_time(fields.get("updated")),
    }


def newly_assigned(site: JiraSite, cycle: Cycle, linked: dict[str, JiraLink]) -> list[str]:
    """Issue ids whose assignee became a seeded linked member since the last snapshot."""
    known = dict(
        IssueSnapshot.objects.filter(site=site, issue_id__in=list(cycle.changed)).values_list("issue_id", "assignee")
    )
    found = []
    for issue_id, issue in cycle.changed.items():
        assignee = _snapshot_fields(issue)["assignee"]
        link = linked.get(assignee)
        if link is None or link.seeded_at is None or not link.remind_assigned:
            continue
        if known.get(issue_id) != assignee:
            found.append(issue_id)
    return found


def self_assigned(client: JiraClient, issue_ids: list[str], linked: dict[str, JiraLink], cycle: Cycle) -> set[str]:
    """Of ``issue_ids``, those whose latest assignee change was made by the assignee themself."""
    if not issue_ids:
        return set()
    try:
        histories = client.assignee_changes(issue_ids)
    except JiraFailure as exc:
        log.warning("changelog bulk fetch failed (%s); assignments are reminded unconfirmed", exc.sentence)
        return set()
    skipped = set()
    for issue_id in issue_ids:
        assignee = _snapshot_fields(cycle.changed[issue_id])["assignee"]
        changes = [h for h in histories.get(issue_id, []) if any(i.get("fieldId") == "assignee" for i in h["items"])]
        if changes and (changes[-1].get("author") or {}).get("accountId") == assignee:
            skipped.add(issue_id)
    return skipped


def poll_site(site_id: int, now: datetime | None = None) -> int:
    """Run one cycle of a site (already claimed); returns the number of reminders created."""
    now = now or timezone.now()
    site = JiraSite.objects.filter(id=site_id, active=True).first()
    if site is None:
        return 0
    links = [
        link
        for link in JiraLink.objects.filter(site=site, status=JiraLink.Status.ACTIVE)
        if ACCOUNT_ID.match(link.account_id)
    ]
    linked = {link.account_id: link for link in links}
    client = None
    try:
        client = client_for(site)
        cycle = read_cycle(site, client, links, now)
        assigned = newly_assigned(site, cycle, linked)
        skipped = self_assigned(client, assigned, linked, cycle)
        assigned = [i for i in assigned if i not in skipped]
        subscriptions.run(site, client, now)
    except JiraFailure as exc:
        health.record_failure(site, exc.sentence, now, requests=client.requests if client else 0)
        metrics.JIRA_POLLS.inc(site=site.id, outcome="error")
        return 0
    with transaction.atomic():
        created = _apply(site, cycle, assigned, linked, now)
        JiraLink.objects.filter(id__in=[link.id for link in links if link.seeded_at is None]).update(seeded_at=now)
        # Jira no longer knows these accounts (deleted or deactivated): the member must link again.
        JiraLink.objects.filter(site=site, account_id__in=cycle.gone).update(status=JiraLink.Status.RECONNECT)
        changes = {"watermark": now, "requests_last_cycle": client.requests}
        if cycle.swept is not None:
            changes["next_sweep_at"] = now + SWEEP_EVERY
        JiraSite.objects.filter(id=site.id).update(**changes)
        health.record_success(site, now)
    metrics.JIRA_POLLS.inc(site=site.id, outcome="ok")
    return created


def _apply(site: JiraSite, cycle: Cycle, assigned: list[str], linked: dict[str, JiraLink], now: datetime) -> int:
    snapshots = _store_snapshots(site, {**cycle.seeded, **cycle.changed, **(cycle.swept or {})}, now)
    wanted: list[tuple[JiraLink, IssueSnapshot, str, str]] = []
    today = site_today(site, now)
    for issue_id in assigned:
        snap = snapshots[issue_id]
        wanted.append((linked[snap.assignee], snap, Reminder.Rule.ASSIGNED, today.isoformat()))
    for issue_id in cycle.swept or {}:
        snap = snapshots[issue_id]
        link = linked.get(snap.assignee)
        if link is not None:
            for rule, occasion in due_rules(link, snap, today) + stale_rule(link, snap, now):
                wanted.append((link, snap, rule, occasion))
    muted = _muted(site, now)
    rows = [
        Reminder(link=link, issue_id=snap.issue_id, issue_key=snap.key, rule=rule, occasion=occasion, not_before=now)
        for link, snap, rule, occasion in wanted
        if (link.id, snap.issue_id) not in muted
    ]
    reminders = Reminder.objects.filter(link__site=site)
    before = reminders.count()
    # The unique constraint (link, issue, rule, occasion) makes a re-run add nothing.
    Reminder.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return reminders.count() - before


def _store_snapshots(site: JiraSite, issues: dict[str, dict], now: datetime) -> dict[str, IssueSnapshot]:
    """Insert or update the snapshots of ``issues`` in bulk (thousands per cycle on a big site)."""
    existing = {s.issue_id: s for s in IssueSnapshot.objects.filter(site=site, issue_id__in=list(issues))}
    fresh, changed = [], []
    for issue_id, issue in issues.items():
        values = {**_snapshot_fields(issue), "seen_at": now}
        snap = existing.get(issue_id)
        if snap is None:
            snap = IssueSnapshot(site=site, issue_id=issue_id, **values)
            fresh.append(snap)
            existing[issue_id] = snap
        else:
            for name, value in values.items():
                setattr(snap, name, value)
            changed.append(snap)
    IssueSnapshot.objects.bulk_create(fresh, batch_size=1000)
    fields = [*_snapshot_fields({"key": "", "fields": {}}), "seen_at"]
    IssueSnapshot.objects.bulk_update(changed, fields, batch_size=1000)
    return existing


def _muted(site: JiraSite, now: datetime) -> set[tuple[int, str]]:
    from django.db.models import Q

    mutes = IssueMute.objects.filter(link__site=site).filter(Q(until__isnull=True) | Q(until__gt=now))
    return set(mutes.values_list("link_id", "issue_id"))
