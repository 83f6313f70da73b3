"""The worker-side handlers, called with plain interactions as the dispatcher builds them."""

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from core.models import Member
from discord_gateway.interaction import Actor, Interaction, Refusal
from events.interactions import create, list_events, list_page, member_zone, organiser, set_timezone
from events.models import Event
from events.organisers import MANAGE_EVENTS
from tests.events.factories import EventFactory
from tests.factories import GuildFactory, GuildMemberFactory

pytestmark = pytest.mark.django_db


def interaction(membership, *, kind="command", command="", options=None, custom_id="", fields=None,
                permissions=0, role_ids=()):  # fmt: skip
    actor = Actor(id=membership.member_id, username=membership.member.username, permissions=permissions,
                  role_ids=tuple(role_ids))  # fmt: skip
    return Interaction(id=1, token="t", application_id=1, kind=kind, actor=actor, guild_id=membership.guild_id,
                       channel_id=55, command=command, options=options or {}, custom_id=custom_id,
                       fields=fields or {})  # fmt: skip


def test_times_are_read_in_the_members_zone_else_the_guilds():
    membership = GuildMemberFactory(guild=GuildFactory(timezone="Asia/Tokyo"))
    assert member_zone(interaction(membership)).key == "Asia/Tokyo"
    Member.objects.filter(id=membership.member_id).update(timezone="America/New_York")
    assert member_zone(interaction(membership)).key == "America/New_York"


def test_only_organisers_pass_the_organiser_check():
    guild = GuildFactory(organiser_role_id=77)
    member = GuildMemberFactory(guild=guild)
    assert organiser(interaction(member)) is False
    assert organiser(interaction(member, role_ids=[77])) is True
    assert organiser(interaction(member, permissions=MANAGE_EVENTS)) is True


def test_the_create_form_reads_the_start_in_the_members_zone_and_keeps_the_options():
    membership = GuildMemberFactory(guild=GuildFactory(timezone="Europe/Paris"))
    start = (timezone.now() + timedelta(days=30)).astimezone(UTC)
    typed = start.astimezone(ZoneInfo("Europe/Paris")).strftime("%Y-%m-%d %H:%M")
    reply = create(interaction(membership, kind="modal", custom_id="event:create:25:0:1d,1h:",
                               fields={"title": "Hike", "start": typed}))  # fmt: skip
    event = Event.objects.get(title="Hike")
    assert (event.capacity, event.channel_id) == (25, 55)
    assert sorted(event.reminders.values_list("offset", flat=True)) == [timedelta(hours=1), timedelta(days=1)]
    assert event.starts_at == start.replace(second=0, microsecond=0)
    assert reply.content.endswith(f"(read as {typed} Europe/Paris); it is posted in <#55>.")


def test_the_create_form_refuses_a_time_skipped_by_the_clocks():
    membership = GuildMemberFactory(guild=GuildFactory(timezone="Europe/Paris"))
    with pytest.raises(Refusal) as refusal:
        create(interaction(membership, kind="modal", custom_id="event:create:0:0:-:",
                           fields={"title": "Night walk", "start": "2099-03-29 02:30"}))  # fmt: skip
    assert refusal.value.message.startswith("The start Sunday 29 March 2099 02:30 (Europe/Paris) does not exist")


def test_a_member_sets_shows_and_resets_their_time_zone():
    membership = GuildMemberFactory(guild=GuildFactory(timezone="Europe/Paris"))
    reply = set_timezone(interaction(membership, command="muster timezone", options={"zone": "Asia/Tokyo"}))
    assert reply.content.startswith("Your time zone is now Asia/Tokyo; it is ")
    shown = set_timezone(interaction(membership, command="muster timezone"))
    assert shown.content == "Your time zone is Asia/Tokyo. Times you type are read in it."
    set_timezone(interaction(membership, command="muster timezone", options={"zone": "guild"}))
    assert Member.objects.get(id=membership.member_id).timezone == ""
    with pytest.raises(Refusal, match=r"^Mars/Olympus is not a time zone name"):
        set_timezone(interaction(membership, command="muster timezone", options={"zone": "Mars/Olympus"}))


def test_the_event_list_pages_through_upcoming_events_ten_at_a_time():
    membership = GuildMemberFactory()
    for n in range(12):
        EventFactory(guild=membership.guild, title=f"E{n:02d}", starts_at=timezone.now() + timedelta(days=n + 1))
    EventFactory(guild=membership.guild, title="Gone", status=Event.Status.CANCELLED)
    first = list_events(interaction(membership, command="event list"))
    assert first.embeds[0]["description"].count("\n") == 9
    assert [b["custom_id"] for b in first.components[0]["components"]] == ["event:list:2"]
    second = list_page(interaction(membership, kind="component", custom_id="event:list:2"))
    assert "E10" in second.embeds[0]["description"] and "E11" in second.embeds[0]["description"]
    assert [b["custom_id"] for b in second.components[0]["components"]] == ["event:list:1"]
