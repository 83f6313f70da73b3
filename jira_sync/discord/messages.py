"""How Jira reminders look in Discord: the DM (issues grouped by rule) and its buttons."""

from __future__ import annotations

from urllib.parse import quote

from core.interactions import CustomId
from core.interactions.components import button, row
from core.markup import escape_within, truncate
from jira_sync.models import IssueSnapshot, JiraSite, Reminder

SNOOZE = CustomId("jira:snooze:{link_id:int}:{issue_id}:{until}")  # until: "1d" or "monday"
MUTE = CustomId("jira:mute:{link_id:int}:{issue_id}")

GROUPS = [
    (Reminder.Rule.OVERDUE, "Overdue"),
    (Reminder.Rule.DUE_SOON, "Due soon"),
    (Reminder.Rule.ASSIGNED, "Newly assigned to you"),
    (Reminder.Rule.STALE, "Untouched for a while"),
]
LINES_PER_GROUP = 15
BUTTON_ROWS = 5
DESCRIPTION = 4096


def issue_url(site: JiraSite, key: str) -> str:
    return f"{site.base_url.rstrip('/')}/browse/{key}"


def search_url(site: JiraSite, keys: list[str]) -> str:
    jql = f"key in ({', '.join(keys)}) ORDER BY duedate ASC"
    return f"{site.base_url.rstrip('/')}/issues/?jql={quote(jql)}"


def issue_line(site: JiraSite, snapshot: IssueSnapshot) -> str:
    """``[OPS-12](url) Fix the deck · In Progress · due Fri 5 Dec 2026`` (the due date is the site's date)."""
    summary = escape_within(snapshot.summary or "(no summary)", 120)
    due = f" · due {snapshot.duedate:%a} {snapshot.duedate.day} {snapshot.duedate:%b %Y}" if snapshot.duedate else ""
    status = escape_within(snapshot.status, 40)
    return f"[{snapshot.key}]({issue_url(site, snapshot.key)}) {summary} · {status}{due}"


def held_line(snapshot: IssueSnapshot) -> str:
    """``OPS-12 Fix the deck · due Fri 5 Dec 2026``: a reminder a member away did not get, for their summary."""
    summary = escape_within(snapshot.summary or "(no summary)", 80)
    due = f" · due {snapshot.duedate:%a} {snapshot.duedate.day} {snapshot.duedate:%b %Y}" if snapshot.duedate else ""
    return f"{snapshot.key} {summary}{due}"


def reminders_message(
    site: JiraSite,
    link_id: int,
    items: list[tuple[str, IssueSnapshot]],
    *,
    title: str,
    extra: list[tuple[str, list[str]]] = (),
) -> dict:
    """One DM: the issues by rule in an embed ("and 12 more" links to a Jira search), buttons per issue;
    ``extra``: other apps' (heading, lines) of a digest (core.digests), after the issues."""
    parts: list[str] = []
    for rule, heading in GROUPS:
        snaps = [snap for r, snap in items if r == rule]
        if not snaps:
            continue
        lines = [issue_line(site, s) for s in snaps[:LINES_PER_GROUP]]
        rest = snaps[LINES_PER_GROUP:]
        if rest:
            lines.append(f"…[and {len(rest)} more]({search_url(site, [s.key for s in rest])})")
        parts.append(f"**{heading}**\n" + "\n".join(lines))
    parts.extend(f"**{heading}**\n" + "\n".join(lines) for heading, lines in extra)
    description = truncate("\n\n".join(parts), DESCRIPTION)
    seen: list[IssueSnapshot] = []
    for _, snap in items:
        if snap.issue_id not in {s.issue_id for s in seen}:
            seen.append(snap)
    return {
        "content": "",
        "embeds": [{"title": truncate(title, 256), "description": description}],
        "components": [issue_buttons(site, link_id, snap) for snap in seen[:BUTTON_ROWS]],
    }


def issue_buttons(site: JiraSite, link_id: int, snapshot: IssueSnapshot) -> dict:
    key = snapshot.key
    return row(
        button(f"Snooze {key} 1 day", SNOOZE.build(link_id=link_id, issue_id=snapshot.issue_id, until="1d")),
        button("Until Monday", SNOOZE.build(link_id=link_id, issue_id=snapshot.issue_id, until="monday")),
        button("Mute", MUTE.build(link_id=link_id, issue_id=snapshot.issue_id), style="danger"),
        {"type": 2, "style": 5, "label": f"Open {key}", "url": issue_url(site, key)},
    )
