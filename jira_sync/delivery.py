"""Pending reminders to DMs: a daily digest or as it happens, in the member's own hours.

Each member's pending reminders are claimed under a row lock on their link, written to
the outbox and marked sent in one transaction, so two ticks or a retried task send them
once. A live DM of one reminder is keyed by member, issue, rule and occasion (its day);
a digest by member and local date.

A member away (leave, a public holiday: ``core.nudging.away``) gets neither: each tick
holds their due reminders (``hold_while_away``) for their "While you were away" summary,
once per issue and kind during one absence, and marks them held, so no digest of them
follows on their return.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q

from core import digests, nudging, outbox
from core.timeparse import member_zone
from jira_sync.discord.messages import held_line, reminders_message
from jira_sync.models import IssueMute, IssueSnapshot, JiraLink, Reminder
from jira_sync.rules import in_quiet_hours

Status = Reminder.Status
Rule = Reminder.Rule
HELD_KINDS = {Rule.DUE_SOON: "jira_due", Rule.OVERDUE: "jira_due", Rule.ASSIGNED: "jira_assigned"}
HELD_KINDS[Rule.STALE] = "jira_stale"


def register_held_kinds() -> None:
    """What a member away missed, for their summary (called by ``JiraSyncConfig.ready``)."""
    nudging.register_held_kind("jira_due", "a Jira issue became due", "{n} Jira issues became due")
    nudging.register_held_kind(
        "jira_assigned", "a Jira issue was assigned to you", "{n} Jira issues were assigned to you"
    )
    nudging.register_held_kind("jira_stale", "a Jira issue of yours went untouched", "{n} Jira issues went untouched")


def _pending_links(now: datetime) -> list[JiraLink]:
    ids = (
        Reminder.objects.filter(status=Status.PENDING, not_before__lte=now, link__status=JiraLink.Status.ACTIVE)
        .values_list("link_id", flat=True)
        .distinct()
    )
    return list(JiraLink.objects.filter(id__in=list(ids)).select_related("member", "site__guild"))


def links_with_pending(now: datetime) -> list[int]:
    """Links with reminders due whose member's hours and ``core.nudging`` allow a DM now
    (the rest wait, costing no task)."""
    links = _pending_links(now)
    allowed = nudging.nudgeable({(link.site.guild_id, link.member_id) for link in links}, at=now)
    return [
        link.id
        for link in links
        if (link.site.guild_id, link.member_id) in allowed and may_send_now(link, now.astimezone(_zone(link)))
    ]


def _zone(link: JiraLink) -> ZoneInfo:
    """The member's zone, else the guild's (as core.timeparse.member_zone, from rows already read)."""
    return ZoneInfo(link.member.timezone or link.site.guild.timezone or "UTC")


def may_send_now(link: JiraLink, local: datetime) -> bool:
    """Weekends off, quiet hours (live) and the digest hour, read on the member's wall clock."""
    if link.weekends_off and local.weekday() >= 5:
        return False
    if link.delivery == JiraLink.Delivery.LIVE:
        return not in_quiet_hours(local.time().replace(tzinfo=None), link.quiet_start, link.quiet_end)
    return local.hour >= link.digest_hour and link.last_digest_on != local.date()


def still_applies(link: JiraLink, reminder: Reminder, snapshot: IssueSnapshot | None, muted: set[str], now) -> bool:
    if snapshot is None or snapshot.assignee != link.account_id or reminder.issue_id in muted:
        return False
    return reminder.rule == Reminder.Rule.ASSIGNED or snapshot.status_category != "done"


def deliver_link(link_id: int, now: datetime) -> int:
    """Send what is due for one member, if their hours allow; returns how many reminders went out."""
    with transaction.atomic():
        link = (
            JiraLink.objects.select_for_update()
            .select_related("site")
            .filter(id=link_id, status=JiraLink.Status.ACTIVE)
            .first()
        )
        if link is None:
            return 0
        local = now.astimezone(member_zone(link.member_id, link.site.guild_id))
        # Reminders are unsolicited DMs: they wait while core.nudging says no (they left, DMs closed).
        if not may_send_now(link, local) or not nudging.may_nudge(link.site.guild_id, link.member_id, at=now):
            return 0
        due, snaps = _still_due(link, now)
        if not due:
            return 0
        key = _key(link, due, local)
        title = f"Jira: {len(due)} reminder{'s' if len(due) != 1 else ''} from {link.site.name}"
        if link.delivery == JiraLink.Delivery.DIGEST:
            title = f"Jira digest for {local.day} {local:%B}: {link.site.name}"
            link.last_digest_on = local.date()
        # The digest carries the other apps' sections of the member's day (core.digests: the desk's overdue tasks).
        extra = (
            digests.sections(link.site.guild_id, link.member_id, local.date(), key=key)
            if link.delivery == JiraLink.Delivery.DIGEST
            else []
        )
        items = [(r.rule, snaps[r.issue_id]) for r in due]
        payload = reminders_message(link.site, link.id, items, title=title, extra=extra)
        outbox.enqueue(key=key, member_id=link.member_id, guild_id=link.site.guild_id, payload=payload)
        Reminder.objects.filter(id__in=[r.id for r in due]).update(status=Status.SENT, sent_at=now, outbox_key=key)
        JiraLink.objects.filter(id=link.id).update(last_digest_on=link.last_digest_on, last_reminder_at=now)
        return len(due)


def _still_due(link: JiraLink, now: datetime) -> tuple[list[Reminder], dict[str, IssueSnapshot]]:
    """The link's due reminders that still apply, with their issues; those that no longer do are dropped."""
    pending = list(link.reminders.filter(status=Status.PENDING, not_before__lte=now).order_by("id"))
    snaps = {
        s.issue_id: s for s in IssueSnapshot.objects.filter(site=link.site, issue_id__in=[r.issue_id for r in pending])
    }
    mutes = IssueMute.objects.filter(link=link).filter(Q(until__isnull=True) | Q(until__gt=now))
    muted = set(mutes.values_list("issue_id", flat=True))
    due = [r for r in pending if still_applies(link, r, snaps.get(r.issue_id), muted, now)]
    dropped = [r.id for r in pending if r not in due]
    Reminder.objects.filter(id__in=dropped).update(status=Status.DROPPED)
    return due, snaps


def hold_while_away(now: datetime) -> int:
    """Hold the due reminders of members who are away, for their summary; returns how many."""
    links = _pending_links(now)
    gone = nudging.away({(link.site.guild_id, link.member_id) for link in links}, at=now)
    return sum(hold_link(link.id, now) for link in links if (link.site.guild_id, link.member_id) in gone)


def hold_link(link_id: int, now: datetime) -> int:
    """One member's due reminders held (not sent) while they are away, under their link's lock."""
    with transaction.atomic():
        link = (
            JiraLink.objects.select_for_update()
            .select_related("site")
            .filter(id=link_id, status=JiraLink.Status.ACTIVE)
            .first()
        )
        if link is None:
            return 0
        due, snaps = _still_due(link, now)
        held = [
            nudging.Held(
                link.site.guild_id,
                link.member_id,
                HELD_KINDS[r.rule],
                f"jira:{link.site_id}:{r.issue_id}:{HELD_KINDS[r.rule]}",
                held_line(snaps[r.issue_id]),
            )
            for r in due
        ]
        if not nudging.hold_many(held, at=now):
            return 0  # back meanwhile: deliver_link sends them
        Reminder.objects.filter(id__in=[r.id for r in due]).update(status=Status.HELD)
        return len(due)


def hosted_digests(pairs: frozenset[tuple[int, int]], at: datetime) -> set[tuple[int, int]]:
    """``core.digests`` host: the (guild, member) pairs whose Jira digest goes now (reminders are
    due) or went on their local date of ``at``; it carries the other apps' sections."""
    guilds, members = {g for g, _ in pairs}, {m for _, m in pairs}
    links = JiraLink.objects.filter(
        status=JiraLink.Status.ACTIVE,
        delivery=JiraLink.Delivery.DIGEST,
        site__active=True,
        site__guild_id__in=guilds,
        member_id__in=members,
    ).select_related("member", "site__guild")
    waiting = set(
        Reminder.objects.filter(link__in=links, status=Status.PENDING, not_before__lte=at).values_list(
            "link_id", flat=True
        )
    )
    found = set()
    for link in links:
        pair = (link.site.guild_id, link.member_id)
        if pair in pairs and (link.id in waiting or link.last_digest_on == at.astimezone(_zone(link)).date()):
            found.add(pair)
    return found


def _key(link: JiraLink, due: list[Reminder], local: datetime) -> str:
    if link.delivery == JiraLink.Delivery.DIGEST:
        return f"jira:digest:{link.member_id}:{link.site_id}:{local.date().isoformat()}"
    if len(due) == 1:
        r = due[0]
        return f"jira:{link.member_id}:{link.site_id}:{r.issue_id}:{r.rule}:{r.occasion}"
    ids = ",".join(str(r.id) for r in due)
    return f"jira:live:{link.member_id}:{hashlib.sha256(ids.encode()).hexdigest()[:32]}"


def next_monday(local: datetime, hour: int) -> datetime:
    """Monday at ``hour`` on the member's wall clock (next week's when today is Monday)."""
    days = (7 - local.weekday()) % 7 or 7
    day = (local + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour, tzinfo=local.tzinfo)
