"""Jira reminders' rules for members: settings, snooze and mute, status, the digest on demand."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import transaction

from core.errors import RuleError
from core.timeparse import member_zone
from jira_sync.delivery import next_monday
from jira_sync.discord.messages import reminders_message
from jira_sync.models import IssueMute, IssueSnapshot, JiraLink, JiraSite, Reminder
from jira_sync.polling import site_today
from jira_sync.rules import due_rules, stale_rule

NOT_LINKED = "You have not linked a Jira account in this server: use /jira link first."
_CLOCK = re.compile(r"^(?P<h>\d{1,2})(?::(?P<m>\d{2}))?$")


def site_of(guild_id: int | None, name: str | None = None) -> JiraSite:
    """The guild's site (by name when it has several); RuleError when there is none."""
    sites = list(JiraSite.objects.filter(guild_id=guild_id, active=True))
    if not sites:
        raise RuleError("This server has not connected a Jira site yet: ask an organiser.")
    if name:
        chosen = [s for s in sites if s.name.lower() == name.strip().lower()]
        if not chosen:
            raise RuleError(f"There is no Jira site called {name!r} here; choose one of: {_names(sites)}.")
        return chosen[0]
    if len(sites) > 1:
        raise RuleError(f"This server has several Jira sites: add site: with one of {_names(sites)}.")
    return sites[0]


def _names(sites: list[JiraSite]) -> str:
    return ", ".join(s.name for s in sites)


def link_of(member_id: int, guild_id: int | None, site_name: str | None = None) -> JiraLink:
    links = JiraLink.objects.select_related("site").filter(member_id=member_id, site__guild_id=guild_id)
    if site_name:
        links = links.filter(site__name__iexact=site_name.strip())
    found = list(links)
    if not found:
        raise RuleError(NOT_LINKED)
    if len(found) > 1:
        raise RuleError(f"You are linked on several sites: add site: with one of {_names([x.site for x in found])}.")
    return found[0]


def unlink(member_id: int, guild_id: int | None, site_name: str | None = None) -> JiraLink:
    """Forget the member's link (its tokens, reminders and mutes go with it)."""
    link = link_of(member_id, guild_id, site_name)
    link.delete()
    return link


@dataclass(frozen=True)
class SettingsChange:
    """What /jira settings may change; None leaves a setting as it is."""

    delivery: str | None = None
    digest_hour: int | None = None
    quiet_hours: str | None = None  # "22:00-08:00", or "off"
    weekends_off: bool | None = None
    due_soon_days: int | None = None
    due_soon: bool | None = None
    overdue: bool | None = None
    assigned: bool | None = None
    stale_days: int | None = None  # 0 switches stale reminders off


def read_quiet_hours(text: str) -> tuple[time, time]:
    """``22:00-08:00`` (may cross midnight), ``22-8``, or ``off`` (no quiet hours)."""
    cleaned = text.strip().lower().replace("\u2013", "-").replace(" ", "")
    if cleaned in ("off", "none"):
        return time(0, 0), time(0, 0)
    start, sep, end = cleaned.partition("-")
    clocks = [_clock(part) for part in (start, end)] if sep else [None]
    if None in clocks:
        raise RuleError(f"Quiet hours {text!r} are not two times: write them as 22:00-08:00, or off.")
    if clocks[0] == clocks[1]:
        raise RuleError("Quiet hours must start and end at different times (or write off).")
    return clocks[0], clocks[1]


def _clock(text: str) -> time | None:
    match = _CLOCK.match(text)
    if not match or int(match["h"]) > 23 or int(match["m"] or 0) > 59:
        return None
    return time(int(match["h"]), int(match["m"] or 0))


def change_settings(link: JiraLink, change: SettingsChange) -> JiraLink:
    """Apply /jira settings; RuleError for a value the member can fix."""
    if change.delivery is not None:
        if change.delivery not in JiraLink.Delivery.values:
            raise RuleError("Delivery is digest (once a day) or live (as it happens).")
        link.delivery = change.delivery
    if change.digest_hour is not None:
        if not 0 <= change.digest_hour <= 23:
            raise RuleError("The digest hour is a whole hour from 0 to 23 (your time zone).")
        link.digest_hour = change.digest_hour
    if change.quiet_hours is not None:
        link.quiet_start, link.quiet_end = read_quiet_hours(change.quiet_hours)
    if change.due_soon_days is not None:
        if change.due_soon_days not in (1, 2, 3, 7):
            raise RuleError("Due-soon reminders come 1, 2, 3 or 7 days before the due date.")
        link.due_soon_days = change.due_soon_days
    if change.stale_days is not None:
        if not 0 <= change.stale_days <= 90:
            raise RuleError("Stale reminders: 1 to 90 days untouched, or 0 to switch them off.")
        link.remind_stale = change.stale_days > 0
        link.stale_days = change.stale_days or link.stale_days
    for name, attr in (
        ("weekends_off", "weekends_off"),
        ("due_soon", "remind_due_soon"),
        ("overdue", "remind_overdue"),
        ("assigned", "remind_assigned"),
    ):
        value = getattr(change, name)
        if value is not None:
            setattr(link, attr, value)
    link.save()
    return link


def describe_settings(link: JiraLink) -> str:
    rules = [
        f"due soon ({link.due_soon_days} day{'s' if link.due_soon_days > 1 else ''} before)"
        if link.remind_due_soon
        else "",
        "overdue" if link.remind_overdue else "",
        "newly assigned" if link.remind_assigned else "",
        f"stale after {link.stale_days} days" if link.remind_stale else "",
    ]
    quiet = (
        "no quiet hours"
        if link.quiet_start == link.quiet_end
        else f"quiet hours {link.quiet_start:%H:%M} to {link.quiet_end:%H:%M}"
    )
    when = f"a daily digest at {link.digest_hour:02d}:00" if link.delivery == "digest" else f"as it happens, {quiet}"
    weekends = ", weekends off" if link.weekends_off else ""
    return f"Reminders: {', '.join(r for r in rules if r) or 'none'}; {when}{weekends} (your time zone)."


def status_text(member_id: int, guild_id: int | None) -> str:
    links = list(JiraLink.objects.select_related("site").filter(member_id=member_id, site__guild_id=guild_id))
    if not links:
        return NOT_LINKED
    lines = []
    for link in links:
        state = "linked" if link.status == JiraLink.Status.ACTIVE else "must reconnect: run /jira link"
        last = f"<t:{int(link.last_reminder_at.timestamp())}:R>" if link.last_reminder_at else "none yet"
        who = link.display_name or link.account_id
        lines.append(f"**{link.site.name}**: {state} as {who}. Last reminder: {last}. {describe_settings(link)}")
    return "\n".join(lines)


def snooze(member_id: int, link_id: int, issue_id: str, until: str, now: datetime) -> datetime:
    """Hold an issue's reminders until tomorrow this time or Monday (digest hour), then remind once more."""
    with transaction.atomic():
        link = JiraLink.objects.select_for_update().filter(id=link_id, member_id=member_id).first()
        if link is None:
            raise RuleError("These reminders are not yours, or you unlinked that account.")
        zone = member_zone(member_id, link.site.guild_id)
        if until == "monday":
            moment = next_monday(now.astimezone(zone), link.digest_hour)
        elif until == "1d":
            moment = now + timedelta(days=1)
        else:
            raise RuleError("That snooze no longer exists.")
        IssueMute.objects.update_or_create(link=link, issue_id=issue_id, defaults={"until": moment})
        latest = link.reminders.filter(issue_id=issue_id).order_by("-id").first()
        if latest is not None:
            Reminder.objects.get_or_create(
                link=link,
                issue_id=issue_id,
                rule=latest.rule,
                occasion=f"{latest.occasion[:40]}~{moment.date().isoformat()}",
                defaults={"issue_key": latest.issue_key, "not_before": moment},
            )
        return moment


def mute(member_id: int, link_id: int, issue_id: str) -> str:
    """No more reminders about this issue for this member; returns the issue key."""
    with transaction.atomic():
        link = JiraLink.objects.filter(id=link_id, member_id=member_id).first()
        if link is None:
            raise RuleError("These reminders are not yours, or you unlinked that account.")
        IssueMute.objects.update_or_create(link=link, issue_id=issue_id, defaults={"until": None})
        link.reminders.filter(issue_id=issue_id, status=Reminder.Status.PENDING).update(status=Reminder.Status.DROPPED)
        snap = IssueSnapshot.objects.filter(site_id=link.site_id, issue_id=issue_id).first()
        return snap.key if snap else issue_id


def digest_now(link: JiraLink, now: datetime) -> dict | None:
    """What the digest would list right now (open issues due soon, overdue or stale), for /jira digest."""
    today = site_today(link.site, now)
    items = []
    for snap in IssueSnapshot.objects.filter(site=link.site, assignee=link.account_id).order_by("duedate", "key"):
        for rule, _ in due_rules(link, snap, today) + stale_rule(link, snap, now):
            items.append((rule, snap))
    if not items:
        return None
    return reminders_message(link.site, link.id, items, title=f"Jira now: {link.site.name}")
