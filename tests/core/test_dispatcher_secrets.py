"""An answer that holds a secret (a calendar link) is sent once and then forgotten by the command log."""

from __future__ import annotations

import pytest

from core.interactions import dispatcher
from core.models import CommandLog
from events.models import CalendarFeed

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]


def test_a_new_calendar_link_reaches_the_member_and_leaves_no_copy_in_the_command_log(live_discord):
    # Given alice clicking New link under /event calendar's answer
    payload = live_discord.component_payload("event:new_calendar")

    # When the click is handled, and delivered again
    dispatcher.handle(payload)
    dispatcher.handle(payload)

    # Then she sees the link, the log keeps the outcome but not the answer, and one link was made
    shown = live_discord.control.interaction(payload["id"])["original"]["content"]
    token = shown.split("/calendar/")[1].split(".ics")[0]
    entry = CommandLog.objects.get(pk=payload["id"])
    assert (entry.outcome, entry.reply, entry.attempts) == ("ok", {"type": "update", "message": {}, "secret": True}, 2)
    assert token not in str(list(CommandLog.objects.values()))
    assert CalendarFeed.objects.filter(member_id=live_discord.member_id, revoked_at__isnull=True).count() == 1
