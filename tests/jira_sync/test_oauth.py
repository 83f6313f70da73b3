"""OAuth 2.0 (3LO) linking through the stand-in: PKCE, state bound to the browser, /myself, rotation, invalid_grant."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.utils import timezone

from core.models import OutboundMessage
from jira_sync import crypto, linking, oauth
from jira_sync.models import JiraLink, JiraSite

pytestmark = pytest.mark.django_db

CLIENT_ID, CLIENT_SECRET = "muster-test-app", "muster-test-app-secret"


@pytest.fixture
def oauth_site(site, jira, monkeypatch, settings):
    settings.ATLASSIAN_AUTH_URL = settings.ATLASSIAN_API_URL = jira.url
    settings.JIRA_TOKEN_KEY = "test-jira-token-key"
    monkeypatch.setenv("JIRA_TEST_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("JIRA_TEST_CLIENT_SECRET", CLIENT_SECRET)
    jira.register_oauth_app(CLIENT_ID, CLIENT_SECRET, [oauth.redirect_uri()])
    JiraSite.objects.filter(id=site.id).update(
        auth="oauth",
        oauth_client_id_env="JIRA_TEST_CLIENT_ID",
        oauth_client_secret_env="JIRA_TEST_CLIENT_SECRET",
        cloud_id=jira.oauth()["cloud_id"],
    )
    site.refresh_from_db()
    return site


def sign_in(client, site, member_id, account_id) -> httpx.Response:
    """The member opens their link, Atlassian's consent page answers as ``account_id``."""
    token = linking.start(site, member_id, timezone.now()).rsplit("/", 1)[1]
    to_atlassian = client.get(f"/jira/connect/{token}")
    assert to_atlassian.status_code == 302
    return httpx.get(f"{to_atlassian['Location']}&sandbox_user={account_id}", follow_redirects=False)


def test_a_member_signs_in_and_is_linked_as_the_account_myself_names(cast, oauth_site, jira, users, client):
    consent = sign_in(client, oauth_site, cast.member.member_id, users[2]["accountId"])
    back = urlsplit(consent.headers["Location"])
    asked = parse_qs(urlsplit(consent.request.url.__str__()).query)
    assert asked["scope"] == ["read:jira-user read:jira-work offline_access"]
    assert asked["audience"] == ["api.atlassian.com"] and asked["code_challenge_method"] == ["S256"]
    page = client.get(f"{back.path}?{back.query}")
    assert page.status_code == 200
    assert f"Your Jira account <strong>{users[2]['displayName']}</strong> is linked" in page.content.decode()
    link = JiraLink.objects.get()
    assert (link.member_id, link.account_id) == (cast.member.member_id, users[2]["accountId"])
    plain = crypto.unseal(link.access_token)  # encrypted at rest under JIRA_TOKEN_KEY
    assert plain and plain not in link.access_token and crypto.unseal(link.refresh_token) not in link.refresh_token
    assert OutboundMessage.objects.get().payload == {
        "content": f"Your Jira account **{users[2]['displayName']}** is now linked on Acme Jira."
    }
    assert jira.refused_writes() == []


def test_a_callback_in_another_browser_is_refused(cast, oauth_site, users, client):
    consent = sign_in(client, oauth_site, cast.member.member_id, users[2]["accountId"])
    back = urlsplit(consent.headers["Location"])
    page = client.__class__().get(f"{back.path}?{back.query}")
    assert page.status_code == 400
    assert oauth.NOT_THIS_BROWSER in page.content.decode()
    assert JiraLink.objects.count() == 0


def test_a_made_up_state_and_a_replayed_callback_are_refused(cast, oauth_site, users, client):
    consent = sign_in(client, oauth_site, cast.member.member_id, users[2]["accountId"])
    back = urlsplit(consent.headers["Location"])
    forged = client.get(f"{back.path}?code=x&state=not-the-state")
    assert forged.status_code == 400 and oauth.NOT_THIS_BROWSER in forged.content.decode()
    assert client.get(f"{back.path}?{back.query}").status_code == 200
    replay = client.get(f"{back.path}?{back.query}")
    assert replay.status_code == 400 and oauth.STALE in replay.content.decode()
    assert JiraLink.objects.count() == 1


def test_refresh_tokens_rotate_and_invalid_grant_asks_the_member_to_reconnect(cast, oauth_site, jira, users, client):
    consent = sign_in(client, oauth_site, cast.member.member_id, users[2]["accountId"])
    back = urlsplit(consent.headers["Location"])
    client.get(f"{back.path}?{back.query}")
    link = JiraLink.objects.get()
    first = crypto.unseal(link.refresh_token)
    now = timezone.now()
    assert oauth.refresh(link.id, now) is True
    link.refresh_from_db()
    assert crypto.unseal(link.refresh_token) not in ("", first)
    jira.revoke_oauth_grant(users[2]["accountId"])
    assert oauth.refresh(link.id, now + timedelta(days=1)) is False
    link.refresh_from_db()
    assert (link.status, link.refresh_token, link.access_token) == ("reconnect", "", "")
    assert OutboundMessage.objects.order_by("-id").first().payload == {
        "content": "Your Jira link on Acme Jira stopped working (access was revoked or expired). "
        "Run /jira link to connect again; until then you get no Jira reminders."
    }
    assert oauth.links_to_refresh(now + timedelta(days=2)) == []
