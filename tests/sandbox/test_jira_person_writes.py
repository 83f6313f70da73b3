"""Writes a person makes in Jira, played through the control API and read back through REST."""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
import pytest

from tests.sandbox.conftest import JIRA_TOKEN, JIRA_USER

ADA, BRAM = "5b10ac8d82e05b22cc7d4ea1", "5b10ac8d82e05b22cc7d4ea2"
LATER = datetime(2026, 11, 20, 12, 30, tzinfo=UTC)


@pytest.fixture
def site(jira_control):
    """OPS-1 (Ada's, To Do, due 2026-11-21) and OPS-2 (nobody's) on an otherwise empty site."""
    jira_control.seed(issues=0)
    jira_control.add_user("Ada Okafor", "ada@example.org", accountId=ADA)
    jira_control.add_user("Bram Novak", "bram@example.org", accountId=BRAM)
    common = dict(created="2026-11-01T00:00:00+00:00", updated="2026-11-02T00:00:00+00:00", status="To Do")
    jira_control.put_issue("OPS-1", summary="Book the venue", assignee=ADA, duedate="2026-11-21", **common)
    jira_control.put_issue("OPS-2", summary="Print badges", assignee=None, **common)
    return jira_control


@pytest.fixture
def rest(jira_server):
    with httpx.Client(base_url=f"{jira_server.url}/rest/api/3", auth=(JIRA_USER, JIRA_TOKEN)) as http:
        yield http


def changes(rest: httpx.Client, key: str) -> list[tuple[str, str, str | None, str | None]]:
    """(author, field, fromString, toString) of each changelog item, oldest first."""
    values = rest.get(f"/issue/{key}/changelog").json()["values"]
    return [(v["author"]["accountId"], i["field"], i["fromString"], i["toString"]) for v in values for i in v["items"]]


def test_a_person_reassigns_moves_and_reschedules_an_issue(site, rest, jira_client):
    seeded = changes(rest, "OPS-1")

    site.reassign("OPS-1", BRAM, by=ADA)
    site.transition("OPS-1", "In Progress", by=BRAM)
    site.set_due_date("OPS-1", date(2026, 11, 24), by=BRAM, at=LATER)

    issue = jira_client.issue("OPS-1")
    assert (issue.fields.assignee.accountId, issue.fields.status.name, issue.fields.duedate) == (
        BRAM,
        "In Progress",
        "2026-11-24",
    )
    assert issue.fields.status.statusCategory.key == "indeterminate"
    assert issue.fields.updated == "2026-11-20T12:30:00.000+0000"
    assert changes(rest, "OPS-1") == [
        *seeded,
        (ADA, "assignee", "Ada Okafor", "Bram Novak"),
        (BRAM, "status", "To Do", "In Progress"),
        (BRAM, "duedate", "2026-11-21 00:00:00.0", "2026-11-24 00:00:00.0"),
    ]
    assert [i.key for i in jira_client.enhanced_search_issues(f'assignee = "{BRAM}"')] == ["OPS-1"]
    assert [i.key for i in jira_client.enhanced_search_issues('updated >= "2026-11-20 12:00"')] == ["OPS-1"]


def test_unassigning_and_clearing_the_due_date_record_nulls(site, rest):
    site.reassign("OPS-1", None, by=ADA)
    site.set_due_date("OPS-1", None, by=ADA)

    items = rest.get("/issue/OPS-1/changelog").json()["values"][-2:]
    assert [i["items"] for i in items] == [
        [
            {
                "field": "assignee",
                "fieldtype": "jira",
                "fieldId": "assignee",
                "from": ADA,
                "fromString": "Ada Okafor",
                "to": None,
                "toString": None,
            }
        ],
        [
            {
                "field": "duedate",
                "fieldtype": "jira",
                "fieldId": "duedate",
                "from": "2026-11-21",
                "fromString": "2026-11-21 00:00:00.0",
                "to": None,
                "toString": None,
            }
        ],
    ]
    assert [(i["key"], i["assignee"], i["duedate"]) for i in site.issues()] == [
        ("OPS-1", None, None),
        ("OPS-2", None, None),
    ]


def test_a_no_op_write_records_nothing(site, rest):
    before = rest.get("/issue/OPS-1/changelog").json()["total"]

    site.reassign("OPS-1", ADA, by=ADA)
    site.transition("OPS-1", "to do", by=ADA)

    assert rest.get("/issue/OPS-1/changelog").json()["total"] == before
    assert site.issues()[0]["updated"] == "2026-11-02T00:00:00+00:00"


def test_a_comment_as_a_user_keeps_the_seeded_ones(site, rest, jira_client):
    seeded = [c.id for c in jira_client.comments("OPS-2")]

    first = site.comment("OPS-2", "LINK-4F7Q", by=BRAM)
    second = site.comment("OPS-2", "Printed.", by=ADA, at=LATER)

    comments = jira_client.comments("OPS-2")
    assert [c.id for c in comments] == [*seeded, first, second]
    assert [(c.author.accountId, c.author.displayName) for c in comments[-2:]] == [
        (BRAM, "Bram Novak"),
        (ADA, "Ada Okafor"),
    ]
    body = rest.get("/issue/OPS-2/comment").json()["comments"][-2]["body"]
    assert body == {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": "LINK-4F7Q"}]}],
    }
    assert jira_client.issue("OPS-2").fields.updated == "2026-11-20T12:30:00.000+0000"
    assert rest.get("/issue/OPS-2/changelog").json()["total"] == len(changes(rest, "OPS-2"))  # no entry for it


def test_a_reseed_forgets_what_people_wrote(site, rest):
    site.comment("OPS-2", "Printed by Ada.", by=ADA)
    site.seed(issues=0)

    site.put_issue("OPS-2", summary="Print badges", created="2026-11-01T00:00:00+00:00")
    texts = [c["body"]["content"][0]["content"][0]["text"] for c in rest.get("/issue/OPS-2/comment").json()["comments"]]
    assert "Printed by Ada." not in texts


@pytest.mark.parametrize(
    ("action", "body", "status", "error"),
    [
        ("assign", {"by": ADA, "assignee": "nobody"}, 400, "unknown accountId 'nobody'"),
        ("assign", {"by": ADA}, 400, "'assignee' is required: an accountId, or null to unassign"),
        (
            "assign",
            {"by": "ghost", "assignee": ADA},
            400,
            "'by' must be the accountId of a user on the site, not 'ghost'",
        ),
        (
            "transition",
            {"by": ADA, "status": "Closed"},
            400,
            "unknown status 'Closed'; one of ['To Do', 'In Progress', 'In Review', 'Blocked', 'Done']",
        ),
        ("duedate", {"by": ADA, "duedate": "21/11/2026"}, 400, "duedate must be YYYY-MM-DD, not '21/11/2026'"),
        ("comments", {"by": ADA, "text": " "}, 400, "'text' is required: the comment's plain text"),
        ("comments", {"by": ADA, "text": "hi", "at": "2026-11-20T12:00:00"}, 400, "at must carry a UTC offset"),
    ],
)
def test_bad_person_writes_say_what_to_change(site, jira_server, action, body, status, error):
    before = site.issues()
    answer = httpx.post(f"{jira_server.url}/_control/issues/OPS-1/{action}", json=body)

    assert (answer.status_code, answer.json()) == (status, {"error": error})
    assert site.issues() == before


def test_a_person_write_on_a_missing_issue_is_404(site, jira_server):
    answer = httpx.post(f"{jira_server.url}/_control/issues/OPS-9/assign", json={"by": ADA, "assignee": None})

    assert (answer.status_code, answer.json()) == (404, {"error": "no issue OPS-9"})
