"""Delivery in the member's own hours, through the outbox, once per member, issue, rule and day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import IntegrityError, transaction

from core.models import OutboundMessage
from jira_sync import services
from jira_sync.delivery import deliver_link, next_monday
from jira_sync.models import IssueSnapshot, JiraLink, Reminder
from tests.jira_sync.conftest import make_link

pytestmark = pytest.mark.django_db

ACCOUNT = "0a5d2f346baa9455e3e70682"


@pytest.fixture
def link(cast, site):
    cast.member.member.timezone = "Europe/Paris"
    cast.member.member.save()
    return make_link(site, cast.member.member, ACCOUNT)


def remind(link: JiraLink, key: str = "OPS-1", rule: str = "due_soon", occasion: str = "2026-12-03", **fields):
    snap, _ = IssueSnapshot.objects.get_or_create(
        site=link.site,
        issue_id=key.split("-")[1],
        defaults={
            "key": key,
            "summary": f"Work on {key}",
            "status": "To Do",
            "status_category": "new",
            "assignee": link.account_id,
            "duedate": date(2026, 12, 3),
            "updated": datetime(2026, 12, 1, tzinfo=UTC),
            **fields,
        },
    )
    return Reminder.objects.create(
        link=link,
        issue_id=snap.issue_id,
        issue_key=key,
        rule=rule,
        occasion=occasion,
        not_before=datetime(2026, 1, 1, tzinfo=UTC),
    )


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_the_digest_waits_for_the_members_hour_in_their_zone_and_is_sent_once_that_day(link):
    remind(link)
    assert deliver_link(link.id, at("2026-12-02T07:59:00+00:00")) == 0  # 08:59 in Paris
    assert deliver_link(link.id, at("2026-12-02T08:00:00+00:00")) == 1  # 09:00 in Paris
    remind(link, "OPS-2")
    assert deliver_link(link.id, at("2026-12-02T12:00:00+00:00")) == 0  # one digest a day
    assert deliver_link(link.id, at("2026-12-03T08:00:00+00:00")) == 1
    keys = list(OutboundMessage.objects.order_by("id").values_list("idempotency_key", flat=True))
    member = link.member_id
    assert keys == [
        f"jira:digest:{member}:{link.site_id}:2026-12-02",
        f"jira:digest:{member}:{link.site_id}:2026-12-03",
    ]


def test_the_digest_hour_follows_the_clock_change(link):
    remind(link)
    # 29 March 2026: Paris moves to UTC+2, so 09:00 is 07:00 UTC.
    assert deliver_link(link.id, at("2026-03-29T06:59:00+00:00")) == 0
    assert deliver_link(link.id, at("2026-03-29T07:00:00+00:00")) == 1


def test_live_reminders_wait_out_quiet_hours_across_midnight(link):
    JiraLink.objects.filter(id=link.id).update(delivery="live")
    remind(link)
    assert deliver_link(link.id, at("2026-12-02T21:30:00+00:00")) == 0  # 22:30 in Paris
    assert deliver_link(link.id, at("2026-12-03T06:59:00+00:00")) == 0  # 07:59
    assert deliver_link(link.id, at("2026-12-03T07:00:00+00:00")) == 1  # 08:00
    message = OutboundMessage.objects.get()
    assert message.idempotency_key == f"jira:{link.member_id}:{link.site_id}:1:due_soon:2026-12-03"
    assert message.member_id == link.member_id


def test_weekends_off_holds_reminders_until_monday(link):
    JiraLink.objects.filter(id=link.id).update(delivery="live", weekends_off=True)
    remind(link)
    assert deliver_link(link.id, at("2026-12-05T12:00:00+00:00")) == 0  # Saturday
    assert deliver_link(link.id, at("2026-12-06T12:00:00+00:00")) == 0  # Sunday
    assert deliver_link(link.id, at("2026-12-07T12:00:00+00:00")) == 1  # Monday


def test_the_dm_lists_issues_as_links_grouped_by_rule_with_buttons(link):
    JiraLink.objects.filter(id=link.id).update(delivery="live")
    remind(link, "OPS-1", "overdue", "2026-11-30+w0", duedate=date(2026, 11, 30), status="In Progress")
    remind(link, "OPS-2", "due_soon", "2026-12-03")
    deliver_link(link.id, at("2026-12-02T10:00:00+00:00"))
    payload = OutboundMessage.objects.get().payload
    url = link.site.base_url
    assert payload["embeds"] == [
        {
            "title": "Jira: 2 reminders from Acme Jira",
            "description": f"**Overdue**\n[OPS-1]({url}/browse/OPS-1) Work on OPS-1 · In Progress · due Mon 30 Nov 2026"
            f"\n\n**Due soon**\n[OPS-2]({url}/browse/OPS-2) Work on OPS-2 · To Do · due Thu 3 Dec 2026",
        }
    ]
    labels = [[b["label"] for b in row["components"]] for row in payload["components"]]
    assert labels == [
        ["Snooze OPS-1 1 day", "Until Monday", "Mute", "Open OPS-1"],
        ["Snooze OPS-2 1 day", "Until Monday", "Mute", "Open OPS-2"],
    ]
    assert payload["components"][0]["components"][3]["url"] == f"{url}/browse/OPS-1"


def test_a_long_list_ends_with_and_n_more_linking_to_a_jira_search(link):
    JiraLink.objects.filter(id=link.id).update(delivery="live")
    for n in range(1, 28):
        remind(link, f"OPS-{n}")
    deliver_link(link.id, at("2026-12-02T10:00:00+00:00"))
    description = OutboundMessage.objects.get().payload["embeds"][0]["description"]
    assert description.count("\n[OPS-") == 15
    assert "…[and 12 more](" in description
    assert len(OutboundMessage.objects.get().payload["components"]) == 5


def test_a_rerun_or_a_second_tick_sends_nothing_twice(link):
    JiraLink.objects.filter(id=link.id).update(delivery="live")
    remind(link)
    now = at("2026-12-02T10:00:00+00:00")
    assert deliver_link(link.id, now) == 1
    assert deliver_link(link.id, now) == 0
    assert OutboundMessage.objects.count() == 1
    refused = (
        r'^(duplicate key value violates unique constraint "reminder_once_per_issue_rule_occasion"'
        r"|UNIQUE constraint failed: jira_sync_reminder\.link_id, jira_sync_reminder\.issue_id, "
        r"jira_sync_reminder\.rule, jira_sync_reminder\.occasion$)"
    )
    with pytest.raises(IntegrityError, match=refused), transaction.atomic():
        remind(link)


def test_a_reminder_for_an_issue_reassigned_away_or_done_is_dropped(link):
    JiraLink.objects.filter(id=link.id).update(delivery="live")
    gone = remind(link, "OPS-1", assignee="someone-else")
    done = remind(link, "OPS-2", status_category="done")
    assert deliver_link(link.id, at("2026-12-02T10:00:00+00:00")) == 0
    assert set(Reminder.objects.filter(id__in=[gone.id, done.id]).values_list("status", flat=True)) == {"dropped"}
    assert OutboundMessage.objects.count() == 0


def test_snooze_one_day_reminds_again_tomorrow_and_holds_new_ones(link):
    JiraLink.objects.filter(id=link.id).update(delivery="live")
    remind(link)
    now = at("2026-12-02T10:00:00+00:00")
    deliver_link(link.id, now)
    until = services.snooze(link.member_id, link.id, "1", "1d", now)
    assert until == now + timedelta(days=1)
    assert deliver_link(link.id, now + timedelta(hours=23)) == 0
    assert deliver_link(link.id, now + timedelta(days=1)) == 1
    again = Reminder.objects.get(occasion="2026-12-03~2026-12-03")
    assert (again.status, again.rule) == ("sent", "due_soon")


def test_snooze_until_monday_is_monday_at_the_digest_hour_in_the_members_zone(link):
    wednesday = at("2026-12-02T10:00:00+00:00")
    assert services.snooze(link.member_id, link.id, "1", "monday", wednesday) == at("2026-12-07T08:00:00+00:00")
    # On a Monday, "until Monday" is next week's.
    assert next_monday(at("2026-12-07T10:00:00+00:00"), 9) == at("2026-12-14T09:00:00+00:00")


def test_mute_stops_an_issues_reminders_and_someone_elses_click_is_refused(cast, link):
    JiraLink.objects.filter(id=link.id).update(delivery="live")
    remind(link)
    with pytest.raises(Exception, match=r"^These reminders are not yours, or you unlinked that account\.$"):
        services.mute(cast.organiser.member_id, link.id, "1")
    assert services.mute(link.member_id, link.id, "1") == "OPS-1"
    assert deliver_link(link.id, at("2026-12-02T10:00:00+00:00")) == 0
    assert OutboundMessage.objects.count() == 0


def test_quiet_hours_and_settings_refuse_what_cannot_be_read(link):
    from core.errors import RuleError

    with pytest.raises(
        RuleError, match=r"^Quiet hours '22h to 8h' are not two times: write them as 22:00-08:00, or off\.$"
    ):
        services.change_settings(link, services.SettingsChange(quiet_hours="22h to 8h"))
    with pytest.raises(RuleError, match=r"^Due-soon reminders come 1, 2, 3 or 7 days before the due date\.$"):
        services.change_settings(link, services.SettingsChange(due_soon_days=5))
    services.change_settings(link, services.SettingsChange(quiet_hours="23:30-7", delivery="live", stale_days=4))
    link.refresh_from_db()
    assert (link.quiet_start, link.quiet_end, link.delivery, link.remind_stale) == (
        time(23, 30),
        time(7, 0),
        "live",
        True,
    )
    assert services.describe_settings(link) == (
        "Reminders: due soon (1 day before), overdue, newly assigned, stale after 4 days; "
        "as it happens, quiet hours 23:30 to 07:00 (your time zone)."
    )


def test_the_tick_names_only_members_whose_hours_allow_a_dm_now(cast, link):
    from jira_sync.delivery import links_with_pending

    remind(link)
    assert links_with_pending(at("2026-12-02T07:00:00+00:00")) == []  # 08:00 in Paris, digest at 09:00
    assert links_with_pending(at("2026-12-02T08:00:00+00:00")) == [link.id]


def test_reminders_wait_while_core_says_the_member_may_not_be_nudged(cast, link):
    from core.models import GuildMember
    from jira_sync.delivery import links_with_pending

    # Given a reminder due for a member who has left the server
    remind(link)
    GuildMember.objects.filter(guild_id=link.site.guild_id, member_id=link.member_id).update(
        left_at=at("2026-12-01T00:00:00+00:00")
    )
    digest_hour = at("2026-12-02T08:00:00+00:00")

    # Then the tick names nobody and nothing is sent; the reminder waits
    assert links_with_pending(digest_hour) == []
    assert deliver_link(link.id, digest_hour) == 0
    assert OutboundMessage.objects.count() == 0
    assert link.reminders.get().status == Reminder.Status.PENDING

    # When they are back, it goes
    GuildMember.objects.filter(guild_id=link.site.guild_id, member_id=link.member_id).update(left_at=None)
    assert deliver_link(link.id, digest_hour) == 1
