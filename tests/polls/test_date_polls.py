"""Date polls: candidate times, votes for every time one can make, and the event the decision creates."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.errors import RuleError
from core.models import OutboundMessage
from events.models import Event, Registration
from polls import date_polls, services
from polls.date_polls import DatePollDraft
from polls.models import Poll
from tests.factories import GuildFactory, MemberFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 6, 7, 16, 0, tzinfo=UTC)
TUE = datetime(2026, 6, 9, 17, 0, tzinfo=UTC)  # 19:00 in Paris
WED = datetime(2026, 6, 10, 17, 0, tzinfo=UTC)
THU = datetime(2026, 6, 11, 17, 0, tzinfo=UTC)
Status = Registration.Status


def a_poll(guild=None, *, starts=(WED, TUE, THU), **fields):
    guild = guild or GuildFactory(announcement_channel_id=700_000_000_000_000_031)
    draft = DatePollDraft(title="Board games", starts=list(starts), **fields)
    return date_polls.create_date_poll(guild, draft, PARIS, now=NOW, created_by_id=None)


def votes(poll, *pairs):
    """Cast each (member, option position) a minute apart, in the given order."""
    options = {o.position: o.id for o in poll.options.all()}
    for minute, (member, position) in enumerate(pairs, 1):
        services.vote(poll.id, options[position], member.id, now=NOW + timedelta(minutes=minute))


def option(poll, position):
    return poll.options.get(position=position)


def dms(member):
    return list(OutboundMessage.objects.filter(member_id=member.id).values_list("payload__content", flat=True))


def test_it_makes_a_multiple_choice_poll_of_the_times_earliest_first():
    poll = a_poll()

    assert (poll.kind, poll.multiple_choice, poll.question) == (Poll.Kind.DATES, True, "Board games")
    labels = list(poll.options.order_by("position").values_list("label", "starts_at"))
    assert labels == [("Tue 9 Jun 19:00 CEST", TUE), ("Wed 10 Jun 19:00 CEST", WED), ("Thu 11 Jun 19:00 CEST", THU)]
    post = OutboundMessage.objects.get(idempotency_key=f"poll-post:{poll.id}")
    assert post.channel_id == 700_000_000_000_000_031
    assert post.payload["components"][-1]["components"][-1]["custom_id"] == f"poll:pick:{poll.id}"


@pytest.mark.parametrize(
    ("starts", "fields", "refusal"),
    [
        ((TUE,), {}, r"^A date poll needs 2 to 10 dates, one per line; I read 1\.$"),
        ((TUE, WED, TUE), {}, r"^Two of the dates are the same time \(2026-06-09 17:00 UTC\); give each once\.$"),
        ((TUE, WED), {"closes_at": WED}, r"^The poll must close before the earliest date"),
        ((TUE, WED), {"closes_at": NOW}, r"^The closing time is in the past\.$"),
        ((TUE, WED), {"capacity": 0}, r"^The capacity must be 1 to 100000"),
    ],
)
def test_it_refuses_what_cannot_make_a_date_poll(starts, fields, refusal):
    with pytest.raises(RuleError, match=refusal):
        a_poll(starts=starts, **fields)
    assert Poll.objects.count() == 0


def test_deciding_creates_the_event_and_registers_its_voters_in_vote_order_under_capacity():
    poll = a_poll(capacity=2, duration=timedelta(hours=3), location="Café")
    ann, bob, cat, dan = (MemberFactory() for _ in range(4))
    votes(poll, (cat, 2), (ann, 2), (ann, 3), (dan, 3), (bob, 2))

    decided = date_polls.decide(poll.id, option(poll, 2).id, now=NOW + timedelta(hours=1))

    event = Event.objects.get()
    assert (event.title, event.starts_at, event.ends_at) == ("Board games", WED, WED + timedelta(hours=3))
    assert (event.location, event.capacity, event.guild_id) == ("Café", 2, poll.guild_id)
    assert (decided.event_id, decided.going, decided.others) == (event.id, 3, 1)
    statuses = list(event.registrations.order_by("sequence").values_list("member_id", "status"))
    assert statuses == [(cat.id, Status.GOING), (ann.id, Status.GOING), (bob.id, Status.WAITLISTED)]
    poll.refresh_from_db()
    assert (poll.status, poll.event_id, poll.decided_option.position) == (Poll.Status.CLOSED, event.id, 2)
    assert "you are **going**" in dms(cat)[0]
    assert "you are on the **waitlist**" in dms(bob)[0]
    assert "a time you did not vote for" in dms(dan)[0]
    result = OutboundMessage.objects.get(idempotency_key=f"poll-result:{poll.id}")
    assert result.payload["content"].startswith(
        f"Date poll closed: **Board games**\nDate chosen: **<t:{int(WED.timestamp())}:F>** (3 votes)."
    )


def test_a_poll_is_decided_once_whatever_the_retries():
    poll = a_poll()
    votes(poll, (MemberFactory(), 1))
    date_polls.decide(poll.id, option(poll, 1).id, now=NOW)

    with pytest.raises(RuleError, match=r"^This poll's date is already chosen\.$"):
        date_polls.decide(poll.id, option(poll, 2).id, now=NOW)
    assert services.close_poll(poll.id, now=NOW) is False
    assert services.close_due_polls(now=NOW + timedelta(days=30)) == []
    assert Event.objects.count() == 1
    assert OutboundMessage.objects.filter(idempotency_key=f"poll-result:{poll.id}").count() == 1


def test_closing_picks_the_most_votes_and_the_earliest_of_a_tie():
    poll = a_poll(closes_at=NOW + timedelta(hours=2))
    ann, bob = MemberFactory(), MemberFactory()
    votes(poll, (ann, 3), (bob, 3), (ann, 2), (bob, 2), (ann, 1))

    assert services.close_due_polls(now=NOW + timedelta(hours=2)) == [poll.id]

    assert Event.objects.get().starts_at == WED  # Wed and Thu tie at 2: the earlier wins
    assert services.close_due_polls(now=NOW + timedelta(hours=3)) == []
    assert Event.objects.count() == 1


def test_closing_skips_times_already_past_and_without_votes_makes_no_event():
    poll = a_poll()
    ann = MemberFactory()
    votes(poll, (ann, 1))

    assert services.close_poll(poll.id, now=TUE + timedelta(minutes=1)) is True

    poll.refresh_from_db()
    assert (poll.status, poll.decided_option_id, poll.event_id) == (Poll.Status.CLOSED, None, None)
    assert Event.objects.count() == 0
    result = OutboundMessage.objects.get(idempotency_key=f"poll-result:{poll.id}")
    assert "No date was chosen: nobody voted for a time still ahead." in result.payload["content"]
    # An organiser may still pick a time ahead.
    date_polls.decide(poll.id, option(poll, 3).id, now=TUE + timedelta(minutes=2))
    assert Event.objects.get().starts_at == THU


def test_a_past_date_another_polls_option_or_a_plain_poll_is_refused():
    poll = a_poll()
    other = a_poll(poll.guild)
    plain = services.create_poll(poll.guild, services.PollDraft("Lunch?", ["Pizza", "Sushi"]), now=NOW)

    with pytest.raises(RuleError, match=r"^That date has passed; choose a later one\.$"):
        date_polls.decide(poll.id, option(poll, 1).id, now=TUE)
    with pytest.raises(RuleError, match=r"^That date is not one of this poll's\.$"):
        date_polls.decide(poll.id, option(other, 1).id, now=NOW)
    with pytest.raises(RuleError, match=r"^That poll is not a date poll\.$"):
        date_polls.decide(plain.id, plain.options.first().id, now=NOW)
    with pytest.raises(RuleError, match=r"^There is no such poll in this server\.$"):
        date_polls.decide(poll.id, option(poll, 2).id, now=NOW, guild_id=GuildFactory().id)
    assert Event.objects.count() == 0
