"""/poll dates, /poll decide and a date poll's Pick the date button, as a worker runs them."""

from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from core.errors import RuleError
from core.interactions import dispatcher, routing
from core.permissions import REFUSAL
from events.models import Event, Registration
from polls import services
from polls.discord.commands import length_minutes
from polls.models import Poll
from tests.cast import handle

pytestmark = pytest.mark.django_db


def days_ahead(cast, *days):
    zone = ZoneInfo(cast.guild.timezone)
    return [f"{(timezone.now() + timedelta(days=d)).astimezone(zone):%Y-%m-%d} 19:00" for d in days]


def dates_form(cast, who, dates, *, capacity=0, minutes=0, **fields):
    fields = {"title": "Board games", "dates": "\n".join(dates), **fields}
    return cast.interaction(who, kind="modal", custom_id=f"poll:dates:{capacity}:{minutes}", fields=fields)


def test_the_form_makes_a_date_poll_read_in_the_authors_zone(cast):
    reply = handle(dates_form(cast, cast.organiser, days_ahead(cast, 3, 2), capacity=6, minutes=120))

    poll = Poll.objects.get()
    zone = ZoneInfo(cast.guild.timezone)
    starts = [o.starts_at.astimezone(zone) for o in poll.options.order_by("position")]
    assert [f"{s:%Y-%m-%d %H:%M}" for s in starts] == sorted(f"{d}" for d in days_ahead(cast, 2, 3))
    assert (poll.kind, poll.event_capacity, poll.event_duration) == (Poll.Kind.DATES, 6, timedelta(hours=2))
    assert reply.content.startswith(f"Date poll {poll.id} is posted in <#{poll.channel_id}>. The dates, earliest")
    assert reply.content.endswith(
        f"/poll decide poll:{poll.id} option:<number> chooses the date; the event is then created and its voters "
        "registered."
    )


def test_a_line_it_cannot_read_is_refused_naming_the_line(cast):
    with pytest.raises(RuleError, match=r"^I could not read the date 2 'someday'"):
        handle(dates_form(cast, cast.organiser, [*days_ahead(cast, 2), "someday"]))
    assert Poll.objects.count() == 0


def test_pick_the_date_then_the_menu_creates_the_event_with_its_voters(cast):
    handle(dates_form(cast, cast.organiser, days_ahead(cast, 2, 3)))
    poll = Poll.objects.get()
    first, second = poll.options.order_by("position")
    services.vote(poll.id, second.id, cast.member.member_id, now=timezone.now())

    menu = handle(cast.interaction(cast.organiser, kind="component", custom_id=f"poll:pick:{poll.id}"))
    select = menu.components[0]["components"][0]
    assert select["custom_id"] == f"poll:decide:{poll.id}"
    assert [o["value"] for o in select["options"]] == [str(first.id), str(second.id)]
    assert select["options"][1]["label"].endswith(" · 1 vote")

    chosen = cast.interaction(cast.organiser, kind="component", custom_id=f"poll:decide:{poll.id}")
    update = handle(replace(chosen, values=(str(second.id),)))

    event = Event.objects.get()
    assert event.starts_at == second.starts_at
    assert list(event.registrations.values_list("member_id", "status")) == [
        (cast.member.member_id, Registration.Status.GOING)
    ]
    assert update.content == (
        f"Chose <t:{int(second.starts_at.timestamp())}:F> for **Board games**: the event is posted in "
        f"<#{poll.channel_id}>, 1 voter registered in vote order."
    )
    assert update.components == []


def test_decide_by_number_and_members_may_not(cast):
    handle(dates_form(cast, cast.organiser, days_ahead(cast, 2, 3)))
    poll = Poll.objects.get()
    theirs = cast.interaction(cast.member, command="poll decide", options={"poll": poll.id, "option": 1})
    _, stored, _, _ = dispatcher.run(theirs)
    assert stored["message"]["content"] == REFUSAL
    pick = cast.interaction(cast.member, kind="component", custom_id=f"poll:pick:{poll.id}")
    assert not routing.find(pick).permits(pick)

    with pytest.raises(RuleError, match=rf"^Poll {poll.id} has no date number 7\.$"):
        handle(cast.interaction(cast.organiser, command="poll decide", options={"poll": poll.id, "option": 7}))
    reply = handle(cast.interaction(cast.organiser, command="poll decide", options={"poll": poll.id, "option": 1}))

    assert reply.content.endswith("0 voters registered in vote order.")
    assert Event.objects.get().starts_at == poll.options.get(position=1).starts_at
    with pytest.raises(RuleError, match=r"^This poll's date is already chosen\.$"):
        handle(cast.interaction(cast.organiser, command="poll decide", options={"poll": poll.id, "option": 2}))


def test_members_cannot_submit_the_form_and_lengths_read_as_minutes(cast):
    form = dates_form(cast, cast.member, days_ahead(cast, 2, 3))
    assert not routing.find(form).permits(form)
    assert [length_minutes(t) for t in (None, "2h", "90m", "1h30m", "1 h 15 min", "soon", "0m")] == [
        0,
        120,
        90,
        90,
        75,
        None,
        None,
    ]
