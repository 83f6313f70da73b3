"""Results' part of /muster privacy: check-ins and places are the member's; Forget me keeps the place."""

from __future__ import annotations

import pytest
from django.utils import timezone

from core import personal_data
from results import services
from results.entries import parse_lines
from results.models import CheckIn, ResultEntry

pytestmark = pytest.mark.django_db


def test_forget_me_deletes_check_ins_and_leaves_places_nameless(cast, started):
    posting = services.Posting(by_id=cast.organiser.member_id)
    services.post_results(cast.guild.id, started.id, parse_lines("1. alice 10\n2. Blue 8"), posting)
    CheckIn.objects.create(event=started, guild=cast.guild, member=cast.member.member)
    counted = dict(personal_data.summary(cast.member.member_id))
    assert (counted["Events you checked in to"], counted["Your places in events' results"]) == (1, 1)

    personal_data.forget(cast.member.member_id, now=timezone.now())

    assert not CheckIn.objects.exists()
    assert list(ResultEntry.objects.values_list("position", "member_id", "name", "points")) == [
        (1, None, "(a former member)", 10),
        (2, None, "Blue", 8),
    ]
