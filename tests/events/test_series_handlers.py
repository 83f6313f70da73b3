"""The series in Discord: /event create with repeat, the series buttons, the scope of
/event edit and /event cancel, /event series leave."""

from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from core.errors import RuleError
from core.recurrence import RULE_HELP
from events.discord.messages import SERIES_JOIN, SERIES_LEAVE
from events.models import Event, Registration, Series
from tests.cast import handle

pytestmark = pytest.mark.django_db


def series_form(cast, repeat="weekly", *, capacity=0, **fields):
    start = (timezone.now() + timedelta(days=2)).astimezone(ZoneInfo(cast.guild.timezone))
    fields.setdefault("title", "Choir")
    fields.setdefault("start", f"{start:%Y-%m-%d} 18:00")
    custom_id = f"event:series:{capacity}:0:0:-:{repeat}:"
    return cast.interaction(cast.organiser, kind="modal", custom_id=custom_id, fields=fields)


def click(cast, who, custom_id, snowflake=1):
    interaction = cast.interaction(who, kind="component", custom_id=custom_id)
    return handle(replace(interaction, id=snowflake))


def test_the_create_form_with_repeat_makes_a_series_of_occurrences(cast):
    reply = handle(series_form(cast, "every 2 weeks on tue,thu"))

    series = Series.objects.get()
    assert series.rule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH"
    count = series.occurrences.count()
    assert 7 <= count <= 9  # 8 weeks of every other Tuesday and Thursday, however today falls
    assert reply.content.startswith(
        f"Created the series **Choir**, every 2 weeks on tue, thu: {count} occurrences posted now, each later one "
        "56 days ahead. The first is **Choir** for <t:"
    )
    local = {
        e.starts_at.astimezone(ZoneInfo(cast.guild.timezone)).strftime("%a %H:%M") for e in series.occurrences.all()
    }
    assert local <= {"Tue 18:00", "Thu 18:00"}


def test_a_repetition_it_cannot_read_is_refused_with_what_was_not_understood(cast):
    with pytest.raises(RuleError) as refused:
        handle(series_form(cast, "every blue moon"))
    assert str(refused.value) == f"I did not understand 'every blue' in 'every blue moon'. {RULE_HELP}"
    assert Series.objects.count() == 0


def test_the_series_buttons_register_and_unregister_for_every_occurrence(cast):
    handle(series_form(cast, capacity=1))
    series = Series.objects.get()

    joined = click(cast, cast.member, SERIES_JOIN.build(series_id=series.id))
    again = click(cast, cast.member, SERIES_JOIN.build(series_id=series.id))
    organiser = click(cast, cast.organiser, SERIES_JOIN.build(series_id=series.id), snowflake=2)

    assert joined.content == (
        "You are registered for the whole series **Choir**: going to 8 occurrences, and to each new one while "
        "there is a place. Leave the series with its button or /event series leave."
    )
    assert again.content == "You are already registered for the whole series **Choir**."
    assert "(on the waitlist of 8: you get a DM if a place opens up)" in organiser.content

    left = click(cast, cast.member, SERIES_LEAVE.build(series_id=series.id))

    assert left.content == (
        "You left the series **Choir**. Your registration for 8 future occurrences was taken back. "
        "Registrations you made yourself stay."
    )
    going = Registration.objects.filter(status=Registration.Status.GOING)
    assert set(going.values_list("member_id", flat=True)) == {cast.organiser.member_id}
    assert going.count() == 8


def test_a_series_of_another_guild_is_not_found(cast):
    handle(series_form(cast))
    series = Series.objects.get()
    with pytest.raises(RuleError, match=r"^There is no such series in this server\.$"):
        click(cast, cast.outsider, SERIES_JOIN.build(series_id=series.id))
    assert Registration.objects.count() == 0


def test_edit_and_cancel_take_a_scope(cast):
    handle(series_form(cast))
    first, second, third = Event.objects.order_by("starts_at")[:3]

    def command(name, **options):
        return handle(cast.interaction(cast.organiser, command=name, options=options))

    this = command("event edit", event=second.id, title="Choir in the crypt")
    every = command("event edit", event=first.id, title="Choir and cake", scope="all")
    cancelled = command("event cancel", event=third.id, scope="following")

    assert this.content.startswith("Updated **Choir in the crypt**")
    assert every.content.startswith("Updated **Choir and cake** and 6 other occurrences")
    assert cancelled.content == (
        "Cancelled **Choir and cake** and 5 other occurrences; registrants will be told by DM. "
        "The series has no more occurrences."
    )
    assert list(Event.objects.order_by("starts_at").values_list("title", "status")[:3]) == [
        ("Choir and cake", Event.Status.SCHEDULED),
        ("Choir in the crypt", Event.Status.SCHEDULED),
        ("Choir and cake", Event.Status.CANCELLED),
    ]
    assert Event.objects.filter(status=Event.Status.CANCELLED).count() == 6


def test_leaving_a_series_by_command(cast):
    handle(series_form(cast))
    series = Series.objects.get()
    click(cast, cast.member, SERIES_JOIN.build(series_id=series.id))
    occurrence = series.occurrences.first()

    reply = handle(cast.interaction(cast.member, command="event series leave", options={"event": occurrence.id}))

    assert reply.content.startswith("You left the series **Choir**.")
    assert Registration.objects.count() == 0
    with pytest.raises(RuleError, match=r"^You are not registered for the whole series\.$"):
        handle(cast.interaction(cast.member, command="event series leave", options={"event": occurrence.id}))
