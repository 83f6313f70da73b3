"""Polls through the API: results, and voters only for polls that are not anonymous."""

from __future__ import annotations

import pytest

from polls import services
from tests.api.conftest import error
from tests.events.factories import NOW
from tests.polls.factories import PollFactory

pytestmark = pytest.mark.django_db


def test_it_lists_polls_newest_first_and_filters_by_status(api, cast):
    older = PollFactory(guild=cast.guild, created_at=NOW)
    newer = PollFactory(guild=cast.guild, created_at=NOW.replace(day=8), status="closed")
    PollFactory(guild=cast.outsider.guild)
    body = api.get(api.url("/polls")).json()
    assert [poll["id"] for poll in body["items"]] == [newer.id, older.id]
    assert [poll["id"] for poll in api.get(api.url("/polls"), status="open").json()["items"]] == [older.id]


def test_results_name_voters_of_an_open_poll(api, cast):
    poll = PollFactory(guild=cast.guild, labels=("Yes", "No"))
    yes = poll.options.get(position=1)
    services.vote(poll.id, yes.id, cast.member.member_id, now=NOW)
    services.vote(poll.id, yes.id, cast.organiser.member_id, now=NOW)
    body = api.get(api.url(f"/polls/{poll.id}")).json()
    assert body["votes"] == 2
    assert [(o["label"], o["votes"], o["voters"]) for o in body["options"]] == [
        ("Yes", 2, [str(cast.member.member_id), str(cast.organiser.member_id)]),
        ("No", 0, []),
    ]


def test_results_of_an_anonymous_poll_name_nobody(api, cast):
    poll = PollFactory(guild=cast.guild, anonymous=True, labels=("Yes", "No"))
    yes = poll.options.get(position=1)
    services.vote(poll.id, yes.id, cast.member.member_id, now=NOW)
    body = api.get(api.url(f"/polls/{poll.id}")).json()
    assert [(o["votes"], o["voters"]) for o in body["options"]] == [(1, None), (0, None)]
    assert str(cast.member.member_id) not in str(body)


def test_another_guilds_poll_is_404(api, cast):
    theirs = PollFactory(guild=cast.outsider.guild)
    response = api.get(api.url(f"/polls/{theirs.id}"))
    assert response.status_code == 404
    assert error(response) == {"detail": "There is no such poll in this guild.", "errors": []}


def test_a_bad_status_filter_is_422(api):
    response = api.get(api.url("/polls"), status="finished")
    assert response.status_code == 422
    assert error(response)["errors"][0]["loc"] == ["query", "status"]
