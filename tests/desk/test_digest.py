"""Overdue tasks in the daily digest: inside the Jira digest when there is one (one DM), else the desk's own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from core.models import OutboundMessage
from desk import digest
from desk.models import DeskSettings, DigestDay
from jira_sync.delivery import deliver_link
from jira_sync.models import IssueSnapshot, JiraLink, JiraSite, Reminder

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(cast, make_task):
    """alice's task, due an hour ago; the desk's digest at any hour (0) so the tests run at any time."""
    DeskSettings.objects.create(guild=cast.guild, digest_hour=0)
    return make_task("Return the projector", due_at=timezone.now() - timedelta(hours=1))


@pytest.fixture
def jira_link(cast):
    site = JiraSite.objects.create(guild=cast.guild, name="Acme Jira", base_url="https://acme.example.net")
    return JiraLink.objects.create(site=site, member=cast.member.member, account_id="acc-1", digest_hour=0)


def pending_reminder(link: JiraLink) -> Reminder:
    snap = IssueSnapshot.objects.create(
        site=link.site,
        issue_id="10",
        key="OPS-10",
        summary="Fix the login",
        status_category="new",
        assignee=link.account_id,
        updated=datetime(2026, 12, 1, tzinfo=UTC),
    )
    return Reminder.objects.create(
        link=link,
        issue_id=snap.issue_id,
        issue_key=snap.key,
        rule="overdue",
        occasion="x",
        not_before=datetime(2026, 1, 1, tzinfo=UTC),
    )


def dms(member_id: int) -> list[OutboundMessage]:
    return list(OutboundMessage.objects.filter(member_id=member_id).order_by("id"))


def test_a_member_without_a_jira_digest_gets_the_desks_own_once_a_day(cast, overdue, make_task):
    now = timezone.now()
    make_task("Done long ago", due_at=now - timedelta(days=2), status="done")
    assert digest.send_own_digests(now) == 1
    assert digest.send_own_digests(now + timedelta(minutes=5)) == 0
    [dm] = dms(cast.member.member_id)
    body = dm.payload["embeds"][0]["description"]
    assert body.startswith("**Overdue tasks**\n")
    assert f"`#{overdue.id}` Return the projector" in body and "(overdue)" in body
    assert "Done long ago" not in body
    assert DigestDay.objects.get().outbox_key == dm.idempotency_key


def test_the_desks_digest_waits_for_the_members_hour_on_their_clock(cast, overdue):
    DeskSettings.objects.filter(guild=cast.guild).update(digest_hour=9)
    cast.member.member.timezone = "Asia/Tokyo"  # UTC+9, no clock changes
    cast.member.member.save()
    day = timezone.now().date() + timedelta(days=1)
    before = datetime(day.year, day.month, day.day, 23, 59, tzinfo=UTC) - timedelta(days=1)  # 08:59 in Tokyo
    assert digest.send_own_digests(before) == 0
    assert digest.send_own_digests(before + timedelta(minutes=1)) == 1


def test_with_a_jira_digest_the_overdue_tasks_ride_in_it_one_dm_not_two(cast, overdue, jira_link):
    pending_reminder(jira_link)
    now = timezone.now()
    assert digest.send_own_digests(now) == 0  # Jira's digest is due: it carries the tasks
    assert deliver_link(jira_link.id, now) == 1
    assert digest.send_own_digests(now + timedelta(minutes=5)) == 0
    [dm] = dms(cast.member.member_id)
    assert dm.idempotency_key.startswith("jira:digest:")
    body = dm.payload["embeds"][0]["description"]
    assert "OPS-10" in body
    assert f"**Overdue tasks**\n`#{overdue.id}` Return the projector" in body


def test_a_jira_link_with_nothing_due_leaves_the_digest_to_the_desk_and_jira_does_not_repeat_it(
    cast, overdue, jira_link
):
    now = timezone.now()
    assert digest.send_own_digests(now) == 1
    pending_reminder(jira_link)
    assert deliver_link(jira_link.id, now + timedelta(minutes=1)) == 1
    desk_dm, jira_dm = dms(cast.member.member_id)
    assert "Overdue tasks" in desk_dm.payload["embeds"][0]["description"]
    assert "Overdue tasks" not in jira_dm.payload["embeds"][0]["description"]


def test_a_live_jira_member_gets_the_desks_own_digest(cast, overdue, jira_link):
    JiraLink.objects.filter(id=jira_link.id).update(delivery="live")
    pending_reminder(jira_link)
    assert digest.send_own_digests(timezone.now()) == 1


def test_the_record_of_sent_days_is_kept_a_week(cast, overdue):
    now = timezone.now()
    assert digest.send_own_digests(now) == 1
    assert digest.prune(now + timedelta(days=7)) == 0
    assert digest.prune(now + timedelta(days=9)) == 1
    assert not DigestDay.objects.exists()
