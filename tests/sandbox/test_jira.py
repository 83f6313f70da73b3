"""The Jira Cloud stand-in, driven through the real ``jira`` library."""

from __future__ import annotations

import math

import pytest
from jira import JIRA, JIRAError

from tests.sandbox.conftest import JIRA_USER

ADA, BRAM, CHIOMA = "5b10ac8d82e05b22cc7d4ea1", "5b10ac8d82e05b22cc7d4ea2", "5b10ac8d82e05b22cc7d4ea3"
ALL_PROJECTS = "project in (OPS, WEB, EVT)"
UNBOUNDED = "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
BAD_DATE = (
    "Date value 'yesterday' for field 'updated' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', "
    "'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'."
)
SYNTAX = "Error in the JQL Query: "


@pytest.fixture
def cast(jira_control):
    """Six issues with known fields; the clock is frozen at 2026-11-20 12:00 UTC."""
    jira_control.seed(issues=0)
    for account_id, name in ((ADA, "Ada Okafor"), (BRAM, "Bram Novak"), (CHIOMA, "Chioma Sato")):
        jira_control.add_user(name, f"{name.split()[0].lower()}@example.org", accountId=account_id)
    issues = {
        "OPS-1": dict(assignee=ADA, status="To Do", duedate="2026-11-21", updated="2026-11-20T11:50:00+00:00"),
        "OPS-2": dict(assignee=BRAM, status="In Progress", duedate="2026-11-18", updated="2026-11-18T09:00:00+00:00"),
        "OPS-3": dict(assignee=None, status="Done", duedate=None, updated="2026-11-10T00:00:00+00:00"),
        "WEB-1": dict(assignee=ADA, status="In Review", duedate="2026-11-20", updated="2026-11-19T14:00:00+00:00"),
        "WEB-2": dict(assignee=BRAM, status="Done", duedate="2026-11-25", updated="2026-11-05T08:00:00+00:00"),
        "EVT-1": dict(assignee=CHIOMA, status="Blocked", duedate=None, updated="2026-11-20T11:46:00+00:00"),
    }
    for key, fields in issues.items():
        jira_control.put_issue(key, summary=f"Summary of {key}", created="2026-11-01T00:00:00+00:00", **fields)
    return issues


def keys(client: JIRA, jql: str) -> list[str]:
    return [issue.key for issue in client.enhanced_search_issues(jql, maxResults=False)]


def test_it_pages_through_a_thousand_issues_once_each(jira_client, jira_control):
    issues = jira_client.enhanced_search_issues(ALL_PROJECTS, maxResults=False, fields="summary,status")

    assert len(issues) == 1000
    assert len({issue.key for issue in issues}) == 1000
    assert {issue.key for issue in issues} == {i["key"] for i in jira_control.issues()}
    assert jira_control.counters()["GET search/jql"] == 10  # pages of 100 when fields are asked for


def test_it_hands_out_next_page_tokens_until_the_last_page(jira_client, jira_control):
    seen, pages, token = [], 0, None
    while True:
        page = jira_client.enhanced_search_issues(
            ALL_PROJECTS, nextPageToken=token, maxResults=37, fields="", json_result=True, use_post=True
        )
        pages += 1
        seen += [issue["key"] for issue in page["issues"]]
        token = page.get("nextPageToken")
        if page["isLast"]:
            break

    assert pages == math.ceil(1000 / 37)
    assert token is None
    assert len(seen) == len(set(seen)) == 1000
    assert jira_control.counters()["POST search/jql"] == pages


def test_it_returns_only_ids_unless_fields_are_asked_for(jira_client):
    bare = jira_client.enhanced_search_issues(ALL_PROJECTS, maxResults=1, fields="", json_result=True)
    full = jira_client.enhanced_search_issues(ALL_PROJECTS, maxResults=1, fields="*all", json_result=True)

    assert set(bare["issues"][0]) == {"expand", "id", "self", "key"}
    fields = full["issues"][0]["fields"]
    assert {"summary", "status", "assignee", "duedate", "updated", "created", "project", "priority"} <= set(fields)
    assert set(fields["status"]["statusCategory"]) == {"self", "id", "key", "colorName", "name"}


@pytest.mark.parametrize(
    ("jql", "expected"),
    [
        (f'assignee in ("{ADA}", "{BRAM}") ORDER BY key', ["OPS-1", "OPS-2", "WEB-1", "WEB-2"]),
        (f'assignee = "{CHIOMA}"', ["EVT-1"]),
        (f'assignee != "{ADA}" ORDER BY key', ["EVT-1", "OPS-2", "WEB-2"]),
        ("assignee is EMPTY", ["OPS-3"]),
        ("project = WEB ORDER BY key DESC", ["WEB-2", "WEB-1"]),
        ('project in (OPS, "Events") AND statusCategory = "In Progress" ORDER BY key', ["EVT-1", "OPS-2"]),
        ("statusCategory != Done ORDER BY key", ["EVT-1", "OPS-1", "OPS-2", "WEB-1"]),
        ('status = "In Review"', ["WEB-1"]),
        ('status in ("To Do", Blocked) ORDER BY key', ["EVT-1", "OPS-1"]),
        ('status not in ("To Do", Done) ORDER BY key', ["EVT-1", "OPS-2", "WEB-1"]),
        ("updated >= -15m ORDER BY key", ["EVT-1", "OPS-1"]),
        ('updated >= "-10m"', ["OPS-1"]),
        ('updated < "2026-11-10 00:01" ORDER BY key', ["OPS-3", "WEB-2"]),
        ('updated > "2026-11-19" ORDER BY updated DESC', ["OPS-1", "EVT-1", "WEB-1"]),
        ('updated = "2026-11-18 09:00"', ["OPS-2"]),
        ('duedate < "2026-11-20"', ["OPS-2"]),
        ("duedate <= 1d ORDER BY key", ["OPS-1", "OPS-2", "WEB-1"]),
        ('duedate = "2026-11-20"', ["WEB-1"]),
        ("duedate >= startOfDay() ORDER BY duedate", ["WEB-1", "OPS-1", "WEB-2"]),
        ("due > -1w AND due <= 2d ORDER BY due DESC", ["OPS-1", "WEB-1", "OPS-2"]),
        (
            f'(assignee = "{ADA}" OR assignee = "{CHIOMA}") AND NOT status = Done ORDER BY key',
            ["EVT-1", "OPS-1", "WEB-1"],
        ),
        (f'assignee = "{ADA}" OR project = EVT AND status = Done ORDER BY key', ["OPS-1", "WEB-1"]),
        (f"{ALL_PROJECTS} ORDER BY duedate ASC", ["OPS-2", "WEB-1", "OPS-1", "WEB-2", "EVT-1", "OPS-3"]),
        (
            f"{ALL_PROJECTS} ORDER BY statusCategory ASC, key DESC".replace("statusCategory", "status"),
            ["OPS-1", "OPS-2", "WEB-1", "EVT-1", "WEB-2", "OPS-3"],
        ),
    ],
)
def test_it_evaluates_jql_like_jira(jira_client, cast, jql, expected):
    assert keys(jira_client, jql) == expected


@pytest.mark.parametrize(
    ("jql", "message"),
    [
        ("", UNBOUNDED),
        ("ORDER BY key", UNBOUNDED),
        (
            "assignee = ",
            SYNTAX + "Expecting either a value, list or function but reached the end of the query."
            " (line 1, character 12)",
        ),
        ('status = "Done', SYNTAX + "The quoted string 'Done' has not been completed. (line 1, character 10)"),
        ("project = NOPE", "The value 'NOPE' does not exist for the field 'project'."),
        ("colour = red", "Field 'colour' does not exist or you do not have permission to view it."),
        ("updated > yesterday", BAD_DATE),
        (
            "project = OPS status = Done",
            SYNTAX + "Expecting either 'OR' or 'AND' but got 'status'. (line 1, character 15)",
        ),
        ("project > OPS", "The operator '>' is not supported by the 'project' field."),
        ("(project = OPS", SYNTAX + "Expecting ')' but reached the end of the query. (line 1, character 15)"),
    ],
)
def test_it_refuses_bad_jql_with_jiras_error_body(jira_client, cast, jql, message):
    with pytest.raises(JIRAError) as caught:
        jira_client.enhanced_search_issues(jql, json_result=True)

    assert caught.value.status_code == 400
    assert caught.value.response.json() == {"errorMessages": [message], "errors": {}}


def test_it_refuses_bad_credentials(jira_server, jira_control):
    with pytest.raises(JIRAError) as caught:
        JIRA(server=jira_server.url, basic_auth=(JIRA_USER, "wrong-token"), max_retries=0)

    assert caught.value.status_code == 401
    assert jira_control.counters() == {"GET serverInfo": 1}


def test_it_answers_myself_projects_users_and_issues(jira_client, jira_control, cast):
    me = jira_client.myself()
    issue = jira_client.issue("WEB-1")

    assert me["emailAddress"] == JIRA_USER
    assert [p.key for p in jira_client.projects()] == ["OPS", "WEB", "EVT"]
    assert [u.accountId for u in jira_client.search_users(query="chioma@")] == [CHIOMA]
    assert (issue.fields.assignee.accountId, issue.fields.status.name, issue.fields.duedate) == (
        ADA,
        "In Review",
        "2026-11-20",
    )
    assert issue.fields.status.statusCategory.key == "indeterminate"
    assert issue.fields.updated == "2026-11-19T14:00:00.000+0000"


def test_it_refuses_and_counts_every_write(jira_client, jira_control, cast):
    attempts = [
        lambda: jira_client.create_issue(
            fields={"project": {"key": "OPS"}, "issuetype": {"name": "Task"}, "summary": "New"}
        ),
        lambda: jira_client.transition_issue("OPS-1", "31"),
        lambda: jira_client.add_comment("OPS-1", "Done yet?"),
    ]
    for attempt in attempts:
        with pytest.raises(JIRAError) as caught:
            attempt()
        assert caught.value.status_code == 405

    refused = [(w["method"], w["path"]) for w in jira_control.refused_writes()]
    assert refused == [
        ("POST", "/rest/api/3/issue"),
        ("POST", "/rest/api/3/issue/OPS-1/transitions"),
        ("POST", "/rest/api/3/issue/OPS-1/comment"),
    ]
    assert len(jira_control.issues()) == 6


def test_it_answers_injected_rate_limits_with_retry_after(jira_client, jira_control, cast):
    jira_control.inject_rate_limit(count=1, retry_after=7)

    with pytest.raises(JIRAError) as caught:
        jira_client.enhanced_search_issues("project = OPS", json_result=True)

    assert caught.value.status_code == 429
    assert caught.value.response.headers["Retry-After"] == "7"
    assert len(keys(jira_client, "project = OPS")) == 3
