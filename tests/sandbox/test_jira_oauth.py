"""OAuth 2.0 (3LO) through the Jira stand-in: consent, code exchange with PKCE, rotating
refresh tokens, accessible resources and the API through /ex/jira/{cloudid}/, per user.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import threading
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from jira import JIRA, JIRAError

from tests.sandbox.conftest import JIRA_NOW, JIRA_TOKEN, JIRA_USER

CLIENT, SECRET = "muster-client", "muster-secret"
CALLBACK = "http://127.0.0.1:9/jira/callback"
SCOPES = "read:jira-user read:jira-work offline_access"
UNKNOWN_REFRESH = {"error": "invalid_grant", "error_description": "Unknown or invalid refresh token."}
UNAUTHORIZED = {"code": 401, "message": "Unauthorized"}
SCOPE_MISMATCH = {"code": 401, "message": "Unauthorized; scope does not match"}


@pytest.fixture
def auth(jira_server, jira_control):
    """A registered app, the site's people and a plain HTTP client that does not follow redirects."""
    jira_control.register_oauth_app(CLIENT, SECRET, [CALLBACK])
    with httpx.Client(base_url=jira_server.url, follow_redirects=False, timeout=10) as http:
        yield Auth(http, jira_control)


class Auth:
    def __init__(self, http: httpx.Client, control):
        self.http = http
        self.control = control
        people = control.users()
        self.ada, self.bram = people[1], people[2]
        self.cloud = control.oauth()["cloud_id"]

    def authorize_params(self, *, scope: str = SCOPES, state: str = "st-1", **extra) -> dict:
        return {
            "audience": "api.atlassian.com",
            "client_id": CLIENT,
            "scope": scope,
            "redirect_uri": CALLBACK,
            "state": state,
            "response_type": "code",
            "prompt": "consent",
            **extra,
        }

    def code_for(self, account_id: str, verifier: str | None = None, **params) -> str:
        extra = {"code_challenge": challenge(verifier), "code_challenge_method": "S256"} if verifier else {}
        answer = self.http.get(
            "/authorize", params={**self.authorize_params(**params), **extra, "sandbox_user": account_id}
        )
        assert answer.status_code == 302, answer.text
        return parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]

    def exchange(self, issued: str, verifier: str | None = None, **overrides) -> httpx.Response:
        body = {
            "grant_type": "authorization_code",
            "client_id": CLIENT,
            "client_secret": SECRET,
            "code": issued,
            "redirect_uri": CALLBACK,
            **({"code_verifier": verifier} if verifier else {}),
            **overrides,
        }
        return self.http.post("/oauth/token", json=body)

    def tokens_for(self, account_id: str, **params) -> dict:
        verifier = secrets.token_urlsafe(48)
        answer = self.exchange(self.code_for(account_id, verifier, **params), verifier)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def refresh(self, refresh_token: str, **overrides) -> httpx.Response:
        body = {
            "grant_type": "refresh_token",
            "client_id": CLIENT,
            "client_secret": SECRET,
            "refresh_token": refresh_token,
        }
        return self.http.post("/oauth/token", json={**body, **overrides})

    def api(self, access_token: str, path: str, method: str = "GET", **kwargs) -> httpx.Response:
        headers = {"Authorization": f"Bearer {access_token}"}
        return self.http.request(method, f"/ex/jira/{self.cloud}/rest/api/3{path}", headers=headers, **kwargs)


def challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


def test_a_person_picks_who_they_are_on_the_consent_page_and_the_app_acts_as_them(auth, jira_server):
    verifier = secrets.token_urlsafe(48)
    params = auth.authorize_params(code_challenge=challenge(verifier), code_challenge_method="S256")
    page = auth.http.get("/authorize", params=params)
    assert (page.status_code, page.headers["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert f"value='{auth.bram['accountId']}'" in page.text
    form = dict(re.findall(r"<input type='hidden' name='([^']+)' value='([^']*)'>", page.text))
    assert form == {k: v for k, v in params.items()}

    answer = auth.http.post("/authorize", data={**form, "account_id": auth.bram["accountId"], "decision": "accept"})
    assert answer.status_code == 302
    back = urlsplit(answer.headers["Location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == CALLBACK
    query = parse_qs(back.query)
    assert (sorted(query), query["state"]) == (["code", "state"], ["st-1"])

    tokens = auth.exchange(query["code"][0], verifier)
    assert tokens.status_code == 200
    body = tokens.json()
    assert sorted(body) == ["access_token", "expires_in", "refresh_token", "scope", "token_type"]
    assert (body["expires_in"], body["token_type"], body["scope"]) == (3600, "Bearer", SCOPES)

    resources = auth.http.get(
        "/oauth/token/accessible-resources", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert resources.json() == [
        {
            "id": auth.cloud,
            "url": jira_server.url,
            "name": "Muster Sandbox",
            "scopes": ["read:jira-user", "read:jira-work"],
            "avatarUrl": "https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/rocket.png",
        }
    ]
    me = auth.api(body["access_token"], "/myself").json()
    assert (me["accountId"], me["self"]) == (
        auth.bram["accountId"],
        f"{jira_server.url}/ex/jira/{auth.cloud}/rest/api/3/user?accountId={auth.bram['accountId']}",
    )


def test_the_jira_library_works_through_the_gateway_with_a_user_token(auth, jira_server, jira_control):
    tokens = auth.tokens_for(auth.ada["accountId"])
    gateway, v3 = f"{jira_server.url}/ex/jira/{auth.cloud}", {"rest_api_version": "3"}
    client = JIRA(server=gateway, token_auth=tokens["access_token"], options=v3, max_retries=0)

    assert client.myself()["accountId"] == auth.ada["accountId"]
    mine = client.enhanced_search_issues("assignee = currentUser()", maxResults=False, fields="assignee")
    assert mine and {i.fields.assignee.accountId for i in mine} == {auth.ada["accountId"]}
    with pytest.raises(JIRAError) as caught:
        client.add_comment(mine[0].key, "written through OAuth")  # the token has no write:jira-work
    assert (caught.value.status_code, caught.value.text) == (401, "Unauthorized; scope does not match")
    can_write = auth.tokens_for(auth.ada["accountId"], scope=SCOPES + " write:jira-work")["access_token"]
    writer = JIRA(server=gateway, token_auth=can_write, options=v3, max_retries=0)
    with pytest.raises(JIRAError) as caught:
        writer.add_comment(mine[0].key, "written through OAuth")
    assert caught.value.status_code == 405
    assert [w["path"] for w in jira_control.refused_writes()] == [
        f"/ex/jira/{auth.cloud}/rest/api/3/issue/{mine[0].key}/comment"
    ] * 2
    writer.close()
    assert jira_control.counters()["GET myself"] == 1
    client.close()


def test_refresh_tokens_rotate_and_a_used_one_is_invalid_grant(auth):
    first = auth.tokens_for(auth.ada["accountId"])

    second = auth.refresh(first["refresh_token"])
    assert second.status_code == 200
    rotated = second.json()
    assert rotated["refresh_token"] != first["refresh_token"]
    assert rotated["access_token"] != first["access_token"]

    reused = auth.refresh(first["refresh_token"])
    assert (reused.status_code, reused.json()) == (403, UNKNOWN_REFRESH)
    third = auth.refresh(rotated["refresh_token"])
    assert third.status_code == 200
    assert auth.api(third.json()["access_token"], "/myself").json()["accountId"] == auth.ada["accountId"]
    assert auth.control.oauth()["refreshes"] == 2


def test_a_revoked_grant_kills_refresh_and_access_tokens(auth):
    ada = auth.tokens_for(auth.ada["accountId"])
    bram = auth.tokens_for(auth.bram["accountId"])

    assert auth.control.revoke_oauth_grant(auth.ada["accountId"]) == 1

    refused = auth.refresh(ada["refresh_token"])
    assert (refused.status_code, refused.json()) == (403, UNKNOWN_REFRESH)
    denied = auth.api(ada["access_token"], "/myself")
    assert (denied.status_code, denied.json()) == (401, UNAUTHORIZED)
    assert auth.api(bram["access_token"], "/myself").status_code == 200
    assert auth.refresh(bram["refresh_token"]).status_code == 200


def test_access_tokens_expire_by_control_call_and_by_the_clock(auth, jira_control):
    tokens = auth.tokens_for(auth.ada["accountId"])

    assert jira_control.expire_access_tokens(auth.ada["accountId"]) == 1
    expired = auth.api(tokens["access_token"], "/myself")
    assert (expired.status_code, expired.json()) == (401, UNAUTHORIZED)
    fresh = auth.refresh(tokens["refresh_token"]).json()
    assert auth.api(fresh["access_token"], "/myself").status_code == 200

    jira_control.set_clock(JIRA_NOW + timedelta(seconds=3600))
    try:
        assert auth.api(fresh["access_token"], "/myself").status_code == 401
        assert auth.refresh(fresh["refresh_token"]).status_code == 200
    finally:
        jira_control.set_clock(JIRA_NOW)


def test_without_offline_access_there_is_no_refresh_token(auth):
    tokens = auth.tokens_for(auth.ada["accountId"], scope="read:jira-user read:jira-work")

    assert "refresh_token" not in tokens
    assert tokens["scope"] == "read:jira-user read:jira-work"


@pytest.mark.parametrize(
    ("change", "status", "error"),
    [
        ({"client_secret": "wrong"}, 401, {"error": "access_denied", "error_description": "Unauthorized"}),
        ({"client_id": "someone-else"}, 401, {"error": "access_denied", "error_description": "Unauthorized"}),
        (
            {"code_verifier": "not-the-verifier"},
            403,
            {"error": "invalid_grant", "error_description": "Failed to verify code verifier"},
        ),
        (
            {"code_verifier": None},
            403,
            {"error": "invalid_grant", "error_description": "Failed to verify code verifier"},
        ),
        (
            {"redirect_uri": "http://127.0.0.1:9/elsewhere"},
            403,
            {"error": "invalid_grant", "error_description": "Invalid redirect_uri"},
        ),
        ({"code": "made-up"}, 403, {"error": "invalid_grant", "error_description": "Invalid authorization code"}),
        (
            {"grant_type": "password"},
            400,
            {"error": "unsupported_grant_type", "error_description": "Unsupported grant type: password"},
        ),
    ],
)
def test_a_code_exchange_checks_the_client_the_verifier_and_the_redirect(auth, change, status, error):
    verifier = secrets.token_urlsafe(48)
    code = auth.code_for(auth.ada["accountId"], verifier)
    body = {k: v for k, v in {"code_verifier": verifier, **change}.items() if v is not None}

    answer = auth.exchange(code, **body) if "code_verifier" in body else auth.exchange(code, code_verifier="")
    assert (answer.status_code, answer.json()) == (status, error)


def test_a_code_works_once_and_for_ten_minutes(auth, jira_control):
    verifier = secrets.token_urlsafe(48)
    code = auth.code_for(auth.ada["accountId"], verifier)
    assert auth.exchange(code, verifier).status_code == 200
    replayed = auth.exchange(code, verifier)
    assert (replayed.status_code, replayed.json()["error"]) == (403, "invalid_grant")

    late = auth.code_for(auth.ada["accountId"], verifier)
    jira_control.set_clock(JIRA_NOW + timedelta(minutes=10))
    try:
        expired = auth.exchange(late, verifier)
    finally:
        jira_control.set_clock(JIRA_NOW)
    assert (expired.status_code, expired.json()["error_description"]) == (403, "Invalid authorization code")


def test_the_token_endpoint_also_takes_a_form(auth):
    code = auth.code_for(auth.ada["accountId"])
    form = {
        "grant_type": "authorization_code",
        "client_id": CLIENT,
        "client_secret": SECRET,
        "code": code,
        "redirect_uri": CALLBACK,
    }

    answer = auth.http.post("/oauth/token", data=form)

    assert (answer.status_code, answer.json()["token_type"]) == (200, "Bearer")


@pytest.mark.parametrize(
    ("change", "error", "description"),
    [
        ({"response_type": "token"}, "unsupported_response_type", "response_type must be code"),
        ({"audience": "example.org"}, "invalid_request", "audience must be api.atlassian.com"),
        ({"scope": ""}, "invalid_scope", "scope is required"),
        ({"scope": "read:jira-work fly"}, "invalid_scope", "unknown scope fly"),
        (
            {"code_challenge": "abc", "code_challenge_method": "plain"},
            "invalid_request",
            "code_challenge_method must be S256",
        ),
    ],
)
def test_a_bad_authorize_request_goes_back_to_the_app_with_an_error(auth, change, error, description):
    answer = auth.http.get("/authorize", params={**auth.authorize_params(), **change})

    assert answer.status_code == 302
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert query == {"error": [error], "error_description": [description], "state": ["st-1"]}


@pytest.mark.parametrize(
    ("change", "sentence"),
    [
        ({"client_id": "nobody"}, "No app is registered with this client_id."),
        (
            {"redirect_uri": "http://evil.example/cb"},
            "The redirect_uri is not a callback URL registered for this app.",
        ),
        ({"sandbox_user": "ghost"}, "No user ghost on this site."),
    ],
)
def test_an_unknown_client_or_callback_gets_an_error_page_not_a_redirect(auth, change, sentence):
    answer = auth.http.get("/authorize", params={**auth.authorize_params(), **change})

    assert (answer.status_code, "Location" in answer.headers) == (400, False)
    assert f"<p>{sentence}</p>" in answer.text


def test_cancelling_consent_sends_access_denied(auth):
    form = {**auth.authorize_params(), "account_id": auth.ada["accountId"], "decision": "deny"}

    answer = auth.http.post("/authorize", data=form)

    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert query == {
        "error": ["access_denied"],
        "error_description": ["User did not authorize the request"],
        "state": ["st-1"],
    }


def test_a_user_token_sees_what_that_user_may_see(auth, jira_client, jira_control):
    ada = auth.ada["accountId"]
    jira_control.set_browse_projects(ada, ["WEB"])
    token = auth.tokens_for(ada)["access_token"]

    found = auth.api(token, "/search/jql", params={"jql": "created <= now()", "maxResults": 5000}).json()
    assert found["issues"] and {i["key"].split("-")[0] for i in found["issues"]} == {"WEB"}
    assert auth.api(token, "/issue/OPS-1").status_code == 404
    assert [p["key"] for p in auth.api(token, "/project").json()] == ["WEB"]
    ops = auth.api(token, "/search/jql", params={"jql": "project = OPS"})
    assert ops.json() == {"errorMessages": ["The value 'OPS' does not exist for the field 'project'."], "errors": {}}
    bulk = auth.api(token, "/changelog/bulkfetch", method="POST", json={"issueIdsOrKeys": ["OPS-1", "WEB-1"]}).json()
    assert {c["issueId"] for c in bulk["issueChangeLogs"]} <= {jira_client.issue("WEB-1").id}
    # the service account still sees every project
    assert [p.key for p in jira_client.projects()] == ["OPS", "WEB", "EVT"]


def test_the_gateway_checks_the_cloud_id_the_scopes_and_the_token(auth, jira_server):
    narrow = auth.tokens_for(auth.ada["accountId"], scope="read:jira-user")["access_token"]
    full = auth.tokens_for(auth.ada["accountId"])["access_token"]

    assert auth.api(narrow, "/myself").status_code == 200
    no_work = auth.api(narrow, "/search/jql", params={"jql": "project = OPS"})
    assert (no_work.status_code, no_work.json()) == (401, SCOPE_MISMATCH)
    other_site = auth.http.get(
        "/ex/jira/00000000-0000-4000-8000-000000000000/rest/api/3/myself", headers={"Authorization": f"Bearer {full}"}
    )
    assert (other_site.status_code, other_site.json()) == (401, SCOPE_MISMATCH)
    assert auth.api("made-up", "/myself").json() == UNAUTHORIZED
    # a 3LO token does not work on the site's own address
    assert auth.http.get("/rest/api/3/myself", headers={"Authorization": f"Bearer {full}"}).status_code == 401
    # and the service account keeps working there
    assert (
        httpx.get(f"{jira_server.url}/rest/api/3/myself", auth=(JIRA_USER, JIRA_TOKEN)).json()["emailAddress"]
        == JIRA_USER
    )


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"client_secret": "s", "redirect_uris": [CALLBACK]}, "client_id is required"),
        ({"client_id": "c", "redirect_uris": [CALLBACK]}, "client_secret is required"),
        (
            {"client_id": "c", "client_secret": "s", "redirect_uris": ["/relative"]},
            "redirect_uris must be a non-empty list of absolute URLs",
        ),
    ],
)
def test_registering_a_bad_app_says_what_to_change(jira_server, jira_control, body, error):
    answer = httpx.post(f"{jira_server.url}/_control/oauth/apps", json=body)

    assert (answer.status_code, answer.json()) == (400, {"error": error})


def test_create_app_registers_oauth_apps_and_refuses_bad_ones():
    from sandbox.jira import create_app

    app = create_app(
        user="u",
        token="t",
        issues=0,
        oauth_apps=[{"client_id": "c", "client_secret": "s", "redirect_uris": [CALLBACK]}],
    )
    assert list(app["state"].oauth.apps) == ["c"]
    with pytest.raises(ValueError, match=r"^oauth_apps: client_secret is required$"):
        create_app(user="u", token="t", issues=0, oauth_apps=[{"client_id": "c", "redirect_uris": [CALLBACK]}])


def test_two_racing_refreshes_of_one_token_get_one_new_pair_and_one_invalid_grant(auth, jira_server):
    refresh_token = auth.tokens_for(auth.ada["accountId"])["refresh_token"]
    body = {"grant_type": "refresh_token", "client_id": CLIENT, "client_secret": SECRET, "refresh_token": refresh_token}
    barrier, answers = threading.Barrier(2), []

    def race():
        with httpx.Client(base_url=jira_server.url, timeout=10) as http:
            barrier.wait()
            answers.append(http.post("/oauth/token", json=body))

    racers = [threading.Thread(target=race) for _ in range(2)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(10)

    assert sorted(a.status_code for a in answers) == [200, 403]
    assert next(a for a in answers if a.status_code == 403).json() == UNKNOWN_REFRESH
