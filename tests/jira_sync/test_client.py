"""The Jira client is read-only by construction, times out, honours Retry-After and says what a 401 means."""

from __future__ import annotations

import pytest

from jira_sync.client import Credentials, JiraClient, JiraFailure, WriteRefused
from tests.jira_sync.conftest import API_TOKEN, API_USER


def client(jira, sleeps=None, token=API_TOKEN) -> JiraClient:
    sleep = sleeps.append if sleeps is not None else (lambda s: None)
    return JiraClient(Credentials(server=jira.url, email=API_USER, api_token=token, sleep=sleep))


def test_it_refuses_every_write_before_it_leaves_the_process(jira, users):
    jira.put_issue("OPS-1", summary="Link here", assignee=users[0]["accountId"])
    reads = client(jira)
    comment = r"^refused POST /rest/api/3/issue/OPS-1/comment: Muster never writes to Jira$"
    with pytest.raises(WriteRefused, match=comment):
        reads._jira.add_comment("OPS-1", "hello")
    with pytest.raises(WriteRefused, match=r"^refused PUT /rest/api/3/issue/10000: Muster never writes to Jira$"):
        reads._jira.issue("OPS-1", fields="summary").update(summary="changed")
    assert jira.refused_writes() == []
    assert "POST issue/{issue}/comment" not in jira.counters()


def test_it_reads_pages_with_next_page_token_asking_only_for_the_fields_used(jira, users):
    for n in range(1, 131):
        jira.put_issue(f"OPS-{n}", summary=f"Task {n}", assignee=users[0]["accountId"])
    reads = client(jira)
    issues = reads.search(f'assignee in ("{users[0]["accountId"]}")')
    assert len(issues) == 130
    assert set(issues[0]["fields"]) == {"summary", "status", "duedate", "assignee", "priority", "updated", "project"}
    assert jira.counters() == {"POST search/jql": 2}
    assert reads.requests == 2


def test_it_waits_as_long_as_retry_after_says_on_429(jira, users):
    jira.put_issue("OPS-1", summary="One", assignee=users[0]["accountId"])
    sleeps: list[float] = []
    reads = client(jira, sleeps)
    jira.inject_rate_limit(count=2, retry_after=3)
    assert [i["key"] for i in reads.search("project = OPS")] == ["OPS-1"]
    assert sleeps == [3.0, 3.0]


def test_it_backs_off_on_5xx_then_gives_up_in_one_sentence(jira):
    sleeps: list[float] = []
    reads = client(jira, sleeps)
    jira.inject_server_error(count=3, status=503)
    with pytest.raises(JiraFailure, match=r"^503: Jira had a server error; the next cycle tries again$"):
        reads.search("project = OPS")
    assert sleeps == [1.0, 2.0]


def test_a_rejected_token_is_one_sentence_and_not_retried(jira):
    sleeps: list[float] = []
    reads = client(jira, sleeps, token="wrong")
    with pytest.raises(JiraFailure, match=r"^401: the API token was rejected — it may have expired$"):
        reads.search("project = OPS")
    assert sleeps == []


def test_a_hung_socket_times_out_instead_of_holding_the_worker(jira, settings):
    settings.JIRA_REQUEST_TIMEOUT_S = 1.0
    sleeps: list[float] = []
    reads = client(jira, sleeps)
    jira.inject_hang(count=3, seconds=30)
    with pytest.raises(JiraFailure, match=r"^Jira did not answer in time; the next cycle tries again$"):
        reads.search("project = OPS")
    jira.release_hung()
    assert sleeps == [1, 2]
