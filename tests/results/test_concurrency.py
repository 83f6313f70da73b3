"""At once, against PostgreSQL: two clicks of Check in make one check-in; two ticks redraw once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import RuleError
from results import checkin
from results.models import CheckIn
from tests.desk.test_concurrency import simultaneously

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_two_clicks_at_once_check_a_member_in_once(cast, started):
    checkin.use_check_in(cast.guild.id, started.id, enabled=True, by_id=None)
    now = timezone.now()

    def click():
        try:
            return checkin.check_in(cast.guild.id, started.id, cast.member.member_id, now=now).id
        except RuleError as refused:
            return refused.message

    answers = simultaneously([click, click, click])
    assert CheckIn.objects.count() == 1
    made = [answer for answer in answers if isinstance(answer, int)]
    refused = [answer for answer in answers if not isinstance(answer, int)]
    assert made == [CheckIn.objects.get().id]
    assert [answer.startswith("You already checked in to Relay") for answer in refused] == [True, True]


def test_ticks_at_once_redraw_an_opening_window_once(cast, started):
    checkin.use_check_in(cast.guild.id, started.id, enabled=True, by_id=None)
    at = started.starts_at + timedelta(minutes=1)
    assert sum(simultaneously([lambda: checkin.redraw_windows(at) for _ in range(4)])) == 1
