"""A date poll on the dashboard: its dates with their votes, and Pick this date, which does
what /poll decide does (the event made, its voters registered in vote order, the others told)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from core.models import OrganiserAction, OutboundMessage
from events.models import Event, Registration
from polls import date_polls, services
from polls.date_polls import DatePollDraft
from polls.models import Poll
from tests.factories import GuildMemberFactory

from .conftest import csrf_post, log_in
from .test_guild_pages import CHANNEL, hq, olivia  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db
Status = Registration.Status


def dates_poll(guild, *, capacity=None):
    now = timezone.now()
    starts = [(now + timedelta(days=days)).replace(microsecond=0) for days in (4, 5)]
    draft = DatePollDraft(title="Board games", starts=starts, capacity=capacity, duration=timedelta(hours=2))
    return date_polls.create_date_poll(guild, draft, ZoneInfo("Europe/Paris"), now=now, channel_id=CHANNEL)


def vote_in_order(poll, *pairs):
    options = {o.position: o.id for o in poll.options.all()}
    start = timezone.now()
    for minute, (member_id, position) in enumerate(pairs, 1):
        services.vote(poll.id, options[position], member_id, now=start + timedelta(seconds=minute))


def test_pick_this_date_creates_the_event_with_its_voters_in_vote_order(world, hq, olivia):  # noqa: F811
    poll = dates_poll(hq, capacity=1)
    alice = world.cast.member.member_id
    bob, carol = (GuildMemberFactory(guild=hq).member_id for _ in range(2))
    vote_in_order(poll, (alice, 1), (bob, 1), (carol, 2))
    page = olivia.get(f"/dashboard/g/{hq.id}/polls/{poll.id}/")
    assert page.content.decode().count("Pick this date") == 3  # the sentence, and one button per date
    first = poll.options.get(position=1)

    done = csrf_post(olivia, f"/dashboard/g/{hq.id}/polls/{poll.id}/decide/", {"option": str(first.id)})

    event = Event.objects.get(guild=hq)
    assert (done.status_code, done["Location"]) == (302, f"/dashboard/g/{hq.id}/events/{event.id}/")
    assert (event.title, event.starts_at, event.capacity) == ("Board games", first.starts_at, 1)
    assert event.ends_at == first.starts_at + timedelta(hours=2)
    registrations = dict(event.registrations.values_list("member_id", "status"))
    assert registrations == {alice: Status.GOING, bob: Status.WAITLISTED}
    assert OutboundMessage.objects.filter(member_id=carol).exists()  # told of the chosen date
    poll.refresh_from_db()
    assert (poll.decided_option_id, poll.event_id, poll.status) == (first.id, event.id, Poll.Status.CLOSED)
    shown = olivia.get(done["Location"]).content.decode()
    assert "2 voters registered as going in vote order; 1 who voted only for other dates are told" in shown
    assert OrganiserAction.objects.filter(guild=hq, action="picked date").count() == 1

    again = csrf_post(olivia, f"/dashboard/g/{hq.id}/polls/{poll.id}/decide/", {"option": str(first.id)})
    assert "This poll&#x27;s date is already chosen." in olivia.get(again["Location"]).content.decode()
    assert Event.objects.filter(guild=hq).count() == 1
    after = olivia.get(f"/dashboard/g/{hq.id}/polls/{poll.id}/").content.decode()
    assert "Date chosen:" in after and "Pick this date" not in after


def test_a_question_poll_has_no_pick_and_refuses_one(world, hq, olivia):  # noqa: F811
    from tests.polls.factories import PollFactory

    poll = PollFactory(guild=hq, labels=["Park", "Beach"])
    assert "Pick this date" not in olivia.get(f"/dashboard/g/{hq.id}/polls/{poll.id}/").content.decode()

    done = csrf_post(olivia, f"/dashboard/g/{hq.id}/polls/{poll.id}/decide/", {"option": str(poll.options.first().id)})

    assert "That poll is not a date poll." in olivia.get(done["Location"]).content.decode()
    assert not Event.objects.exists()


def test_an_organiser_of_another_guild_cannot_pick_its_date(world, hq):  # noqa: F811
    poll = dates_poll(hq)
    vote_in_order(poll, (world.cast.member.member_id, 1))
    otto = log_in(world, "otto")
    elsewhere = world.cast.outsider.guild
    option = str(poll.options.get(position=1).id)

    assert otto.get(f"/dashboard/g/{hq.id}/polls/{poll.id}/").status_code == 404
    for guild_id in (hq.id, elsewhere.id):
        refused = csrf_post(
            otto, f"/dashboard/g/{guild_id}/polls/{poll.id}/decide/", {"option": option}, page="/dashboard/"
        )
        assert refused.status_code == 404
    poll.refresh_from_db()
    assert (poll.decided_option_id, Event.objects.count()) == (None, 0)
