"""Channel subscriptions: new and transitioned issues, one post per burst, each change once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.errors import RuleError
from core.models import OutboundMessage
from jira_sync.models import Subscription
from jira_sync.polling import poll_site
from tests.cast import handle
from tests.jira_sync.conftest import NOW

pytestmark = pytest.mark.django_db

CHANNEL = 700_000_000_000_000_077


def subscribe(cast, jql="project = OPS", who=None):
    options = {"jql": jql, "channel": str(CHANNEL)}
    return handle(cast.interaction(who or cast.organiser, command="jira subscribe", options=options))


def test_an_organiser_subscribes_after_a_dry_run_and_a_member_may_not(cast, site, jira):
    assert subscribe(cast).content == (
        f"From now on, new and transitioned issues matching that JQL are posted in <#{CHANNEL}>."
    )
    assert list(Subscription.objects.values_list("jql", "channel_id")) == [("project = OPS", CHANNEL)]
    with pytest.raises(RuleError, match=r"^Jira refused that JQL: 400: Jira refused the query — .*\.$"):
        subscribe(cast, "project = NOPE")
    from core.interactions import routing

    route = routing.find(cast.interaction(cast.member, command="jira subscribe", options={}))
    assert route.permits(cast.interaction(cast.member, command="jira subscribe")) is False
    listed = handle(cast.interaction(cast.organiser, command="jira subscriptions")).content
    assert listed == f"{Subscription.objects.get().id}: `project = OPS` → <#{CHANNEL}> (Acme Jira)"


def test_new_and_moved_issues_are_posted_once_per_burst_and_each_change_once(cast, site, jira, users):
    bob = users[1]["accountId"]
    jira.put_issue("OPS-1", summary="Old one", assignee=bob, created=(NOW - timedelta(days=3)).isoformat())
    subscribe(cast)
    poll_site(site.id, NOW)
    assert OutboundMessage.objects.count() == 0
    later = NOW + timedelta(minutes=10)
    jira.set_clock(later)
    jira.put_issue("OPS-2", summary="Fresh one", assignee=bob, created=later.isoformat(), updated=later.isoformat())
    jira.transition("OPS-1", "In Progress", by=bob)
    poll_site(site.id, later)
    poll_site(site.id, later + timedelta(minutes=1))  # the overlap sees both again: nothing new
    post = OutboundMessage.objects.get()
    url = site.base_url
    assert post.channel_id == CHANNEL
    assert post.payload["embeds"][0]["description"] == (
        f"[OPS-1]({url}/browse/OPS-1) Old one · moved to In Progress\n"
        f"[OPS-2]({url}/browse/OPS-2) Fresh one · new, To Do"
    )
    assert jira.refused_writes() == []


def test_unsubscribe(cast, site):
    subscription = Subscription.objects.create(site=site, channel_id=CHANNEL, jql="project = OPS")
    reply = handle(
        cast.interaction(cast.organiser, command="jira unsubscribe", options={"subscription": subscription.id})
    )
    assert reply.content == f"Subscription {subscription.id} removed: <#{CHANNEL}> no longer gets those issues."
    assert Subscription.objects.count() == 0


def test_a_subscription_whose_jql_jira_now_refuses_does_not_stop_the_sites_poll(cast, site, jira, users):
    from jira_sync.models import IssueSnapshot, JiraLink

    JiraLink.objects.create(site=site, member=cast.member.member, account_id=users[0]["accountId"])
    jira.put_issue("OPS-9", summary="Mine", assignee=users[0]["accountId"])
    Subscription.objects.create(site=site, channel_id=CHANNEL, jql="project = GONE", watermark=NOW)
    poll_site(site.id, NOW)
    site.refresh_from_db()
    assert (site.failing_since, site.last_success_at) == (None, NOW)
    assert list(IssueSnapshot.objects.values_list("key", flat=True)) == ["OPS-9"]
