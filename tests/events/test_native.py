"""Discord's native scheduled events: upcoming events mirrored one way, within Discord's 100,
never twice, and nothing done without the permission (events.native, against the sandbox)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from core.errors import RuleError
from core.models import Guild, GuildMember, Member, OutboundMessage
from events import native, services
from events.discord.handlers import NATIVE_OFF
from events.models import Event, NativeEvent, NativeMirroring
from events.services import EventDraft
from sandbox.discord import permissions as P
from tests.core.conftest import application_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(db):
    return Member.objects.create(id=810_000_000_000_000_001, username="olivia")


def make(guild, title: str, hours: float, **fields) -> Event:
    draft = EventDraft(title=title, starts_at=timezone.now() + timedelta(hours=hours), **fields)
    return services.create_event(guild, draft, now=timezone.now(), reminder_offsets=())


def turn_on(guild, organiser) -> NativeMirroring:
    return native.set_enabled(guild, True, member_id=organiser.id, now=timezone.now())


def discord_events(live_discord, **where) -> list[dict]:
    found = live_discord.control.scheduled_events(live_discord.guild_id)
    return [e for e in found if all(e[k] == v for k, v in where.items())]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_each_upcoming_event_is_mirrored_as_an_external_event_with_its_end_place_and_post(
    live_discord, guild, organiser
):
    picnic = make(guild, "Picnic", 24, location="Parc", description="Bring food", ends_at=None)
    Event.objects.filter(id=picnic.id).update(message_id=123456789)
    training = make(guild, "Training", 48)
    services.cancel_event(make(guild, "Called off", 30).id, now=timezone.now())
    turn_on(guild, organiser)

    done = native.sync(guild.id, now=timezone.now())

    assert (done.created, done.updated, done.removed, done.more) == (2, 0, 0, False)
    first, second = discord_events(live_discord)
    assert (first["name"], second["name"]) == ("Picnic", "Training")
    assert (first["entity_type"], first["privacy_level"], first["status"], first["channel_id"]) == (3, 2, 1, None)
    assert first["creator_id"] == str(application_id())
    assert at(first["scheduled_start_time"]) == picnic.starts_at
    assert at(first["scheduled_end_time"]) - at(first["scheduled_start_time"]) == timedelta(hours=2)
    assert first["entity_metadata"] == {"location": "Parc"}
    post = f"https://discord.com/channels/{guild.id}/{live_discord.channel_id}/123456789"
    assert first["description"] == (
        f"Bring food\n\nRegister on Muster's post: {post}\n"
        '"Interested" here is not a registration: use the buttons on the post.'
    )
    assert second["entity_metadata"] == {"location": "See the event's post"}
    rows = NativeEvent.objects.order_by("event__starts_at")
    assert [(r.event_id, r.scheduled_event_id) for r in rows] == [
        (picnic.id, int(first["id"])),
        (training.id, int(second["id"])),
    ]


def test_a_second_sync_writes_nothing_and_a_lost_answer_is_adopted_not_made_twice(live_discord, guild, organiser):
    picnic = make(guild, "Picnic", 24)
    turn_on(guild, organiser)
    native.sync(guild.id, now=timezone.now())
    assert native.sync(guild.id, now=timezone.now()).writes == 0

    # A create reached Discord but its answer was lost: the row only knows it was sent.
    NativeEvent.objects.filter(event=picnic).update(scheduled_event_id=None, creating_since=timezone.now())
    again = native.sync(guild.id, now=timezone.now())

    assert (again.created, again.removed) == (0, 0)
    [made] = discord_events(live_discord)
    assert NativeEvent.objects.get(event=picnic).scheduled_event_id == int(made["id"])


def test_a_leftover_the_bot_made_is_removed_and_the_event_made_once(live_discord, guild, organiser):
    picnic = make(guild, "Picnic", 24)
    turn_on(guild, organiser)
    native.sync(guild.id, now=timezone.now())
    # The event was renamed after a create whose answer was lost: the leftover has the old name.
    NativeEvent.objects.filter(event=picnic).update(scheduled_event_id=None, creating_since=timezone.now())
    Event.objects.filter(id=picnic.id).update(title="Big picnic")

    native.sync(guild.id, now=timezone.now())

    assert [e["name"] for e in discord_events(live_discord)] == ["Big picnic"]
    assert NativeEvent.objects.count() == 1


def test_edits_and_cancellations_follow_and_changes_made_in_discord_are_overwritten(live_discord, guild, organiser):
    picnic = make(guild, "Picnic", 24, location="Parc")
    turn_on(guild, organiser)
    native.sync(guild.id, now=timezone.now())
    [made] = discord_events(live_discord)

    later = picnic.starts_at + timedelta(hours=3)
    services.edit_event(picnic.id, now=timezone.now(), title="Big picnic", starts_at=later, location="Beach")
    done = native.sync(guild.id, now=timezone.now())

    [edited] = discord_events(live_discord)
    assert (done.updated, edited["id"], edited["name"], edited["entity_metadata"]) == (
        1,
        made["id"],
        "Big picnic",
        {"location": "Beach"},
    )
    assert at(edited["scheduled_start_time"]) == later

    services.cancel_event(picnic.id, now=timezone.now())
    native.sync(guild.id, now=timezone.now())

    [cancelled] = discord_events(live_discord)
    assert (cancelled["id"], cancelled["status"]) == (made["id"], 4)
    assert NativeEvent.objects.count() == 0


def test_within_discords_100_the_nearest_are_mirrored_and_the_next_comes_in_when_one_ends(
    live_discord, guild, organiser
):
    start, end = (timezone.now() + timedelta(days=30)).isoformat(), (timezone.now() + timedelta(days=31)).isoformat()
    for n in range(98):  # the server's own events, not Muster's
        live_discord.control.create_scheduled_event(guild.id, live_discord.member_id, f"Own {n}", start=start, end=end)
    soon, next_, last = make(guild, "Soon", 2), make(guild, "Next", 5), make(guild, "Last", 8)
    turn_on(guild, organiser)

    native.sync(guild.id, now=timezone.now())

    assert sorted(e["name"] for e in discord_events(live_discord, creator_id=str(application_id()))) == [
        "Next",
        "Soon",
    ]
    assert NativeEvent.objects.filter(event=last).count() == 0

    # "Soon" ends (two hours after its start, the default length): "Last" takes its place.
    after = soon.starts_at + timedelta(hours=2, minutes=1)
    native.sync(guild.id, now=after)

    mine = discord_events(live_discord, creator_id=str(application_id()))
    assert sorted(e["name"] for e in mine) == ["Last", "Next"]
    assert len(discord_events(live_discord)) == 100
    assert sorted(NativeEvent.objects.values_list("event__title", flat=True)) == ["Last", "Next"]
    assert next_.native.scheduled_event_id is not None


def test_turning_it_off_removes_muster_events_and_leaves_the_servers_own(live_discord, guild, organiser):
    start, end = (timezone.now() + timedelta(days=3)).isoformat(), (timezone.now() + timedelta(days=4)).isoformat()
    live_discord.control.create_scheduled_event(guild.id, live_discord.member_id, "Own", start=start, end=end)
    make(guild, "Picnic", 24)
    turn_on(guild, organiser)
    native.sync(guild.id, now=timezone.now())

    native.set_enabled(guild, False, member_id=organiser.id, now=timezone.now())
    done = native.sync(guild.id, now=timezone.now())

    assert (done.removed, [e["name"] for e in discord_events(live_discord)]) == (1, ["Own"])
    assert NativeEvent.objects.count() == 0
    assert native.guilds_to_sync() == []


def test_without_create_events_nothing_is_made_and_the_organiser_is_told_once(live_discord, organiser):
    bare = live_discord.control.create_guild(
        "Bare", bot_permissions=P.DEFAULT_BOT & ~P.CREATE_EVENTS & ~P.MANAGE_EVENTS
    )
    guild = Guild.objects.create(
        id=int(bare["id"]), name="Bare", announcement_channel_id=int(bare["channels"][0]["id"])
    )
    make(guild, "Picnic", 24)
    turn_on(guild, organiser)

    native.sync(guild.id, now=timezone.now())
    native.sync(guild.id, now=timezone.now())

    sentence = (
        "Muster cannot make Discord events in Bare: give its role the Create Events permission "
        "(Server Settings, Roles); mirroring resumes by itself once it has it."
    )
    assert live_discord.control.scheduled_events(guild.id) == []
    assert NativeMirroring.objects.get(guild=guild).problem == sentence
    [dm] = OutboundMessage.objects.filter(member_id=organiser.id)
    assert (dm.idempotency_key, dm.payload["content"]) == (f"native-events:{guild.id}:problem:1", sentence)
    assert NativeEvent.objects.filter(scheduled_event_id__isnull=False).count() == 0

    with pytest.raises(RuleError, match=r"^Muster cannot make Discord events in Bare: give its role"):
        native.check_permissions(guild)


def test_a_run_does_a_bounded_number_of_writes_and_asks_for_another(live_discord, guild, organiser):
    for n in range(3):
        make(guild, f"Event {n}", 24 + n)
    turn_on(guild, organiser)

    first = native.sync(guild.id, now=timezone.now(), writes=2)
    second = native.sync(guild.id, now=timezone.now(), writes=2)

    assert (first.created, first.more, second.created, second.more) == (2, True, 1, False)
    assert len(discord_events(live_discord)) == 3


def test_a_sync_asked_for_while_another_runs_becomes_its_next_pass(guild):
    NativeMirroring.objects.create(guild=guild, enabled=True, sync_claimed_at=timezone.now())

    assert native.sync(guild.id, now=timezone.now()).claimed is False
    assert NativeMirroring.objects.get(guild=guild).resync is True


# --- /event native ------------------------------------------------------------------------


def native_command(guild, who, **options):
    from tests.cast import Cast, handle

    member = GuildMember.objects.get(guild=guild, member=who)
    cast = Cast(guild=guild, organiser=member, member=member, outsider=member)
    return handle(cast.interaction(member, command="event native", options=options))


@pytest.fixture
def olivia(guild, organiser):
    GuildMember.objects.create(guild=guild, member=organiser, is_organiser=True)
    return organiser


def test_event_native_turns_mirroring_on_says_how_it_stands_and_turns_it_off(live_discord, guild, olivia):
    make(guild, "Picnic", 24)
    assert native_command(guild, olivia).content == NATIVE_OFF

    on = native_command(guild, olivia, mirror="on")

    assert on.content == (
        "Upcoming events are mirrored in Discord's Events (0 so far; changes follow within a minute or two). "
        'Muster\'s post stays where members register: "Interested" there is not a registration.'
    )
    setting = NativeMirroring.objects.get(guild=guild)
    assert (setting.enabled, setting.changed_by_id) == (True, olivia.id)
    native.sync(guild.id, now=timezone.now())
    assert native_command(guild, olivia).content.startswith(
        "Upcoming events are mirrored in Discord's Events (1 so far"
    )

    off = native_command(guild, olivia, mirror="off")

    assert off.content == NATIVE_OFF + " The ones already in Discord are being removed."
    assert NativeMirroring.objects.get(guild=guild).enabled is False


def test_event_native_on_is_refused_in_one_sentence_without_create_events(live_discord, olivia):
    bare = live_discord.control.create_guild("Bare", bot_permissions=P.DEFAULT_BOT & ~P.CREATE_EVENTS)
    guild = Guild.objects.create(id=int(bare["id"]), name="Bare")
    GuildMember.objects.create(guild=guild, member=olivia, is_organiser=True)

    with pytest.raises(RuleError, match=r"^Muster cannot make Discord events in Bare: .* once it has it\.$"):
        native_command(guild, olivia, mirror="on")

    assert NativeMirroring.objects.filter(guild=guild, enabled=True).count() == 0
