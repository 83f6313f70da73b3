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


def listed(route: str, response: httpx.Response, status: int, schema: dict):
    """``answer``, for a ``status`` the operation ``route`` lists in the description."""
    assert status in J.LISTED_STATUSES[route], f"{route} lists no {status}"
    return answer(response, status, schema)


@pytest.fixture
def jira(jira_server, jira_control):
    with httpx.Client(base_url=f"{jira_server.url}/rest/api/3", auth=(JIRA_USER, JIRA_TOKEN)) as http:
        yield http


@pytest.fixture
def anonymous(jira_server, jira_control):
    with httpx.Client(base_url=f"{jira_server.url}/rest/api/3") as http:
        yield http


def test_site_user_and_project_routes(jira, anonymous):
    listed("serverInfo", anonymous.get("/serverInfo"), 200, J.SERVER_INFO)
    me = listed("myself", jira.get("/myself"), 200, J.USER)
    listed("user", jira.get("/user", params={"accountId": me["accountId"]}), 200, J.USER)
    found = listed("user/search", jira.get("/user/search", params={"query": "ada"}), 200, J.USERS)
    assert [u["displayName"].split()[0] for u in found] == ["Ada"]
    listed("project", jira.get("/project"), 200, J.PROJECTS)
    listed("project/{projectIdOrKey}", jira.get("/project/OPS"), 200, J.PROJECT)
    listed("field", jira.get("/field"), 200, J.FIELDS)


def test_project_search_pages(jira):
    first = listed("project/search", jira.get("/project/search", params={"maxResults": 2}), 200, J.PROJECT_PAGE)
    assert ([p["key"] for p in first["values"]], first["total"], first["isLast"]) == (["EVT", "OPS"], 3, False)
    assert first["nextPage"].endswith("/rest/api/3/project/search?startAt=2&maxResults=2")
    rest = listed("project/search", jira.get(first["nextPage"]), 200, J.PROJECT_PAGE)
    assert ([p["key"] for p in rest["values"]], rest["isLast"]) == (["WEB"], True)
    assert "nextPage" not in rest
    named = listed("project/search", jira.get("/project/search", params={"query": "web"}), 200, J.PROJECT_PAGE)
    assert [p["key"] for p in named["values"]] == ["WEB"]


def test_search_count_and_issue(jira):
    ids = listed("search/jql", jira.get("/search/jql", params={"jql": "project = OPS", "maxResults": 2}), 200, J.SEARCH)
    assert [sorted(i) for i in ids["issues"]] == [["expand", "id", "key", "self"]] * 2
    body = {
        "jql": "project = OPS ORDER BY key",
        "fields": ["*all"],
        "maxResults": 3,
        "nextPageToken": ids["nextPageToken"],
    }
    # a page token belongs to the JQL it was issued for
    other_jql = listed("POST search/jql", jira.post("/search/jql", json=body), 400, J.ERROR)
    assert other_jql["errorMessages"] == ["The provided next page token is invalid or expired."]
    page = listed("POST search/jql", jira.post("/search/jql", json={**body, "nextPageToken": None}), 200, J.SEARCH)
    assert [i["key"] for i in page["issues"]] == ["OPS-1", "OPS-2", "OPS-3"]
    named = {"jql": "project = OPS", "fields": "summary,status,assignee,duedate"}
    listed("search/jql", jira.get("/search/jql", params=named), 200, J.SEARCH)
    counted = jira.post("/search/approximate-count", json={"jql": "project = OPS"})
    assert listed("POST search/approximate-count", counted, 200, J.COUNT)["count"] > 0
    listed("issue/{issueIdOrKey}", jira.get("/issue/OPS-1"), 200, J.ISSUE)
    listed("issue/{issueIdOrKey}", jira.get("/issue/OPS-1", params={"fields": "summary,description"}), 200, J.ISSUE)


def test_comments_and_changelogs(jira):
    keys = [
        i["key"] for i in jira.get("/search/jql", params={"jql": "project = OPS", "maxResults": 40}).json()["issues"]
    ]
    comment_counts, change_counts = [], []
    for key in keys:
        comments = listed("issue/{issueIdOrKey}/comment", jira.get(f"/issue/{key}/comment"), 200, J.COMMENTS)
        comment_counts.append(comments["total"])
        changes = listed("issue/{issueIdOrKey}/changelog", jira.get(f"/issue/{key}/changelog"), 200, J.CHANGELOG_PAGE)
        change_counts.append(changes["total"])
        if changes["values"]:
            assert changes["values"][0]["items"][0]["fromString"] == "To Do"
    assert max(comment_counts) > 0 and max(change_counts) > 0
    newest = jira.get(f"/issue/{keys[0]}/comment", params={"orderBy": "-created"})
    newest_first = listed("issue/{issueIdOrKey}/comment", newest, 200, J.COMMENTS)
    oldest_first = jira.get(f"/issue/{keys[0]}/comment").json()
    assert newest_first["comments"] == oldest_first["comments"][::-1]


def test_bulk_changelog_pages_and_filters(jira, jira_control):
    ada = next(u["accountId"] for u in jira_control.users() if u["displayName"].startswith("Ada "))
    jira_control.reassign("OPS-1", None, by=ada)
    jira_control.set_due_date("OPS-1", None, by=ada)
    keys = [f"OPS-{n}" for n in range(1, 21)]
    all_at_once = jira.post("/changelog/bulkfetch", json={"issueIdsOrKeys": keys})
    everything = listed("POST changelog/bulkfetch", all_at_once, 200, J.BULK_CHANGELOG)
    total = sum(len(i["changeHistories"]) for i in everything["issueChangeLogs"])
    assert "nextPageToken" not in everything and total > 20

    seen, token, pages = [], None, 0
    while True:
        body = {"issueIdsOrKeys": keys, "maxResults": 7, **({"nextPageToken": token} if token else {})}
        page = listed("POST changelog/bulkfetch", jira.post("/changelog/bulkfetch", json=body), 200, J.BULK_CHANGELOG)
        pages += 1
        seen += [h["id"] for i in page["issueChangeLogs"] for h in i["changeHistories"]]
        token = page.get("nextPageToken")
        if token is None:
            break
    assert (len(seen), len(set(seen)), pages) == (total, total, -(-total // 7))

    body = {"issueIdsOrKeys": ["OPS-1", "NOPE-1"], "fieldIds": ["assignee", "duedate"]}
    only = listed("POST changelog/bulkfetch", jira.post("/changelog/bulkfetch", json=body), 200, J.BULK_CHANGELOG)
    assert [[i["field"] for h in c["changeHistories"] for i in h["items"]] for c in only["issueChangeLogs"]] == [
        ["assignee", "duedate"]
    ]
    assert [h["items"][0]["to"] for h in only["issueChangeLogs"][0]["changeHistories"]] == [None, None]
    assert jira_control.refused_writes() == []  # a read, though a POST


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"issueIdsOrKeys": []}, "issueIdsOrKeys must contain between 1 and 1000 issue IDs or keys."),
        ({"issueIdsOrKeys": ["OPS-1"] * 1001}, "issueIdsOrKeys must contain between 1 and 1000 issue IDs or keys."),
        ({"fieldIds": ["status"]}, "issueIdsOrKeys must be a list of issue IDs or keys."),
        (
            {"issueIdsOrKeys": ["OPS-1"], "fieldIds": [str(n) for n in range(11)]},
            "fieldIds must be a list of at most 10 field IDs.",
        ),
        ({"issueIdsOrKeys": ["OPS-1"], "maxResults": 0}, "maxResults must be between 1 and 10000."),
        (
            {"issueIdsOrKeys": ["OPS-1"], "nextPageToken": "bogus"},
            "The provided next page token is invalid or expired.",
        ),
        ({"issueIdsOrKeys": ["OPS-1"], "expand": "x"}, "Unrecognized field 'expand'."),
    ],
)
def test_bulk_changelog_refuses_bad_requests(jira, body, message):
    refused = listed("POST changelog/bulkfetch", jira.post("/changelog/bulkfetch", json=body), 400, J.ERROR)
    assert refused == {"errorMessages": [message], "errors": {}}


def test_errors_are_error_collections(jira, anonymous, jira_control):
    not_authenticated = listed("myself", anonymous.get("/myself"), 401, J.ERROR)
    assert not_authenticated["errorMessages"] == [
        "You are not authenticated. Authentication required to perform this operation."
    ]
    listed("project/{projectIdOrKey}", jira.get("/project/NOPE"), 404, J.ERROR)
    listed("issue/{issueIdOrKey}", jira.get("/issue/NOPE-1"), 404, J.ERROR)
    listed("issue/{issueIdOrKey}/comment", jira.get("/issue/NOPE-1/comment"), 404, J.ERROR)
    listed("issue/{issueIdOrKey}/changelog", jira.get("/issue/NOPE-1/changelog"), 404, J.ERROR)
    listed("user", jira.get("/user", params={"accountId": "nobody"}), 404, J.ERROR)
    listed("user", jira.get("/user"), 404, J.ERROR)
    listed("user/search", jira.get("/user/search"), 400, J.ERROR)
    listed("search/jql", jira.get("/search/jql", params={"jql": "project = "}), 400, J.ERROR)
    listed(
        "POST search/approximate-count",
        jira.post("/search/approximate-count", json={"jql": "colour = red"}),
        400,
        J.ERROR,
    )
    listed("issue/{issueIdOrKey}/comment", jira.get("/issue/OPS-1/comment", params={"orderBy": "author"}), 400, J.ERROR)
    jira_control.inject_rate_limit(count=1, retry_after=2)
    limited = jira.get("/user/search", params={"query": "ada"})
    listed("user/search", limited, 429, J.ERROR)
    assert limited.headers["Retry-After"] == "2"


def test_the_schemas_refuse_what_the_stand_in_used_to_answer(jira, anonymous):
    info = anonymous.get("/serverInfo").json()
    assert_conforms(info, J.SERVER_INFO)
    with pytest.raises(AssertionError, match="'defaultLocale' was unexpected"):
        assert_conforms({**info, "defaultLocale": {"locale": "en_US"}}, J.SERVER_INFO)
    me = jira.get("/myself").json()
    with pytest.raises(AssertionError, match="'locale' was unexpected"):
        assert_conforms({k: me[k] for k in ("accountId", "displayName", "locale")}, J.USER_DETAILS)


def test_person_writes_and_their_history_conform(jira, jira_control):
    people = jira_control.users()
    ada, bram = people[1]["accountId"], people[2]["accountId"]
    jira_control.reassign("OPS-2", None, by=ada)
    jira_control.reassign("OPS-2", bram, by=ada)
    jira_control.transition("OPS-2", "Blocked", by=bram)
    jira_control.set_due_date("OPS-2", None, by=bram)
    jira_control.comment("OPS-2", "Blocked on the venue.", by=bram)

    changes = listed("issue/{issueIdOrKey}/changelog", jira.get("/issue/OPS-2/changelog"), 200, J.CHANGELOG_PAGE)
    assert [v["author"]["accountId"] for v in changes["values"][-3:]] == [ada, bram, bram]
    comments = listed("issue/{issueIdOrKey}/comment", jira.get("/issue/OPS-2/comment"), 200, J.COMMENTS)
    assert comments["comments"][-1]["author"]["accountId"] == bram
    listed("issue/{issueIdOrKey}", jira.get("/issue/OPS-2", params={"fields": "*all"}), 200, J.ISSUE)


def test_the_oauth_gateway_answers_the_same_schemas_as_the_user(jira_server, jira_control):
    jira_control.register_oauth_app("c", "s", ["http://127.0.0.1:9/cb"])
    bram = jira_control.users()[2]["accountId"]
    with httpx.Client(base_url=jira_server.url, follow_redirects=False) as http:
        params = {
            "audience": "api.atlassian.com",
            "client_id": "c",
            "scope": "read:jira-user read:jira-work",
            "redirect_uri": "http://127.0.0.1:9/cb",
            "state": "x",
            "response_type": "code",
            "prompt": "consent",
            "sandbox_user": bram,
        }
        code = httpx.URL(http.get("/authorize", params=params).headers["Location"]).params["code"]
        body = {"grant_type": "authorization_code", "client_id": "c", "client_secret": "s", "code": code}
        token = http.post("/oauth/token", json={**body, "redirect_uri": "http://127.0.0.1:9/cb"}).json()["access_token"]
    cloud = jira_control.oauth()["cloud_id"]
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=f"{jira_server.url}/ex/jira/{cloud}/rest/api/3", headers=headers) as gateway:
        assert listed("myself", gateway.get("/myself"), 200, J.USER)["accountId"] == bram
        search = {"jql": "assignee = currentUser()", "fields": ["summary", "status", "duedate", "assignee"]}
        found = listed("POST search/jql", gateway.post("/search/jql", json=search), 200, J.SEARCH)
        assert {i["fields"]["assignee"]["accountId"] for i in found["issues"]} == {bram}
        keys = [i["key"] for i in found["issues"]]
        bulk = gateway.post("/changelog/bulkfetch", json={"issueIdsOrKeys": keys})
        listed("POST changelog/bulkfetch", bulk, 200, J.BULK_CHANGELOG)
        listed("project/search", gateway.get("/project/search"), 200, J.PROJECT_PAGE)
        listed("issue/{issueIdOrKey}", gateway.get("/issue/NOPE-1"), 404, J.ERROR)
