"""The polls admin: counts per option, never voters; created polls are posted once."""

import re

import pytest
from django.urls import reverse

from core.models import OutboundMessage
from polls.models import Poll
from polls.services import vote
from tests.events.factories import NOW
from tests.factories import GuildFactory, MemberFactory, SuperuserFactory
from tests.polls.factories import PollFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser_client(client):
    client.force_login(SuperuserFactory())
    return client


def test_an_anonymous_poll_shows_counts_and_no_voter(organiser_client):
    poll = PollFactory(anonymous=True, labels=["Tea", "Coffee"])
    voter = MemberFactory(username="secretvoter", display_name="Secret Voter")
    vote(poll.id, poll.options.get(position=2).id, voter.id, now=NOW)
    page = organiser_client.get(reverse("admin:polls_poll_change", args=[poll.pk])).content.decode()
    assert re.findall(r'class="field-votes">\s*<p>(\d+)</p>', page)[:2] == ["0", "1"]
    assert "secretvoter" not in page and "Secret Voter" not in page and str(voter.id) not in page


def test_the_poll_list_counts_votes_without_a_query_per_row(organiser_client, django_assert_max_num_queries):
    for _ in range(60):
        PollFactory()
    with django_assert_max_num_queries(10):
        response = organiser_client.get(reverse("admin:polls_poll_changelist"))
    assert response.content.decode().count('class="field-vote_count"') == 60


def test_a_poll_created_in_the_admin_is_posted_once_with_its_options(organiser_client):
    guild = GuildFactory()
    response = organiser_client.post(
        reverse("admin:polls_poll_add"),
        {
            "guild": guild.pk,
            "question": "Where?",
            "channel_id": "123",
            "created_by": "",
            "closes_at_0": "",
            "closes_at_1": "",
            "options-TOTAL_FORMS": "2",
            "options-INITIAL_FORMS": "0",
            "options-MIN_NUM_FORMS": "2",
            "options-MAX_NUM_FORMS": "10",
            "options-0-position": "1",
            "options-0-label": "Park",
            "options-1-position": "2",
            "options-1-label": "Beach",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    poll = Poll.objects.get(question="Where?")
    message = OutboundMessage.objects.get(idempotency_key=f"poll-post:{poll.id}")
    assert message.channel_id == 123
    assert [b["label"] for b in message.payload["components"][0]["components"]] == ["1. Park", "2. Beach"]
