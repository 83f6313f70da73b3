"""Leave quiets Jira: due-soon and assigned reminders, live or in the digest, are held while the
member is away (once), never sent on their return, and summarised in one DM."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core import away_summary
from core.models import HeldNudge, OutboundMessage
from jira_sync.delivery import deliver_link, hold_while_away, links_with_pending
from jira_sync.models import JiraLink, Reminder
from tests.jira_sync.conftest import make_link
from tests.jira_sync.test_delivery import ACCOUNT, remind

pytestmark = pytest.mark.django_db

DIGEST_HOUR = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)  # 09:00 in Paris, her digest hour
BACK = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)  # Monday 08:00 in Paris


@pytest.fixture
def link(cast, site):
    cast.member.member.timezone = "Europe/Paris"
    cast.member.member.save()
    return make_link(site, cast.member.member, ACCOUNT)


@pytest.mark.parametrize("delivery", ["digest", "live"])
def test_reminders_of_a_member_away_are_held_once_and_summarised_once_when_back(cast, link, away, delivery):
    # Given alice, away until Monday, with an issue due soon and one newly assigned
    JiraLink.objects.filter(id=link.id).update(delivery=delivery)
    remind(link, "OPS-1")
    remind(link, "OPS-2", rule="assigned", occasion="2026-12-01T10:00")
    away.send(cast.member, until=BACK, reason="on leave until Friday 4 December")

    # When the tick runs at her digest hour, twice
    assert hold_while_away(DIGEST_HOUR) == 2
    assert hold_while_away(DIGEST_HOUR + timedelta(minutes=1)) == 0
    assert links_with_pending(DIGEST_HOUR) == []
    assert deliver_link(link.id, DIGEST_HOUR) == 0

    # Then no DM, the reminders are held, once each
    assert OutboundMessage.objects.count() == 0
    assert set(link.reminders.values_list("status", flat=True)) == {Reminder.Status.HELD}
    held = list(HeldNudge.objects.order_by("id").values_list("member_id", "kind", "key", "text"))
    assert held == [
        (link.member_id, "jira_due", f"jira:{link.site_id}:1:jira_due", "OPS-1 Work on OPS-1 · due Thu 3 Dec 2026"),
        (
            link.member_id,
            "jira_assigned",
            f"jira:{link.site_id}:2:jira_assigned",
            "OPS-2 Work on OPS-2 · due Thu 3 Dec 2026",
        ),
    ]

    # And back on Monday: no digest of them, one summary (a second tick sends nothing more)
    assert links_with_pending(BACK) == [] and deliver_link(link.id, BACK) == 0
    assert away_summary.send_due(now=BACK) == 1
    assert away_summary.send_due(now=BACK + timedelta(minutes=5)) == 0
    (dm,) = OutboundMessage.objects.all()
    assert dm.idempotency_key.startswith(f"away-summary:{link.member_id}:")
    assert dm.payload["content"] == (
        "**While you were away**: a Jira issue became due and a Jira issue was assigned to you.\n"
        "- OPS-1 Work on OPS-1 · due Thu 3 Dec 2026\n"
        "- OPS-2 Work on OPS-2 · due Thu 3 Dec 2026"
    )


def test_reminders_of_a_member_not_away_are_not_held_but_sent(cast, link, away):
    remind(link, "OPS-1")
    away.send(cast.organiser)  # someone else is away

    assert hold_while_away(DIGEST_HOUR) == 0
    assert deliver_link(link.id, DIGEST_HOUR) == 1
    assert HeldNudge.objects.count() == 0


def test_an_issue_done_meanwhile_is_dropped_not_held(cast, link, away):
    remind(link, "OPS-1", status_category="done")
    away.send(cast.member, until=BACK)

    assert hold_while_away(DIGEST_HOUR) == 0
    assert link.reminders.get().status == Reminder.Status.DROPPED
    assert HeldNudge.objects.count() == 0
