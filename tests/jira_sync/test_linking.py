"""Linking cannot be spoofed: a one-time URL per member, a code Jira's own comment author vouches for."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.errors import RuleError
from core.models import OutboundMessage
from jira_sync import linking
from jira_sync.models import JiraLink, LinkAttempt
from tests.jira_sync.conftest import NOW, make_link

pytestmark = pytest.mark.django_db


@pytest.fixture
def link_issue(jira, users):
    jira.put_issue("OPS-1", summary="Link your Discord account here")


def token_of(url: str) -> str:
    return url.rsplit("/", 1)[1]


def test_a_member_posts_the_code_and_is_linked_to_the_comments_author(cast, site, jira, users, link_issue):
    url = linking.start(site, cast.member.member_id, NOW)
    assert url.startswith("http://127.0.0.1:8000/jira/connect/")
    attempt = linking.open_link(token_of(url), "browser-1", NOW)
    assert attempt.code.startswith("MUSTER-") and len(attempt.code) == 15
    jira.comment("OPS-1", f"my code is {attempt.code.lower()}", by=users[0]["accountId"], at=NOW + timedelta(minutes=1))
    assert len(linking.check_codes(site.id, NOW + timedelta(minutes=2))) == 1
    link = JiraLink.objects.get()
    assert (link.member_id, link.account_id, link.display_name) == (
        cast.member.member_id,
        users[0]["accountId"],
        users[0]["displayName"],
    )
    dm = OutboundMessage.objects.get()
    assert dm.member_id == cast.member.member_id
    assert dm.payload == {"content": f"Your Jira account **{users[0]['displayName']}** is now linked on Acme Jira."}
    assert jira.refused_writes() == []


def test_a_used_code_is_not_replayed(cast, site, jira, users, link_issue):
    attempt = linking.open_link(token_of(linking.start(site, cast.member.member_id, NOW)), "b", NOW)
    jira.comment("OPS-1", attempt.code, by=users[0]["accountId"], at=NOW + timedelta(minutes=1))
    linking.check_codes(site.id, NOW + timedelta(minutes=2))
    jira.comment("OPS-1", attempt.code, by=users[1]["accountId"], at=NOW + timedelta(minutes=3))
    assert linking.check_codes(site.id, NOW + timedelta(minutes=4)) == []
    assert list(JiraLink.objects.values_list("account_id", flat=True)) == [users[0]["accountId"]]


def test_an_expired_code_links_nobody(cast, site, jira, users, link_issue):
    attempt = linking.open_link(token_of(linking.start(site, cast.member.member_id, NOW)), "b", NOW)
    jira.comment("OPS-1", attempt.code, by=users[0]["accountId"], at=NOW + timedelta(minutes=16))
    assert linking.check_codes(site.id, NOW + timedelta(minutes=16)) == []
    assert JiraLink.objects.count() == 0


def test_a_comment_older_than_the_code_does_not_count(cast, site, jira, users, link_issue):
    attempt = linking.open_link(token_of(linking.start(site, cast.member.member_id, NOW)), "b", NOW)
    jira.comment("OPS-1", attempt.code, by=users[0]["accountId"], at=NOW - timedelta(minutes=1))
    assert linking.check_codes(site.id, NOW + timedelta(minutes=1)) == []


def test_an_account_linked_to_another_member_is_refused_and_the_member_told(cast, site, jira, users, link_issue):
    make_link(site, cast.organiser.member, users[0]["accountId"])
    attempt = linking.open_link(token_of(linking.start(site, cast.member.member_id, NOW)), "b", NOW)
    jira.comment("OPS-1", attempt.code, by=users[0]["accountId"], at=NOW + timedelta(minutes=1))
    assert linking.check_codes(site.id, NOW + timedelta(minutes=2)) == []
    assert JiraLink.objects.get().member_id == cast.organiser.member_id
    assert OutboundMessage.objects.get().payload == {
        "content": "That Jira account is already linked to another Discord member; nothing was changed."
    }


def test_each_members_code_links_only_that_member(cast, site, jira, users, link_issue):
    alices = linking.open_link(token_of(linking.start(site, cast.member.member_id, NOW)), "a", NOW)
    olivias = linking.open_link(token_of(linking.start(site, cast.organiser.member_id, NOW)), "o", NOW)
    jira.comment("OPS-1", olivias.code, by=users[1]["accountId"], at=NOW + timedelta(minutes=1))
    jira.comment("OPS-1", alices.code, by=users[0]["accountId"], at=NOW + timedelta(minutes=1))
    linking.check_codes(site.id, NOW + timedelta(minutes=2))
    assert dict(JiraLink.objects.values_list("member_id", "account_id")) == {
        cast.member.member_id: users[0]["accountId"],
        cast.organiser.member_id: users[1]["accountId"],
    }


def test_the_one_time_link_opens_once_in_one_browser_and_expires_after_10_minutes(cast, site):
    token = token_of(linking.start(site, cast.member.member_id, NOW))
    first = linking.open_link(token, "browser-1", NOW + timedelta(minutes=1))
    assert linking.open_link(token, "browser-1", NOW + timedelta(minutes=2)).code == first.code
    used = r"^This link was already used\. Run /jira link in Discord for a new one\.$"
    with pytest.raises(RuleError, match=used):
        linking.open_link(token, "browser-2", NOW + timedelta(minutes=2))
    late = token_of(linking.start(site, cast.member.member_id, NOW))
    expired = r"^This link has expired \(links last 10 minutes\)\. Run /jira link in Discord for a new one\.$"
    with pytest.raises(RuleError, match=expired):
        linking.open_link(late, "browser-1", NOW + timedelta(minutes=10))
    with pytest.raises(RuleError, match=r"^This link does not exist\. Run /jira link in Discord for a new one\.$"):
        linking.open_link("not-a-token", "browser-1", NOW)
    assert LinkAttempt.objects.filter(opened_at__isnull=False).count() == 1


def test_the_connect_page_shows_the_code_and_refuses_a_second_browser(cast, site, client):
    token = token_of(linking.start(site, cast.member.member_id, NOW.now(NOW.tzinfo)))
    page = client.get(f"/jira/connect/{token}")
    assert page.status_code == 200
    code = LinkAttempt.objects.get().code
    assert code in page.content.decode()
    assert f'href="{site.base_url}/browse/OPS-1"' in page.content.decode()
    other = client.__class__().get(f"/jira/connect/{token}")
    assert other.status_code == 400
    assert "This link was already used. Run /jira link in Discord for a new one." in other.content.decode()
