"""/jira and the DM buttons as a member uses them (handlers run as the dispatcher runs them)."""

from __future__ import annotations

import re

import pytest

from core.errors import RuleError
from jira_sync.discord.messages import MUTE, SNOOZE
from jira_sync.models import IssueMute, JiraLink
from tests.cast import handle
from tests.jira_sync.conftest import make_link

pytestmark = pytest.mark.django_db

ACCOUNT = "0a5d2f346baa9455e3e70682"


def test_link_answers_privately_with_a_one_time_url(cast, site):
    reply = handle(cast.interaction(cast.member, command="jira link"))
    assert reply.ephemeral is True
    assert re.fullmatch(
        r"Open this link within 10 minutes to link your account on \*\*Acme Jira\*\* \(it works once, for you only\): "
        r"http://127\.0\.0\.1:8000/jira/connect/[\w-]{43}\nThen the page gives you a code to post as a comment on "
        r"the site's link issue\. Muster never writes to Jira\.",
        reply.content,
    )


def test_link_without_a_site_says_to_ask_an_organiser(cast):
    with pytest.raises(RuleError, match=r"^This server has not connected a Jira site yet: ask an organiser\.$"):
        handle(cast.interaction(cast.member, command="jira link"))


def test_status_and_settings_before_linking_say_to_link_first(cast, site):
    assert handle(cast.interaction(cast.member, command="jira status")).content == (
        "You have not linked a Jira account in this server: use /jira link first."
    )
    with pytest.raises(RuleError, match=r"^You have not linked a Jira account in this server: use /jira link first\.$"):
        handle(cast.interaction(cast.member, command="jira settings", options={"delivery": "live"}))


def test_settings_then_status(cast, site):
    make_link(site, cast.member.member, ACCOUNT)
    reply = handle(
        cast.interaction(cast.member, command="jira settings", options={"digest_hour": 7, "weekends_off": True})
    )
    assert reply.content == (
        "Reminders: due soon (1 day before), overdue, newly assigned; a daily digest at 07:00, weekends off "
        "(your time zone)."
    )
    assert handle(cast.interaction(cast.member, command="jira status")).content == (
        "**Acme Jira**: linked as Someone. Last reminder: none yet. Reminders: due soon (1 day before), overdue, "
        "newly assigned; a daily digest at 07:00, weekends off (your time zone)."
    )


def test_unlink_forgets_the_link(cast, site):
    make_link(site, cast.member.member, ACCOUNT)
    reply = handle(cast.interaction(cast.member, command="jira unlink"))
    assert reply.content == "Unlinked your Jira account on **Acme Jira**; its reminders stop."
    assert JiraLink.objects.count() == 0


def test_digest_now_with_nothing_due(cast, site):
    make_link(site, cast.member.member, ACCOUNT)
    reply = handle(cast.interaction(cast.member, command="jira digest"))
    assert reply.content == "Nothing due soon, overdue or stale for you right now."


def test_snooze_and_mute_buttons_belong_to_the_member_they_were_sent_to(cast, site):
    link = make_link(site, cast.member.member, ACCOUNT)
    snooze = SNOOZE.build(link_id=link.id, issue_id="10001", until="1d")
    reply = handle(cast.interaction(cast.member, kind="component", custom_id=snooze))
    assert reply.content.startswith("Snoozed: you will be reminded again <t:")
    with pytest.raises(RuleError, match=r"^These reminders are not yours, or you unlinked that account\.$"):
        handle(cast.interaction(cast.organiser, kind="component", custom_id=MUTE.build(link_id=link.id, issue_id="1")))
    reply = handle(
        cast.interaction(cast.member, kind="component", custom_id=MUTE.build(link_id=link.id, issue_id="10001"))
    )
    assert reply.content == "Muted 10001: no more reminders about it."
    assert list(IssueMute.objects.values_list("issue_id", "until")) == [("10001", None)]


def test_digest_now_lists_what_is_due_privately(cast, site):
    from datetime import UTC, datetime, timedelta

    from django.utils import timezone

    from jira_sync.models import IssueSnapshot

    link = make_link(site, cast.member.member, ACCOUNT)
    today = timezone.now().astimezone(UTC).date()
    IssueSnapshot.objects.create(
        site=site,
        issue_id="10001",
        key="OPS-1",
        summary="Ship it",
        status="In Progress",
        status_category="indeterminate",
        assignee=ACCOUNT,
        duedate=today - timedelta(days=3),
        updated=datetime(2026, 1, 1, tzinfo=UTC),
    )
    reply = handle(cast.interaction(cast.member, command="jira digest"))
    assert reply.ephemeral is True
    assert reply.embeds[0]["title"] == "Jira now: Acme Jira"
    assert reply.embeds[0]["description"].startswith(f"**Overdue**\n[OPS-1]({site.base_url}/browse/OPS-1) Ship it")
    assert [b["label"] for b in reply.components[0]["components"]] == [
        "Snooze OPS-1 1 day",
        "Until Monday",
        "Mute",
        "Open OPS-1",
    ]
    assert link.reminders.count() == 0  # a look, not a reminder
