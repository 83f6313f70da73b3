"""Voting, changing and withdrawing, one vote per member, anonymity."""

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError

from core.errors import RuleError
from polls.models import Vote
from polls.services import PollDraft, choose, create_poll, my_choices, vote, voter_key, withdraw
from tests.events.factories import NOW
from tests.factories import GuildFactory, MemberFactory
from tests.polls.factories import PollFactory

pytestmark = pytest.mark.django_db


def counts(poll):
    return [(t.label, t.votes) for t in poll.tally()]


def option(poll, position):
    return poll.options.get(position=position)


def test_it_creates_a_poll_with_its_options_in_order():
    poll = create_poll(GuildFactory(), PollDraft(question=" Where? ", options=["Park", " Beach ", ""]), now=NOW)
    assert poll.question == "Where?"
    assert list(poll.options.values_list("position", "label")) == [(1, "Park"), (2, "Beach")]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["Only one"], "A poll needs 2 to 10 options; I read 1."),
        ([f"o{n}" for n in range(11)], "A poll needs 2 to 10 options; I read 11."),
        (["Same", "Other", "same"], "Options 1 and 3 are the same: 'Same' and 'same'."),
    ],
)
def test_it_refuses_bad_option_lists(options, message):
    with pytest.raises(RuleError) as error:
        create_poll(GuildFactory(), PollDraft(question="Q", options=options), now=NOW)
    assert str(error.value) == message


def test_it_refuses_a_closing_time_in_the_past():
    with pytest.raises(RuleError, match=r"^The closing time is in the past\.$"):
        create_poll(GuildFactory(), PollDraft(question="Q", options=["a", "b"], closes_at=NOW), now=NOW)


def test_it_moves_a_single_choice_vote_and_withdraws_it_on_a_second_click():
    poll, member = PollFactory(labels=["Yes", "No"]), MemberFactory()
    yes, no = option(poll, 1), option(poll, 2)
    assert vote(poll.id, yes.id, member.id, now=NOW).action == "voted"
    ballot = vote(poll.id, no.id, member.id, now=NOW)
    assert (ballot.action, ballot.chosen) == ("changed", (2,))
    assert counts(poll) == [("Yes", 0), ("No", 1)]
    ballot = vote(poll.id, no.id, member.id, now=NOW)
    assert (ballot.action, ballot.chosen) == ("withdrawn", ())
    assert counts(poll) == [("Yes", 0), ("No", 0)]


def test_it_toggles_each_option_of_a_multiple_choice_poll():
    poll, member = PollFactory(labels=["A", "B", "C"], multiple_choice=True), MemberFactory()
    vote(poll.id, option(poll, 1).id, member.id, now=NOW)
    ballot = vote(poll.id, option(poll, 3).id, member.id, now=NOW)
    assert ballot.chosen == (1, 3)
    assert counts(poll) == [("A", 1), ("B", 0), ("C", 1)]
    assert withdraw(poll.id, member.id, now=NOW) == 2
    assert counts(poll) == [("A", 0), ("B", 0), ("C", 0)]


def test_it_sets_choices_from_a_select_menu():
    poll, member = PollFactory(labels=[f"o{n}" for n in range(7)], multiple_choice=True), MemberFactory()
    choose(poll.id, [option(poll, 1).id, option(poll, 2).id], member.id, now=NOW)
    ballot = choose(poll.id, [option(poll, 2).id, option(poll, 7).id], member.id, now=NOW)
    assert (ballot.action, ballot.chosen) == ("changed", (2, 7))


def test_it_refuses_several_choices_in_a_single_choice_poll():
    poll = PollFactory(labels=["a", "b"])
    with pytest.raises(RuleError, match=r"^This poll takes one choice\.$"):
        choose(poll.id, [option(poll, 1).id, option(poll, 2).id], MemberFactory().id, now=NOW)


def test_it_refuses_an_option_of_another_poll():
    poll, other = PollFactory(), PollFactory()
    with pytest.raises(RuleError, match=r"^That option is not part of this poll\.$"):
        vote(poll.id, option(other, 1).id, MemberFactory().id, now=NOW)


def test_it_refuses_votes_on_a_closed_poll_or_past_its_deadline():
    closed, overdue = PollFactory(status="closed"), PollFactory(closes_at=NOW)
    with pytest.raises(RuleError, match=r"^This poll is closed\.$"):
        vote(closed.id, option(closed, 1).id, MemberFactory().id, now=NOW)
    with pytest.raises(RuleError, match=r"^This poll is closed\.$"):
        vote(overdue.id, option(overdue, 1).id, MemberFactory().id, now=NOW)


def test_the_database_refuses_a_second_vote_in_a_single_choice_poll():
    poll, member = PollFactory(), MemberFactory()
    vote(poll.id, option(poll, 1).id, member.id, now=NOW)
    with pytest.raises(IntegrityError):
        Vote.objects.create(poll=poll, option=option(poll, 2), voter=str(member.id), single_choice=True)


def test_the_database_refuses_the_same_option_twice_in_a_multiple_choice_poll():
    poll, member = PollFactory(multiple_choice=True), MemberFactory()
    vote(poll.id, option(poll, 1).id, member.id, now=NOW)
    with pytest.raises(IntegrityError):
        Vote.objects.create(poll=poll, option=option(poll, 1), voter=str(member.id), single_choice=False)


def test_an_anonymous_vote_stores_no_member_id_and_differs_between_polls():
    first, second, member = PollFactory(anonymous=True), PollFactory(anonymous=True), MemberFactory()
    vote(first.id, option(first, 1).id, member.id, now=NOW)
    stored = Vote.objects.get(poll=first).voter
    assert str(member.id) not in stored
    assert len(stored) == 64
    assert voter_key(second, member.id) != stored
    assert my_choices(first, member.id) == (1,)


def test_voters_are_listed_for_open_polls_and_never_for_anonymous_ones():
    public, anonymous = PollFactory(), PollFactory(anonymous=True)
    alice, bob = MemberFactory(), MemberFactory()
    for poll in (public, anonymous):
        vote(poll.id, option(poll, 1).id, alice.id, now=NOW)
        vote(poll.id, option(poll, 2).id, bob.id, now=NOW)
    assert public.voters() == {1: [alice.id], 2: [bob.id]}
    assert anonymous.voters() == {}


def test_the_voter_key_is_keyed_with_poll_voter_key_and_not_with_secret_key(settings):
    poll, member = PollFactory(anonymous=True), MemberFactory()
    settings.POLL_VOTER_KEY = "first voter key"
    first = voter_key(poll, member.id)
    settings.SECRET_KEY = "another secret key entirely, long enough for django 0123456789"
    assert voter_key(poll, member.id) == first
    settings.POLL_VOTER_KEY = "second voter key"
    assert voter_key(poll, member.id) != first


def test_without_poll_voter_key_an_anonymous_vote_is_refused_outside_debug(settings):
    poll, member = PollFactory(anonymous=True), MemberFactory()
    settings.POLL_VOTER_KEY = None
    with pytest.raises(ImproperlyConfigured, match=r"^POLL_VOTER_KEY is not set: workers need it to record"):
        vote(poll.id, option(poll, 1).id, member.id, now=NOW)
    assert Vote.objects.count() == 0


def test_in_debug_without_poll_voter_key_the_key_is_stable_and_not_secret_key(settings):
    poll, member = PollFactory(anonymous=True), MemberFactory()
    settings.DEBUG, settings.POLL_VOTER_KEY = True, None
    first = voter_key(poll, member.id)
    settings.SECRET_KEY = "a new random per-process key, as DEBUG makes one 0123456789abcdef"
    assert voter_key(poll, member.id) == first


def test_an_anonymous_vote_carries_the_polls_opening_and_an_open_vote_its_moment():
    anonymous, public, member = PollFactory(anonymous=True), PollFactory(), MemberFactory()
    later = NOW + timedelta(minutes=7, seconds=3)
    vote(anonymous.id, option(anonymous, 1).id, member.id, now=later)
    choose(public.id, [option(public, 2).id], member.id, now=later)
    assert Vote.objects.get(poll=anonymous).cast_at == anonymous.created_at
    assert Vote.objects.get(poll=public).cast_at == later


def test_a_vote_scoped_to_another_guild_is_refused_and_counts_nothing():
    poll = PollFactory()
    option = poll.options.first()
    with pytest.raises(RuleError, match=r"^There is no such poll in this server\.$"):
        vote(poll.id, option.id, MemberFactory().id, now=NOW, guild_id=poll.guild_id + 1)
    assert Vote.objects.filter(poll=poll).count() == 0
