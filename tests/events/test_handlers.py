"""The worker-side handlers of /event, called with interactions as the dispatcher builds them."""

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from core.errors import RuleError
from core.models import Member
from core.permissions import MANAGE_EVENTS, organiser
from core.timeparse import describe, member_zone
from events.models import Event
from tests.cast import CHANNEL_ID, handle
from tests.events.factories import EventFactory
from tests.factories import GuildFactory

pytestmark = pytest.mark.django_db


def create_form(cast, custom_id: str, **fields):
    return cast.interaction(cast.organiser, kind="modal", custom_id=custom_id, fields=fields)


def test_times_are_read_in_the_members_zone_else_the_guilds(cast):
    cast.guild.timezone = "Asia/Tokyo"
    cast.guild.save()
    assert member_zone(cast.member.member_id, cast.guild.id).key == "Asia/Tokyo"
    Member.objects.filter(id=cast.member.member_id).update(timezone="America/New_York")
    assert member_zone(cast.member.member_id, cast.guild.id).key == "America/New_York"


def test_only_organisers_pass_the_organiser_check(cast):
    assert organiser(cast.interaction(cast.member)) is False
    assert organiser(cast.interaction(cast.organiser)) is True
    assert organiser(cast.interaction(cast.member, permissions=MANAGE_EVENTS)) is True


def test_the_create_form_reads_the_start_in_the_members_zone_and_keeps_the_options(cast):
    start = (timezone.now() + timedelta(days=30)).astimezone(UTC)
    typed = start.astimezone(ZoneInfo("Europe/Paris")).strftime("%Y-%m-%d %H:%M")
    reply = handle(create_form(cast, "event:create:25:0:0:1d,1h:", title="Hike", start=typed))
    event = Event.objects.get(title="Hike")
    assert (event.capacity, event.channel_id) == (25, CHANNEL_ID)
    assert sorted(event.reminders.values_list("offset", flat=True)) == [timedelta(hours=1), timedelta(days=1)]
    assert event.starts_at == start.replace(second=0, microsecond=0)
    read_as = describe(start, ZoneInfo("Europe/Paris"))
    assert reply.content.endswith(f"(read as {read_as}); it is posted in <#{CHANNEL_ID}>.")


def test_the_create_form_reads_a_signup_deadline_with_colons_from_its_custom_id(cast):
    deadline = (timezone.now() + timedelta(days=20)).astimezone(ZoneInfo("Europe/Paris"))
    typed = deadline.strftime("%Y-%m-%d %H:%M")
    start = (deadline + timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    handle(create_form(cast, f"event:create:0:0:0:-:{typed}", title="Quiz", start=start))
    event = Event.objects.get(title="Quiz")
    assert event.signup_deadline == deadline.replace(second=0, microsecond=0)
    assert list(event.reminders.values_list("offset", flat=True)) == [timedelta(hours=1)]


def test_the_create_form_refuses_a_time_skipped_by_the_clocks(cast):
    with pytest.raises(RuleError) as refusal:
        handle(create_form(cast, "event:create:0:0:0:-:", title="Night walk", start="2099-03-29 02:30"))
    assert refusal.value.message.startswith("The start Sunday 29 March 2099 02:30 (Europe/Paris) does not exist")


def test_the_event_list_pages_through_upcoming_events_ten_at_a_time(cast):
    for n in range(12):
        EventFactory(guild=cast.guild, title=f"E{n:02d}", starts_at=timezone.now() + timedelta(days=n + 1))
    EventFactory(guild=cast.guild, title="Gone", status=Event.Status.CANCELLED)
    EventFactory(guild=GuildFactory(), title="Not here", starts_at=timezone.now() + timedelta(days=1))
    first = handle(cast.interaction(cast.member, command="event list"))
    assert first.embeds[0]["description"].count("\n") == 9
    assert "Not here" not in first.embeds[0]["description"]
    assert [b["custom_id"] for b in first.components[0]["components"]] == ["event:list:2"]
    second = handle(cast.interaction(cast.member, kind="component", custom_id="event:list:2"))
    assert "E10" in second.embeds[0]["description"] and "E11" in second.embeds[0]["description"]
    assert [b["custom_id"] for b in second.components[0]["components"]] == ["event:list:1"]


def test_an_outsider_cannot_see_or_answer_another_guilds_event(cast):
    event = EventFactory(guild=cast.guild, starts_at=timezone.now() + timedelta(days=3))
    outsider = cast.interaction(cast.outsider, command="event show", options={"event": event.id})
    with pytest.raises(RuleError, match=r"^There is no such event in this server\.$"):
        handle(outsider)
    with pytest.raises(RuleError, match=r"^There is no such event in this server\.$"):
        handle(cast.interaction(cast.outsider, kind="component", custom_id=f"event:going:{event.id}"))
    assert event.registrations.count() == 0


def edit_command(cast, **options):
    return cast.interaction(cast.organiser, command="event edit", options=options)


def test_a_negative_capacity_on_edit_says_that_0_removes_the_limit(cast):
    event = EventFactory(guild=cast.guild)
    with pytest.raises(RuleError, match=r"^The capacity must be at least 1, or 0 for no limit\.$"):
        handle(edit_command(cast, event=event.id, capacity=-5))


def test_an_edit_echoes_how_a_new_time_was_read(cast):
    event = EventFactory(guild=cast.guild, starts_at=timezone.now() + timedelta(days=3))
    reply = handle(edit_command(cast, event=event.id, start="in 2 days"))
    moved = Event.objects.get(id=event.id).starts_at
    assert reply.content.endswith(f" The start reads as {describe(moved, ZoneInfo('Europe/Paris'))}.")


def test_the_create_form_reads_day_and_month_in_the_guilds_date_order(cast):
    cast.guild.date_order = "mdy"
    cast.guild.save()
    year = timezone.now().year + 1
    handle(create_form(cast, "event:create:0:0:0:-:", title="Fair", start=f"5/12/{year} 18:00"))
    local = Event.objects.get(title="Fair").starts_at.astimezone(ZoneInfo("Europe/Paris"))
    assert (local.month, local.day, local.hour) == (5, 12, 18)


def test_the_create_form_echoes_how_the_end_and_the_deadline_were_read(cast):
    handle_form = create_form(cast, "event:create:0:0:0:-:in 2 days", title="Gig", start="in 3 days", end="in 4 days")
    reply = handle(handle_form)
    event, paris = Event.objects.get(title="Gig"), ZoneInfo("Europe/Paris")
    assert reply.content.endswith(
        f"it is posted in <#{CHANNEL_ID}>. The end reads as {describe(event.ends_at, paris)}. "
        f"The signup deadline reads as {describe(event.signup_deadline, paris)}."
    )
