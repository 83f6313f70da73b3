"""Jira Cloud platform REST API v3 objects, derived from Atlassian's OpenAPI description
``swagger-v3.v3.json`` (OpenAPI 3.0.1, "The Jira Cloud platform REST API"; the copy read was
version 1001.0.0-SNAPSHOT-57a0ca5b, which has ``/search/jql``; salto-io/jira-swaggers'
``platform-swagger.v3.json`` of 2022 predates it). Titles name the ``components/schemas``
entry followed. Jira's schemas declare no required fields but most are closed
(``additionalProperties: false``), which ``closed=True`` keeps.

One knowing departure: the spec marks timestamps ``format: date-time``, but Jira Cloud (and
every example in the description) writes ``2026-11-20T14:00:00.000+0000``, an ISO 8601 offset
without the colon RFC 3339 wants; ``JIRA_TIME`` checks that form. Another: ``ChangeDetails``
types ``from``/``to``/``fromString``/``toString`` as strings, but Jira writes ``null`` for "no
value" (unassigned, no due date), so those four are nullable here.

``BulkChangelogResponseBean`` and ``IssueChangeLog`` (``POST changelog/bulkfetch``) follow the
same description (``components/schemas``; the operation lists 200 and 400).
"""

from __future__ import annotations

from .common import ANY, BOOL, INT32, INT64, STRING, URI, array, enum, nullable, obj

JIRA_TIME = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{4}$"}
DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}

AVATAR_URLS = obj("AvatarUrlsBean", {}, {size: URI for size in ("16x16", "24x24", "32x32", "48x48")}, closed=True)
_PERSON = {
    "accountId": {"type": "string", "maxLength": 128},
    "accountType": enum("atlassian", "app", "customer", "unknown"),
    "active": BOOL,
    "avatarUrls": AVATAR_URLS,
    "displayName": STRING,
    "emailAddress": STRING,
    "self": URI,
    "timeZone": STRING,
}
USER = obj(
    "User",
    {},
    {
        **_PERSON,
        "locale": STRING,
        "expand": STRING,
        "groups": obj("SimpleListWrapperGroupName", {}, {"size": INT32, "items": array(ANY)}, closed=True),
        "applicationRoles": obj(
            "SimpleListWrapperApplicationRole", {}, {"size": INT32, "items": array(ANY)}, closed=True
        ),
    },
    closed=True,
)
USERS = {"title": "array of User", **array(USER)}
USER_DETAILS = obj("UserDetails", {}, _PERSON, closed=True)

SERVER_INFO = obj(
    "ServerInformation",
    {},
    {
        "baseUrl": STRING,
        "buildDate": JIRA_TIME,
        "buildNumber": INT32,
        "deploymentType": enum("Cloud"),
        "displayUrl": STRING,
        "scmInfo": STRING,
        "serverTime": JIRA_TIME,
        "serverTimeZone": STRING,
        "serverTitle": STRING,
        "version": STRING,
        "versionNumbers": array(INT32),
    },
    closed=True,
)

PROJECT = obj(
    "Project",
    {},
    {
        "expand": STRING,
        "self": URI,
        "id": STRING,
        "key": STRING,
        "name": STRING,
        "avatarUrls": AVATAR_URLS,
        "projectTypeKey": enum("software", "service_desk", "business"),
        "simplified": BOOL,
        "style": enum("classic", "next-gen"),
        "isPrivate": BOOL,
        "properties": {"type": "object"},
    },
    closed=True,
)
PROJECTS = {"title": "array of Project", **array(PROJECT)}


def page_bean(name: str, item: dict) -> dict:
    """``PageBean<X>``: a page of ``values`` with its position and links."""
    return obj(
        name,
        {},
        {
            "isLast": BOOL,
            "maxResults": INT32,
            "nextPage": URI,
            "self": URI,
            "startAt": INT64,
            "total": INT64,
            "values": array(item),
        },
        closed=True,
    )


PROJECT_PAGE = page_bean("PageBeanProject", PROJECT)

FIELD = obj(
    "FieldDetails",
    {},
    {
        "clauseNames": array(STRING, uniqueItems=True),
        "custom": BOOL,
        "id": STRING,
        "key": STRING,
        "name": STRING,
        "navigable": BOOL,
        "orderable": BOOL,
        "searchable": BOOL,
        "schema": obj(
            "JsonTypeBean",
            {"type": STRING},
            {
                "system": STRING,
                "items": STRING,
                "custom": STRING,
                "customId": INT64,
                "configuration": {"type": "object"},
            },
            closed=True,
        ),
    },
    closed=True,
)
FIELDS = {"title": "array of FieldDetails", **array(FIELD)}

# IssueBean.fields is free-form in the spec (additionalProperties: {}); the system fields the
# stand-in serves are typed as the description's examples show them.
_NAMED = obj("named reference (status, priority, issuetype)", {"id": STRING, "name": STRING}, {"self": URI})
ISSUE_FIELDS = {
    "type": "object",
    "properties": {
        "summary": STRING,
        "status": _NAMED,
        "priority": _NAMED,
        "issuetype": _NAMED,
        "assignee": nullable(USER),
        "reporter": nullable(USER),
        "duedate": nullable(DATE),
        "created": JIRA_TIME,
        "updated": JIRA_TIME,
        "statuscategorychangedate": JIRA_TIME,
        "labels": array(STRING),
        "project": obj("project reference", {"id": STRING, "key": STRING}),
        "description": nullable({"type": "object", "required": ["type", "version", "content"]}),
    },
}
ISSUE = obj(
    "IssueBean",
    {},
    {"id": STRING, "key": STRING, "self": URI, "expand": STRING, "fields": ISSUE_FIELDS},
    closed=True,
)
SEARCH = obj(
    "SearchAndReconcileResults",
    {},
    {"isLast": BOOL, "issues": array(ISSUE), "nextPageToken": STRING, "names": {"type": "object"}},
    closed=True,
)
COUNT = obj("JQLCountResultsBean", {}, {"count": INT64}, closed=True)

ADF = {"type": "object", "required": ["type", "version", "content"], "properties": {"type": enum("doc")}}
COMMENT = obj(
    "Comment",
    {},
    {
        "self": STRING,
        "id": STRING,
        "author": USER_DETAILS,
        "updateAuthor": USER_DETAILS,
        "body": ADF,
        "created": JIRA_TIME,
        "updated": JIRA_TIME,
        "jsdPublic": BOOL,
    },
)
COMMENTS = obj(
    "PageOfComments",
    {},
    {"comments": array(COMMENT), "maxResults": INT32, "startAt": INT64, "total": INT64},
)
CHANGE = obj(
    "ChangeDetails",
    {},
    {
        "field": STRING,
        "fieldId": STRING,
        "fieldtype": STRING,
        "from": nullable(STRING),
        "fromString": nullable(STRING),
        "to": nullable(STRING),
        "toString": nullable(STRING),
    },
    closed=True,
)
CHANGELOG = obj(
    "Changelog",
    {},
    {"id": STRING, "author": USER_DETAILS, "created": JIRA_TIME, "items": array(CHANGE)},
    closed=True,
)
CHANGELOG_PAGE = page_bean("PageBeanChangelog", CHANGELOG)
ISSUE_CHANGELOG = obj("IssueChangeLog", {}, {"issueId": STRING, "changeHistories": array(CHANGELOG)}, closed=True)
BULK_CHANGELOG = obj(
    "BulkChangelogResponseBean",
    {},
    {"issueChangeLogs": array(ISSUE_CHANGELOG), "nextPageToken": STRING},
    closed=True,
)

ERROR = obj(
    "ErrorCollection",
    {"errorMessages": array(STRING), "errors": {"type": "object", "additionalProperties": STRING}},
    {"status": INT32},
    closed=True,
)
ERROR["required"] = ["errorMessages", "errors"]  # what every Jira Cloud error body carries

# The statuses each operation's ``responses`` lists (GET unless named).
LISTED_STATUSES = {
    "serverInfo": {200, 401},
    "myself": {200, 401},
    "project": {200, 401},
    "project/{projectIdOrKey}": {200, 401, 404},
    "project/search": {200, 400, 401, 404},
    "field": {200, 401},
    "user": {200, 401, 403, 404},
    "user/search": {200, 400, 401, 429},
    "issue/{issueIdOrKey}": {200, 401, 404},
    "issue/{issueIdOrKey}/comment": {200, 400, 401, 404},
    "issue/{issueIdOrKey}/changelog": {200, 404},
    "search/jql": {200, 400, 401},
    "POST search/jql": {200, 400, 401},
    "POST search/approximate-count": {200, 400, 401},
    "POST changelog/bulkfetch": {200, 400},
}
