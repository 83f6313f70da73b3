"""Faults the Jira stand-in injects through its control API: 5xx, hung sockets, a dead API token."""

from __future__ import annotations

import threading
import time

import httpx
import pytest
import requests
from jira import JIRA, JIRAError

from tests.sandbox.conftest import JIRA_TOKEN, JIRA_USER

DEAD_TOKEN = "Client must be authenticated to access this resource."


@pytest.fixture
def rest(jira_server, jira_control):
    with httpx.Client(base_url=f"{jira_server.url}/rest/api/3", auth=(JIRA_USER, JIRA_TOKEN), timeout=10) as http:
        yield http


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_injected_server_errors_answer_the_next_requests_then_stop(jira_client, jira_control, status):
    jira_control.inject_server_error(count=2, status=status)

    for _ in range(2):
        with pytest.raises(JIRAError) as caught:
            jira_client.myself()
        assert caught.value.status_code == status
    assert caught.value.response.json()["errors"] == {}
    assert jira_client.myself()["emailAddress"] == JIRA_USER
    assert jira_control.counters()["GET myself"] == 3


def test_a_hung_request_is_held_then_dropped_without_an_answer(rest, jira_control):
    jira_control.inject_hang(count=1, seconds=0.5)

    started = time.monotonic()
    with pytest.raises(httpx.RemoteProtocolError, match=r"^Server disconnected without sending a response\.$"):
        rest.get("/myself")
    held = time.monotonic() - started

    assert 0.4 < held < 5
    assert rest.get("/myself").status_code == 200  # only the next one hung
    assert jira_control.counters()["GET myself"] == 2


def test_a_client_timeout_fires_on_a_hung_socket(jira_server, jira_control):
    client = JIRA(server=jira_server.url, basic_auth=(JIRA_USER, JIRA_TOKEN), max_retries=0, timeout=0.3)
    jira_control.inject_hang(count=1, seconds=60)

    with pytest.raises(requests.exceptions.ReadTimeout):
        client.myself()

    assert jira_control.release_hung() == 1
    assert client.myself()["emailAddress"] == JIRA_USER
    client.close()


def test_releasing_or_resetting_frees_held_connections_at_once(jira_server, jira_control):
    jira_control.inject_hang(count=2, seconds=60)
    outcomes = []

    def call():
        try:
            httpx.get(f"{jira_server.url}/rest/api/3/myself", auth=(JIRA_USER, JIRA_TOKEN), timeout=30)
        except httpx.RemoteProtocolError as exc:
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=call) for _ in range(2)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 5
    while sum(jira_control.counters().values()) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    started = time.monotonic()
    jira_control.reset()
    for t in threads:
        t.join(10)

    assert outcomes == ["RemoteProtocolError", "RemoteProtocolError"]
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("kill", ["revoke_api_token", "expire_api_token"])
def test_a_dead_api_token_gets_jiras_401_and_serverinfo_still_answers(jira_server, jira_client, jira_control, kill):
    getattr(jira_control, kill)()

    with pytest.raises(JIRAError) as caught:
        jira_client.search_users(query="ada")
    refused = caught.value.response
    assert (refused.status_code, refused.text, refused.headers["Content-Type"]) == (
        401,
        DEAD_TOKEN,
        "text/plain; charset=utf-8",
    )
    origin = jira_server.url.replace(":", "%3A").replace("/", "%2F")
    assert refused.headers["WWW-Authenticate"] == f'OAuth realm="{origin}"'
    assert refused.headers["X-Seraph-LoginReason"] == "AUTHENTICATED_FAILED"
    # Jira serves anonymous routes to a dead token as to nobody, flagging the failed login
    info = httpx.get(f"{jira_server.url}/rest/api/3/serverInfo", auth=(JIRA_USER, JIRA_TOKEN))
    assert (info.status_code, info.headers["X-Seraph-LoginReason"]) == (200, "AUTHENTICATED_FAILED")
    JIRA(server=jira_server.url, basic_auth=(JIRA_USER, JIRA_TOKEN), max_retries=0).close()

    jira_control.restore_api_token()
    assert jira_client.myself()["emailAddress"] == JIRA_USER


def test_a_reset_restores_the_token_and_clears_pending_faults(jira_client, jira_control):
    jira_control.revoke_api_token()
    jira_control.inject_server_error(count=5)
    jira_control.inject_hang(count=5, seconds=60)
    jira_control.inject_rate_limit(count=5)

    jira_control.reset()

    assert jira_client.myself()["emailAddress"] == JIRA_USER


@pytest.mark.parametrize(
    ("path", "body", "error"),
    [
        ("/server-error", {"status": 418}, "status must be one of [500, 502, 503, 504], not 418"),
        ("/server-error", {"count": -1}, "count must be a whole number of requests, not -1"),
        ("/hang", {"seconds": 0}, "seconds must be more than 0 and at most 300, not 0"),
        ("/hang", {"seconds": 3600}, "seconds must be more than 0 and at most 300, not 3600"),
        ("/hang", {"count": "many"}, "count must be a whole number of requests, not 'many'"),
        ("/api-token", {"status": "lost"}, "status must be one of ['valid', 'revoked', 'expired'], not 'lost'"),
    ],
)
def test_bad_fault_requests_say_what_to_change(jira_server, jira_control, jira_client, path, body, error):
    answer = httpx.post(f"{jira_server.url}/_control{path}", json=body)

    assert (answer.status_code, answer.json()) == (400, {"error": error})
    assert jira_client.myself()["emailAddress"] == JIRA_USER  # nothing was injected


def test_stopping_the_server_does_not_wait_out_a_held_connection():
    from sandbox.jira import create_app
    from sandbox.jira.control import JiraControl
    from sandbox.runner import ServerThread

    server = ServerThread(create_app(user=JIRA_USER, token=JIRA_TOKEN, issues=1)).start()
    with JiraControl(server.url) as control:
        control.inject_hang(count=1, seconds=120)
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(f"{server.url}/rest/api/3/myself", auth=(JIRA_USER, JIRA_TOKEN), timeout=0.3)

    started = time.monotonic()
    server.stop()

    assert time.monotonic() - started < 3


def test_rate_limits_apply_to_the_post_reads_too(rest, jira_control):
    jira_control.inject_rate_limit(count=2, retry_after=3)

    limited = [
        rest.post("/changelog/bulkfetch", json={"issueIdsOrKeys": ["OPS-1"]}),
        rest.post("/search/jql", json={"jql": "project = OPS"}),
    ]

    assert [(r.status_code, r.headers["Retry-After"]) for r in limited] == [(429, "3"), (429, "3")]
    assert rest.post("/changelog/bulkfetch", json={"issueIdsOrKeys": ["OPS-1"]}).status_code == 200
    assert jira_control.refused_writes() == []


def test_a_write_is_recorded_even_when_authentication_refuses_it(jira_server, jira_control):
    jira_control.revoke_api_token()
    dead = httpx.post(f"{jira_server.url}/rest/api/3/issue", auth=(JIRA_USER, JIRA_TOKEN), json={"fields": {}})
    wrong = httpx.put(f"{jira_server.url}/rest/api/3/issue/OPS-1", auth=(JIRA_USER, "wrong"), json={})

    assert (dead.status_code, wrong.status_code) == (401, 401)
    assert [(w["method"], w["path"]) for w in jira_control.refused_writes()] == [
        ("POST", "/rest/api/3/issue"),
        ("PUT", "/rest/api/3/issue/OPS-1"),
    ]
