"""OAuth2 for users, as discord-api-docs ``developers/topics/oauth2.mdx`` describes it.

The authorization code grant through the consent page (a plain form) and through the
``sandbox_user`` shortcut, the token endpoint's grants and errors, Bearer tokens on
``/users/@me`` and ``/users/@me/guilds``, refresh and revocation.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from .schemas import discord_api as S
from .schemas import discord_oauth2 as O
from .validate import answer

pytestmark = pytest.mark.timeout(30)

SECRET = "sandbox-client-secret"
REDIRECT = "http://127.0.0.1:9/accounts/discord/login/callback/"


@pytest.fixture
def oauth(world):
    world.control.register_oauth2_application(SECRET, [REDIRECT])
    with httpx.Client(base_url=world.api.removesuffix("/api/v10"), follow_redirects=False) as browser:
        yield browser


def authorize_params(world, **extra) -> dict:
    params = {"response_type": "code", "client_id": world.app_id, "scope": "identify guilds"}
    params.update(redirect_uri=REDIRECT, state="s-1", prompt="consent")
    return {**params, **extra}


def redirected_query(response) -> dict:
    assert response.status_code == 302, response.text
    location = response.headers["Location"]
    assert location.startswith(REDIRECT + "?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def test_the_consent_page_is_a_form_that_logs_in_the_picked_user(world, oauth):
    browser = oauth
    page = browser.get("/oauth2/authorize", params=authorize_params(world))
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert 'name="user_id"' in page.text and "@alice" in page.text and 'value="authorize"' in page.text
    form = {**authorize_params(world), "user_id": world.alice, "decision": "authorize"}
    query = redirected_query(browser.post("/oauth2/authorize", data=form))
    assert sorted(query) == ["code", "state"] and query["state"] == "s-1"

    token = answer(
        browser.post(
            "/api/oauth2/token",
            data={"grant_type": "authorization_code", "code": query["code"], "redirect_uri": REDIRECT},
            auth=(world.app_id, SECRET),
        ),
        200,
        O.TOKEN,
    )
    assert token["scope"] == "identify guilds" and token["expires_in"] == 604800 and token["refresh_token"]
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    me = answer(browser.get("/api/users/@me", headers=bearer), 200, S.USER_PII)
    assert (me["id"], me["username"]) == (world.alice, "alice")
    assert "email" not in me  # no email scope
    assert answer(browser.get("/api/v10/users/@me", headers=bearer), 200, S.USER_PII)["id"] == world.alice

    guilds = answer(browser.get("/api/users/@me/guilds", headers=bearer), 200, O.MY_GUILDS)
    # alice holds the Organisers role (Manage Server) in Muster HQ and is in no other guild.
    assert guilds == [
        {
            "id": world.guild_id,
            "name": "Muster HQ",
            "icon": None,
            "banner": None,
            "owner": False,
            "permissions": str(guilds[0]["permissions"]),
            "features": [],
        }
    ]
    assert int(guilds[0]["permissions"]) & (1 << 5)
    counted = answer(browser.get("/api/users/@me/guilds?with_counts=true", headers=bearer), 200, O.MY_GUILDS)
    assert counted[0]["approximate_member_count"] == 4  # the owner, the bot, alice, bob


def test_cancel_and_bad_authorize_requests(world, oauth):
    browser = oauth
    form = {**authorize_params(world), "user_id": world.alice, "decision": "cancel"}
    assert redirected_query(browser.post("/oauth2/authorize", data=form)) == {
        "error": "access_denied",
        "error_description": "The resource owner or authorization server denied the request",
        "state": "s-1",
    }
    bad_scope = redirected_query(browser.get("/oauth2/authorize", params=authorize_params(world, scope="identify bot")))
    assert bad_scope["error"] == "invalid_scope"
    token_type = redirected_query(
        browser.get("/oauth2/authorize", params=authorize_params(world, response_type="token"))
    )
    assert token_type["error"] == "unsupported_response_type"
    # Never redirected to a URI the application did not register, nor for an unknown client.
    elsewhere = browser.get("/oauth2/authorize", params=authorize_params(world, redirect_uri="https://evil.example/"))
    assert (elsewhere.status_code, elsewhere.text) == (400, "Invalid OAuth2 redirect_uri")
    unknown = browser.get("/oauth2/authorize", params=authorize_params(world, client_id="1"))
    assert unknown.status_code == 400
    nobody = browser.get("/oauth2/authorize", params=authorize_params(world, sandbox_user="nobody"))
    assert (nobody.status_code, nobody.text) == (400, "sandbox_user 'nobody' is not a sandbox user")


def test_the_token_endpoint_refuses_as_discord_does(world, oauth):
    browser = oauth
    code = redirected_query(browser.get("/oauth2/authorize", params=authorize_params(world, sandbox_user="alice")))[
        "code"
    ]
    good = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    wrong_secret = browser.post("/api/oauth2/token", data=good, auth=(world.app_id, "nope"))
    assert answer(wrong_secret, 401, O.TOKEN_ERROR) == {"error": "invalid_client"}
    as_json = browser.post("/api/oauth2/token", json=good, auth=(world.app_id, SECRET))
    assert answer(as_json, 400, O.TOKEN_ERROR)["error"] == "invalid_request"
    other_uri = browser.post(
        "/api/oauth2/token", data={**good, "redirect_uri": REDIRECT + "x"}, auth=(world.app_id, SECRET)
    )
    assert answer(other_uri, 400, O.TOKEN_ERROR) == {
        "error": "invalid_grant",
        "error_description": 'Invalid "redirect_uri" in request.',
    }
    # Client credentials as form fields work as well as basic auth; a code is good once.
    in_form = {**good, "client_id": world.app_id, "client_secret": SECRET}
    answer(browser.post("/api/oauth2/token", data=in_form), 200, O.TOKEN)
    again = browser.post("/api/oauth2/token", data=in_form)
    assert answer(again, 400, O.TOKEN_ERROR) == {
        "error": "invalid_grant",
        "error_description": 'Invalid "code" in request.',
    }
    password = browser.post("/api/oauth2/token", data={"grant_type": "password"}, auth=(world.app_id, SECRET))
    assert answer(password, 400, O.TOKEN_ERROR) == {
        "error": "unsupported_grant_type",
        "error_description": "Grant type password is not supported",
    }
    own = answer(
        browser.post(
            "/api/oauth2/token",
            data={"grant_type": "client_credentials", "scope": "identify"},
            auth=(world.app_id, SECRET),
        ),
        200,
        O.TOKEN,
    )
    assert "refresh_token" not in own and own["scope"] == "identify"
    # A token without the guilds scope may not list guilds; no token at all is 401 too.
    no_guilds = browser.get("/api/users/@me/guilds", headers={"Authorization": f"Bearer {own['access_token']}"})
    assert answer(no_guilds, 401, S.ERROR) == {"message": "401: Unauthorized", "code": 0}
    assert answer(browser.get("/api/users/@me"), 401, S.ERROR) == {"message": "401: Unauthorized", "code": 0}


def test_refresh_replaces_the_pair_and_revocation_ends_the_authorization(world, oauth):
    browser = oauth
    code = redirected_query(browser.get("/oauth2/authorize", params=authorize_params(world, sandbox_user=world.alice)))[
        "code"
    ]
    creds = (world.app_id, SECRET)
    first = answer(
        browser.post(
            "/api/oauth2/token",
            data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT},
            auth=creds,
        ),
        200,
        O.TOKEN,
    )
    assert world.control.expire_oauth2_tokens() == 1
    expired = browser.get("/api/users/@me", headers={"Authorization": f"Bearer {first['access_token']}"})
    assert expired.status_code == 401
    refresh = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    second = answer(browser.post("/api/oauth2/token", data=refresh, auth=creds), 200, O.TOKEN)
    assert second["access_token"] != first["access_token"]
    assert answer(browser.post("/api/oauth2/token", data=refresh, auth=creds), 400, O.TOKEN_ERROR) == {
        "error": "invalid_grant"
    }
    bearer = {"Authorization": f"Bearer {second['access_token']}"}
    assert browser.get("/api/users/@me", headers=bearer).status_code == 200

    revoked = browser.post("/api/oauth2/token/revoke", data={"token": second["refresh_token"]}, auth=creds)
    assert (revoked.status_code, revoked.json()) == (200, {})
    assert browser.get("/api/users/@me", headers=bearer).status_code == 401
    assert world.control.oauth2()["authorizations"] == []
    assert world.control.oauth2()["application"] == {"client_id": world.app_id, "redirect_uris": [REDIRECT]}
