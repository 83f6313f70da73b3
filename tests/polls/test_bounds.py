"""A poll's texts have the bounds its form declares; what is longer is refused, not cut."""

import pytest

from core.errors import RuleError
from polls.models import Poll
from polls.services import PollDraft, create_poll
from tests.events.factories import NOW
from tests.factories import GuildFactory

pytestmark = pytest.mark.django_db


def test_a_question_longer_than_200_characters_is_refused_whole():
    draft = PollDraft(question="Q" * 201, options=["Yes", "No"])

    with pytest.raises(RuleError, match=r"^The question can be at most 200 characters; this one has 201\.$"):
        create_poll(GuildFactory(), draft, now=NOW)

    assert Poll.objects.count() == 0


def test_a_question_of_200_characters_is_kept_whole():
    poll = create_poll(GuildFactory(), PollDraft(question="Q" * 200, options=["Yes", "No"]), now=NOW)
    assert len(poll.question) == 200
