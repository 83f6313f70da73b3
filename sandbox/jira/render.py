"""Jira Cloud's JSON shapes for issues, users, projects and the server itself."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sandbox.jira.model import ISSUE_TYPES, PRIORITIES, Issue, Project, Status, User

PRIORITY_IDS = {name: pid for pid, name in PRIORITIES}
ISSUE_TYPE_IDS = {name: tid for tid, name in ISSUE_TYPES}


def jira_time(when: datetime, tz: ZoneInfo) -> str:
    """Jira's timestamp form: ``2026-11-20T14:00:00.000+0000`` in the user's zone."""
    local = when.astimezone(tz)
    return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}" + local.strftime("%z")


def selected_fields(requested: list[str] | None, default: list[str]) -> list[str]:
    """Resolve a ``fields`` parameter (``*all``, ``*navigable``, names, ``-name``) to field ids."""
    if requested is None:
        return list(default)
    chosen: list[str] = []
    excluded = set()
    for item in (part.strip() for entry in requested for part in entry.split(",")):
        if item in ("*all", "*navigable"):
            chosen.extend(f for f in ALL_FIELDS if f not in chosen)
        elif item.startswith("-"):
            excluded.add(item[1:])
        elif item in ALL_FIELDS and item not in chosen:
            chosen.append(item)
    return [f for f in chosen if f not in excluded]


def user_json(user: User, base: str, *, with_email: bool = True) -> dict:
    """A Cloud user bean (``/rest/api/3/user``)."""
    avatar = f"https://avatar.example.invalid/{user.account_id}"
    body = {
        "self": f"{base}/user?accountId={user.account_id}",
        "accountId": user.account_id,
        "accountType": "atlassian",
        "avatarUrls": {size: f"{avatar}?s={size[:2]}" for size in ("48x48", "24x24", "16x16", "32x32")},
        "displayName": user.display_name,
        "active": user.active,
        "timeZone": user.time_zone,
        "locale": "en_US",
    }
    if with_email:
        body["emailAddress"] = user.email
    return body


def project_json(project: Project, base: str) -> dict:
    """A project bean as ``GET /rest/api/3/project`` lists it."""
    return {
        "expand": "description,lead,issueTypes,url,projectKeys,permissions,insight",
        "self": f"{base}/project/{project.id}",
        "id": project.id,
        "key": project.key,
        "name": project.name,
        "avatarUrls": {"48x48": f"https://avatar.example.invalid/project/{project.id}"},
        "projectTypeKey": "software",
        "simplified": False,
        "style": "classic",
        "isPrivate": False,
        "properties": {},
    }


def status_json(status: Status, base: str) -> dict:
    """A status with its category, as nested in an issue's fields."""
    cat = status.category
    return {
        "self": f"{base}/status/{status.id}",
        "description": "",
        "iconUrl": f"{base.split('/rest/')[0]}/images/icons/statuses/generic.png",
        "name": status.name,
        "id": status.id,
        "statusCategory": {
            "self": f"{base}/statuscategory/{cat.id}",
            "id": cat.id,
            "key": cat.key,
            "colorName": cat.color,
            "name": cat.name,
        },
    }


def rich_text(text: str | None, version: str):
    """A rich-text field: plain text in v2, Atlassian Document Format in v3."""
    if text is None:
        return None
    if version == "2":
        return text
    # v3 returns rich text as Atlassian Document Format
    paragraph = {"type": "paragraph", "content": [{"type": "text", "text": text}]}
    return {"type": "doc", "version": 1, "content": [paragraph]}


def issue_json(
    issue: Issue, *, base: str, version: str, fields: list[str], users: dict[str, User], projects, tz
) -> dict:
    """An issue bean; ``fields`` lists the field ids to include (empty: no ``fields`` key)."""
    body = {
        "expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
        "id": issue.id,
        "self": f"{base}/issue/{issue.id}",
        "key": issue.key,
    }
    if not fields:
        return body
    project = next(p for p in projects if p.key == issue.project_key)
    values = {
        "summary": issue.summary,
        "status": status_json(issue.status, base),
        "assignee": user_json(users[issue.assignee_id], base) if issue.assignee_id else None,
        "reporter": user_json(users[issue.reporter_id], base) if issue.reporter_id else None,
        "duedate": issue.duedate.isoformat() if issue.duedate else None,
        "updated": jira_time(issue.updated, tz),
        "created": jira_time(issue.created, tz),
        "statuscategorychangedate": jira_time(issue.updated, tz),
        "project": {k: v for k, v in project_json(project, base).items() if k not in ("expand", "style")},
        "priority": {
            "self": f"{base}/priority/{PRIORITY_IDS[issue.priority]}",
            "iconUrl": f"{base.split('/rest/')[0]}/images/icons/priorities/{issue.priority.lower()}.svg",
            "name": issue.priority,
            "id": PRIORITY_IDS[issue.priority],
        },
        "issuetype": {
            "self": f"{base}/issuetype/{ISSUE_TYPE_IDS[issue.issue_type]}",
            "id": ISSUE_TYPE_IDS[issue.issue_type],
            "description": "",
            "name": issue.issue_type,
            "subtask": False,
            "hierarchyLevel": 0,
        },
        "description": rich_text(issue.description, version),
        "labels": list(issue.labels),
    }
    body["fields"] = {f: values[f] for f in fields}
    return body


def server_info(base_url: str, now: datetime, tz: ZoneInfo) -> dict:
    """``/rest/api/3/serverInfo`` as Jira Cloud answers it (``deploymentType`` "Cloud")."""
    return {
        "baseUrl": base_url,
        "displayUrl": base_url,
        "version": "1001.0.0-SNAPSHOT",
        "versionNumbers": [1001, 0, 0],
        "deploymentType": "Cloud",
        "buildNumber": 100290,
        "buildDate": "2026-01-01T00:00:00.000+0000",
        "serverTime": jira_time(now, tz),
        "scmInfo": "sandbox",
        "serverTitle": "Jira",
        "serverTimeZone": "Etc/UTC",
    }


FIELD_DEFINITIONS = [
    ("summary", "Summary", "string", ["summary"]),
    ("status", "Status", "status", ["status"]),
    ("assignee", "Assignee", "user", ["assignee"]),
    ("reporter", "Reporter", "user", ["reporter"]),
    ("duedate", "Due date", "date", ["due", "duedate"]),
    ("updated", "Updated", "datetime", ["updated", "updatedDate"]),
    ("created", "Created", "datetime", ["created", "createdDate"]),
    ("project", "Project", "project", ["project"]),
    ("priority", "Priority", "priority", ["priority"]),
    ("issuetype", "Issue Type", "issuetype", ["issuetype", "type"]),
    ("description", "Description", "string", ["description"]),
    ("labels", "Labels", "array", ["labels"]),
    ("issuekey", "Key", None, ["id", "issue", "issuekey", "key"]),
]


# Every field an issue can carry: the searchable system fields, then the one /field omits.
ALL_FIELDS = [fid for fid, *_ in FIELD_DEFINITIONS if fid != "issuekey"] + ["statuscategorychangedate"]


def fields_json() -> list[dict]:
    """``GET /rest/api/3/field``: the system fields the sandbox knows."""
    out = []
    for fid, name, schema_type, clauses in FIELD_DEFINITIONS:
        entry = {
            "id": fid,
            "key": fid,
            "name": name,
            "custom": False,
            "orderable": fid not in ("updated", "created", "issuekey"),
            "navigable": True,
            "searchable": True,
            "clauseNames": clauses,
        }
        if schema_type:
            entry["schema"] = {"type": schema_type, "system": fid}
        out.append(entry)
    return out


def page(values: list, *, start: int, limit: int, url: str, query: dict[str, str]) -> dict:
    """A ``PageBean``: ``self`` and ``nextPage`` are ``url`` with ``query`` and the page's start."""
    here = {**query, "startAt": str(start), "maxResults": str(limit)}
    body = {"self": f"{url}?{urlencode(here)}", "maxResults": limit, "startAt": start, "total": len(values)}
    body["isLast"] = start + limit >= len(values)
    if not body["isLast"]:
        body["nextPage"] = f"{url}?{urlencode({**here, 'startAt': str(start + limit)})}"
    body["values"] = values[start : start + limit]
    return body
