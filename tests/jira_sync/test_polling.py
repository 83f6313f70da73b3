"""One batched read per site per cycle: snapshots, a silent first poll, newly assigned from a diff."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from jira_sync.models import IssueSnapshot, JiraLink, JiraSite, Reminder
from jira_sync.polling import assignee_clause, claim_due_sites, poll_site
from tests.factories import MemberFactory
from tests.jira_sync.conftest import NOW, make_link

pytestmark = pytest.mark.django_db


def polls_counted(site) -> dict[str, int]:
    """What muster_jira_polls_total holds for ``site`` (core.metrics), by outcome."""
    from core import metrics
    from core.redis import get_redis

    metrics.flush()
    stored = get_redis().hgetall(metrics.JIRA_POLLS.key)
    return {outcome: int(stored.get(f'["{site.id}", "{outcome}"]'.encode(), 0)) for outcome in ("error", "ok")}


def test_it_claims_a_due_site_once_however_many_ticks_ask(site):
    assert claim_due_sites(NOW) == [site.id]
    assert claim_due_sites(NOW) == []
    site.refresh_from_db()
    assert site.next_poll_at == NOW + timedelta(minutes=10)


def test_the_first_poll_seeds_silently(cast, site, jira, users):
    alice = users[0]["accountId"]
    jira.put_issue("OPS-1", summary="Old work", assignee=alice)
    link = make_link(site, cast.member.member, alice, remind_due_soon=False)
    assert poll_site(site.id, NOW) == 0
    assert list(IssueSnapshot.objects.values_list("key", "assignee")) == [("OPS-1", alice)]
    link.refresh_from_db()
    assert link.seeded_at == NOW
    assert Reminder.objects.count() == 0


def test_an_issue_reassigned_to_a_linked_member_is_newly_assigned_once(cast, site, jira, users):
    alice, bob = users[0]["accountId"], users[1]["accountId"]
    jira.put_issue("OPS-2", summary="Sponsor deck", assignee=bob)
    make_link(site, cast.member.member, alice)
    poll_site(site.id, NOW)
    later = NOW + timedelta(minutes=10)
    jira.set_clock(later)
    jira.reassign("OPS-2", alice, by=bob)
    assert poll_site(site.id, later) == 1
    assert poll_site(site.id, later + timedelta(minutes=10)) == 0
    reminder = Reminder.objects.get()
    assert (reminder.issue_key, reminder.rule, reminder.occasion) == ("OPS-2", "assigned", "2026-12-02")


def test_a_self_assignment_is_skipped(cast, site, jira, users):
    alice, bob = users[0]["accountId"], users[1]["accountId"]
    jira.put_issue("OPS-3", summary="Picked up", assignee=bob)
    make_link(site, cast.member.member, alice)
    poll_site(site.id, NOW)
    later = NOW + timedelta(minutes=10)
    jira.set_clock(later)
    jira.reassign("OPS-3", alice, by=alice)
    assert poll_site(site.id, later) == 0
    assert IssueSnapshot.objects.get(key="OPS-3").assignee == alice


def test_due_soon_and_overdue_come_from_the_hourly_sweep_and_a_moved_due_date_is_new(cast, site, jira, users):
    alice = users[0]["accountId"]
    jira.put_issue("OPS-4", summary="Due tomorrow", assignee=alice, duedate="2026-12-03")
    jira.put_issue("OPS-5", summary="Late", assignee=alice, duedate="2026-11-30")
    jira.put_issue("OPS-6", summary="Far off", assignee=alice, duedate="2026-12-20")
    make_link(site, cast.member.member, alice)
    assert poll_site(site.id, NOW) == 2
    rules = set(Reminder.objects.values_list("issue_key", "rule", "occasion"))
    assert rules == {("OPS-4", "due_soon", "2026-12-03"), ("OPS-5", "overdue", "2026-11-30+w0")}
    later = NOW + timedelta(hours=1)
    jira.set_clock(later)
    jira.set_due_date("OPS-4", date(2026, 12, 4), by=alice)
    assert poll_site(site.id, later) == 0  # 2 days ahead: outside alice's 1 day
    JiraLink.objects.update(due_soon_days=2)
    assert poll_site(site.id, later + timedelta(hours=1)) == 1
    assert Reminder.objects.filter(issue_key="OPS-4").count() == 2


def test_links_are_batched_at_most_100_per_query_never_one_request_per_member(cast, site, jira):
    for n in range(150):
        account = jira.add_user(f"Person {n}")["accountId"]
        make_link(site, MemberFactory(), account, seeded_at=NOW - timedelta(days=1))
    JiraSite.objects.filter(id=site.id).update(watermark=NOW - timedelta(minutes=10))
    poll_site(site.id, NOW)
    counters = jira.counters()
    assert counters == {"POST search/jql": 4}  # 2 chunks x (changed + sweep)
    assert JiraSite.objects.get(id=site.id).requests_last_cycle == 4
    assert jira.refused_writes() == []


def test_an_account_id_that_is_not_one_is_never_put_in_jql():
    with pytest.raises(ValueError, match=r"""^not an account id: '" OR project = X'$"""):
        assignee_clause(["0a5d2f346baa9455e3e70682", '" OR project = X'])


def test_a_failing_site_says_why_and_tells_its_organiser_once_then_once_when_it_recovers(cast, site, jira, users):
    from core.models import OutboundMessage

    make_link(site, cast.member.member, users[0]["accountId"])
    polls_before = polls_counted(site)
    jira.revoke_api_token()
    poll_site(site.id, NOW)
    poll_site(site.id, NOW + timedelta(minutes=10))
    site.refresh_from_db()
    assert site.last_error == "401: the API token was rejected — it may have expired"
    assert site.failing_since == NOW
    jira.restore_api_token()
    poll_site(site.id, NOW + timedelta(minutes=20))
    site.refresh_from_db()
    assert (site.failing_since, site.last_error, site.last_success_at) == (None, "", NOW + timedelta(minutes=20))
    # muster_jira_polls_total{site, outcome} counted both failures and the recovery (the alert's input)
    after = polls_counted(site)
    assert {outcome: after[outcome] - polls_before[outcome] for outcome in after} == {"error": 2, "ok": 1}
    sent = list(OutboundMessage.objects.order_by("id").values_list("member_id", "payload"))
    assert sent == [
        (
            cast.organiser.member_id,
            {
                "content": "Jira site **Acme Jira** stopped answering Muster's poll: "
                "401: the API token was rejected — it may have expired."
            },
        ),
        (cast.organiser.member_id, {"content": "Jira site **Acme Jira** answers again; reminders are back."}),
    ]


def test_an_account_jira_no_longer_knows_is_dropped_and_its_member_asked_to_reconnect(cast, site, jira, users):
    alice = users[0]["accountId"]
    jira.put_issue("OPS-7", summary="Still here", assignee=alice)
    make_link(site, cast.member.member, alice)
    ghost = make_link(site, cast.organiser.member, "5b10ac8d82e05b22cc7d4ef5")
    poll_site(site.id, NOW)
    ghost.refresh_from_db()
    assert ghost.status == JiraLink.Status.RECONNECT
    assert list(IssueSnapshot.objects.values_list("key", flat=True)) == ["OPS-7"]
    assert JiraSite.objects.get(id=site.id).failing_since is None


def test_the_changelog_of_every_newly_assigned_issue_is_read_in_one_bulk_request(cast, site, jira, users):
    alice, bob = users[0]["accountId"], users[1]["accountId"]
    for n in range(1, 4):
        jira.put_issue(f"OPS-{n}", summary=f"Task {n}", assignee=bob)
    make_link(site, cast.member.member, alice)
    poll_site(site.id, NOW)
    later = NOW + timedelta(minutes=10)
    jira.set_clock(later)
    for n in range(1, 4):
        jira.reassign(f"OPS-{n}", alice, by=bob)
    assert poll_site(site.id, later) == 3
    assert jira.counters()["POST changelog/bulkfetch"] == 1
