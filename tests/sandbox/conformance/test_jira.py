"""The Jira stand-in against Atlassian's OpenAPI description of the platform REST API v3:
each route Muster (or a later issue) reads, answered with the schema of its status.
"""

from __future__ import annotations

import httpx
import pytest

from ..conftest import JIRA_TOKEN, JIRA_USER
from .schemas import jira as J
from .validate import answer, assert_conforms

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def jira(jira_server, jira_control):
    with httpx.Client(base_url=f"{jira_server.url}/rest/api/3", auth=(JIRA_USER, JIRA_TOKEN)) as http:
        yield http


@pytest.fixture
def anonymous(jira_server, jira_control):
    with httpx.Client(base_url=f"{jira_server.url}/rest/api/3") as http:
        yield http


def test_site_user_and_project_routes(jira, anonymous):
    answer(anonymous.get("/serverInfo"), 200, J.SERVER_INFO)
    me = answer(jira.get("/myself"), 200, J.USER)
    answer(jira.get("/user", params={"accountId": me["accountId"]}), 200, J.USER)
    found = answer(jira.get("/user/search", params={"query": "ada"}), 200, J.USERS)
    assert [u["displayName"].split()[0] for u in found] == ["Ada"]
    answer(jira.get("/project"), 200, J.PROJECTS)
    answer(jira.get("/project/OPS"), 200, J.PROJECT)
    answer(jira.get("/field"), 200, J.FIELDS)


def test_project_search_pages(jira):
    first = answer(jira.get("/project/search", params={"maxResults": 2}), 200, J.PROJECT_PAGE)
    assert ([p["key"] for p in first["values"]], first["total"], first["isLast"]) == (["EVT", "OPS"], 3, False)
    assert first["nextPage"].endswith("/rest/api/3/project/search?startAt=2&maxResults=2")
    rest = answer(jira.get(first["nextPage"]), 200, J.PROJECT_PAGE)
    assert ([p["key"] for p in rest["values"]], rest["isLast"]) == (["WEB"], True)
    assert "nextPage" not in rest
    named = answer(jira.get("/project/search", params={"query": "web"}), 200, J.PROJECT_PAGE)
    assert [p["key"] for p in named["values"]] == ["WEB"]


def test_search_count_and_issue(jira):
    ids = answer(jira.get("/search/jql", params={"jql": "project = OPS", "maxResults": 2}), 200, J.SEARCH)
    assert [sorted(i) for i in ids["issues"]] == [["expand", "id", "key", "self"]] * 2
    body = {
        "jql": "project = OPS ORDER BY key",
        "fields": ["*all"],
        "maxResults": 3,
        "nextPageToken": ids["nextPageToken"],
    }
    with_fields = answer(jira.post("/search/jql", json=body), 400, J.ERROR)  # a token belongs to its JQL
    assert with_fields["errorMessages"] == ["The provided next page token is invalid or expired."]
    page = answer(jira.post("/search/jql", json={**body, "nextPageToken": None}), 200, J.SEARCH)
    assert [i["key"] for i in page["issues"]] == ["OPS-1", "OPS-2", "OPS-3"]
    answer(
        jira.get("/search/jql", params={"jql": "project = OPS", "fields": "summary,status,assignee,duedate"}),
        200,
        J.SEARCH,
    )
    assert answer(jira.post("/search/approximate-count", json={"jql": "project = OPS"}), 200, J.COUNT)["count"] > 0
    answer(jira.get("/issue/OPS-1"), 200, J.ISSUE)
    answer(jira.get("/issue/OPS-1", params={"fields": "summary,description"}), 200, J.ISSUE)


def test_comments_and_changelogs(jira):
    keys = [
        i["key"] for i in jira.get("/search/jql", params={"jql": "project = OPS", "maxResults": 40}).json()["issues"]
    ]
    comment_counts, change_counts = [], []
    for key in keys:
        comments = answer(jira.get(f"/issue/{key}/comment"), 200, J.COMMENTS)
        comment_counts.append(comments["total"])
        changes = answer(jira.get(f"/issue/{key}/changelog"), 200, J.CHANGELOG_PAGE)
        change_counts.append(changes["total"])
        if changes["values"]:
            assert changes["values"][0]["items"][0]["fromString"] == "To Do"
    assert max(comment_counts) > 0 and max(change_counts) > 0
    newest_first = answer(jira.get(f"/issue/{keys[0]}/comment", params={"orderBy": "-created"}), 200, J.COMMENTS)
    oldest_first = jira.get(f"/issue/{keys[0]}/comment").json()
    assert newest_first["comments"] == oldest_first["comments"][::-1]


def test_errors_are_error_collections(jira, anonymous, jira_control):
    not_authenticated = answer(anonymous.get("/myself"), 401, J.ERROR)
    assert not_authenticated["errorMessages"] == [
        "You are not authenticated. Authentication required to perform this operation."
    ]
    answer(jira.get("/project/NOPE"), 404, J.ERROR)
    answer(jira.get("/issue/NOPE-1"), 404, J.ERROR)
    answer(jira.get("/issue/NOPE-1/comment"), 404, J.ERROR)
    answer(jira.get("/issue/NOPE-1/changelog"), 404, J.ERROR)
    answer(jira.get("/user", params={"accountId": "nobody"}), 404, J.ERROR)
    answer(jira.get("/user"), 404, J.ERROR)
    answer(jira.get("/user/search"), 400, J.ERROR)
    answer(jira.get("/search/jql", params={"jql": "project = "}), 400, J.ERROR)
    answer(jira.post("/search/approximate-count", json={"jql": "colour = red"}), 400, J.ERROR)
    answer(jira.get("/issue/OPS-1/comment", params={"orderBy": "author"}), 400, J.ERROR)
    jira_control.inject_rate_limit(count=1, retry_after=2)
    limited = jira.get("/user/search", params={"query": "ada"})
    answer(limited, 429, J.ERROR)
    assert limited.headers["Retry-After"] == "2"


def test_the_schemas_refuse_what_the_stand_in_used_to_answer(jira, anonymous):
    info = anonymous.get("/serverInfo").json()
    assert_conforms(info, J.SERVER_INFO)
    with pytest.raises(AssertionError, match="'defaultLocale' was unexpected"):
        assert_conforms({**info, "defaultLocale": {"locale": "en_US"}}, J.SERVER_INFO)
    me = jira.get("/myself").json()
    with pytest.raises(AssertionError, match="'locale' was unexpected"):
        assert_conforms({k: me[k] for k in ("accountId", "displayName", "locale")}, J.USER_DETAILS)
