"""The event-day timeline: each alert sent exactly once, on time, to the people named, the
team and the threads; shifts re-arm what moved, tell everyone affected, and never resend
what was sent; a tick run twice or replayed after a restart sends nothing twice."""

from datetime import UTC, datetime, timedelta

import pytest

from core.errors import RuleError
from core.models import Member, OutboundMessage
from events.models import Event, EventSpace, SpaceKind
from teams.models import Team, TeamMember
from tests.factories import GuildMemberFactory
from timeline import services
from timeline.discord import messages
from timeline.models import Item
from timeline.services import ItemDraft, add_item, shift, tick

pytestmark = pytest.mark.django_db
START = datetime(2026, 12, 5, 13, 0, tzinfo=UTC)
THREAD = 710_000_000_000_000_001
TEAM_THREAD = 710_000_000_000_000_002
TEAM_ROLE = 510_000_000_000_000_002


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


@pytest.fixture
def race(cast):
    event = Event.objects.create(guild=cast.guild, title="Six hours of Spa", starts_at=START)
    EventSpace.objects.create(event=event, guild=cast.guild, kind=SpaceKind.THREAD, channel_id=THREAD)
    return event


def item(event, title, at, **fields) -> Item:
    draft = ItemDraft(title=title, due_at=event.starts_at + at, offset=at, **fields)
    return add_item(event.id, event.guild_id, draft)


def sent(prefix: str = "timeline") -> list[tuple]:
    rows = OutboundMessage.objects.filter(idempotency_key__startswith=prefix).order_by("idempotency_key")
    return [(m.idempotency_key, m.member_id, m.channel_id) for m in rows]


def key(it: Item, kind: str, target: str, due: datetime | None = None) -> str:
    return f"timeline:{it.id}:{kind}:{int((due or it.due_at).timestamp())}:{target}"


def test_an_alert_is_sent_once_at_its_time_by_dm_and_in_the_thread(cast, race):
    alice = cast.member.member_id
    stint = item(race, "Stint 2: Alice", minutes(90), member_ids=[alice], post_in=Item.Post.EVENT, message="Box now")

    assert tick(now=stint.due_at - timedelta(seconds=1)).alerts == 0
    assert sent("timeline:") == []
    done = tick(now=stint.due_at + timedelta(seconds=3))
    assert (done.alerts, done.messages) == (1, 2)
    assert sent("timeline:") == [
        (key(stint, "alert", f"dm:{alice}"), alice, None),
        (key(stint, "alert", "post"), None, THREAD),
    ]
    dm = OutboundMessage.objects.get(idempotency_key=key(stint, "alert", f"dm:{alice}"))
    assert dm.payload["content"] == (
        f"**Stint 2: Alice** starts now (<t:{int(stint.due_at.timestamp())}:t>) at **Six hours of Spa** "
        "in **Muster HQ**.\nBox now"
    )
    post = OutboundMessage.objects.get(idempotency_key=key(stint, "alert", "post"))
    assert post.payload["content"].startswith(
        f"⏱ **Stint 2: Alice** starts now (<t:{int(stint.due_at.timestamp())}:t>): <@{alice}>"
    )
    assert post.payload["allowed_mentions"] == {"parse": []}  # the DM is the ping

    # Every later tick, and a tick run twice at the same moment: nothing more.
    for at in (stint.due_at + timedelta(seconds=3), stint.due_at + minutes(1), stint.due_at + minutes(10)):
        assert tick(now=at).alerts == 0
    assert len(sent("timeline:")) == 2


def test_a_pre_alert_comes_n_minutes_before_then_the_alert(cast, race):
    alice = cast.member.member_id
    talk = item(race, "Driver briefing", minutes(0), member_ids=[alice], prealert_minutes=10)

    assert tick(now=START - minutes(10) - timedelta(seconds=1)).prealerts == 0
    assert tick(now=START - minutes(10)).prealerts == 1
    assert tick(now=START - minutes(5)).prealerts == 0
    assert tick(now=START).alerts == 1
    assert [k for k, *_ in sent("timeline:")] == [key(talk, "alert", f"dm:{alice}"), key(talk, "pre", f"dm:{alice}")]
    pre = OutboundMessage.objects.get(idempotency_key=key(talk, "pre", f"dm:{alice}"))
    assert pre.payload["content"].startswith("**Driver briefing** starts in 10 minutes (")


def test_a_team_item_dms_each_member_of_the_team_and_posts_in_the_teams_thread(cast, race):
    alice, olivia = cast.member.member_id, cast.organiser.member_id
    team = Team.objects.create(event=race, guild=cast.guild, name="Red", thread_id=TEAM_THREAD, role_id=TEAM_ROLE)
    for member_id in (alice, olivia):
        TeamMember.objects.create(team=team, event=race, member_id=member_id)
    stint = item(race, "Red's stint", minutes(30), team_id=team.id, post_in=Item.Post.TEAM)

    assert tick(now=stint.due_at).messages == 3
    assert sent("timeline:") == sorted(
        [
            (key(stint, "alert", f"dm:{alice}"), alice, None),
            (key(stint, "alert", f"dm:{olivia}"), olivia, None),
            (key(stint, "alert", "post"), None, TEAM_THREAD),
        ]
    )
    post = OutboundMessage.objects.get(idempotency_key=key(stint, "alert", "post"))
    assert post.payload["content"].startswith(
        f"⏱ **Red's stint** starts now (<t:{int(stint.due_at.timestamp())}:t>): <@&{TEAM_ROLE}>"
    )


def test_a_post_only_item_pings_whom_it_names_in_the_post(cast, race):
    alice = cast.member.member_id
    shuttle = item(race, "Shuttle", minutes(15), member_ids=[alice], dm=False, post_in=Item.Post.EVENT)

    tick(now=shuttle.due_at)

    assert sent("timeline:") == [(key(shuttle, "alert", "post"), None, THREAD)]
    post = OutboundMessage.objects.get(idempotency_key=key(shuttle, "alert", "post"))
    assert post.payload["allowed_mentions"] == {"users": [str(alice)], "roles": []}


def test_a_shift_after_some_alerts_moves_only_what_is_to_come_and_re_arms_it(cast, race):
    alice = cast.member.member_id
    first = item(race, "Stint 1", minutes(0), member_ids=[alice], prealert_minutes=5)
    second = item(race, "Stint 2", minutes(60), member_ids=[alice], prealert_minutes=5)
    third = item(race, "Stint 3", minutes(120), member_ids=[alice])
    tick(now=START - minutes(5))
    tick(now=START)
    tick(now=START + minutes(55))  # Stint 2's pre-alert, for 14:00
    assert [k for k, *_ in sent("timeline:")] == sorted(
        [
            key(first, "pre", f"dm:{alice}"),
            key(first, "alert", f"dm:{alice}"),
            key(second, "pre", f"dm:{alice}"),
        ]
    )
    old_second = second.due_at

    # At 13:57 a safety car: everything after now moves 15 minutes later.
    record = shift(race.id, cast.guild.id, 15, by=cast.organiser.member_id, now=START + minutes(57))

    assert record.moved == 2
    first.refresh_from_db(), second.refresh_from_db(), third.refresh_from_db()
    assert (first.due_at, second.due_at, third.due_at) == (START, START + minutes(75), START + minutes(135))
    assert (second.offset, second.prealert_at) == (minutes(75), START + minutes(70))
    # Alice is told once, of both her items; the thread is told.
    [dm] = [m for m in OutboundMessage.objects.filter(idempotency_key__startswith="timeline-shift:") if m.member_id]
    assert dm.idempotency_key == f"timeline-shift:{record.id}:dm:{alice}"
    assert "moved 15 minutes later. Yours:\n• **Stint 2** now at" in dm.payload["content"]
    assert "• **Stint 3** now at" in dm.payload["content"]
    assert OutboundMessage.objects.filter(
        idempotency_key=f"timeline-shift:{record.id}:post", channel_id=THREAD
    ).exists()

    # Nothing at the old time; the pre-alert again (for the new time), then the alert, once each.
    assert tick(now=old_second).alerts == 0
    assert tick(now=START + minutes(70)).prealerts == 1
    assert tick(now=START + minutes(75)).alerts == 1
    assert tick(now=START + minutes(76)).alerts == 0
    assert tick(now=START + minutes(135)).alerts == 1
    assert [k for k, *_ in sent("timeline:")] == sorted(
        [
            key(first, "pre", f"dm:{alice}"),
            key(first, "alert", f"dm:{alice}"),
            key(second, "pre", f"dm:{alice}", old_second),
            key(second, "pre", f"dm:{alice}"),
            key(second, "alert", f"dm:{alice}"),
            key(third, "alert", f"dm:{alice}"),
        ]
    )


def test_a_tick_replayed_after_its_claim_is_lost_writes_no_second_message(cast, race):
    """A worker killed after the commit, the task run again: the claim is reset by hand to
    simulate a replay, and the outbox keys still hold it to one message per time."""
    alice = cast.member.member_id
    stint = item(race, "Stint", minutes(10), member_ids=[alice], post_in=Item.Post.EVENT)
    assert tick(now=stint.due_at).messages == 2

    Item.objects.filter(id=stint.id).update(alerted_for=None)
    again = tick(now=stint.due_at + timedelta(seconds=20))

    assert (again.alerts, again.messages) == (1, 0)
    assert len(sent("timeline:")) == 2


def test_a_tick_that_comes_late_sends_what_is_at_most_half_an_hour_late_and_skips_older(cast, race):
    alice = cast.member.member_id
    old = item(race, "Long ago", minutes(0), member_ids=[alice])
    recent = item(race, "Recent", minutes(20), member_ids=[alice])

    done = tick(now=START + minutes(45))  # Muster was down from 12:55 to 13:45

    assert done.alerts == 1
    assert sent("timeline:") == [(key(recent, "alert", f"dm:{alice}"), alice, None)]
    old.refresh_from_db()
    assert old.alerted_for is None


def test_items_at_an_offset_follow_the_event_when_it_moves_and_absolute_ones_stay(cast, race):
    alice = cast.member.member_id
    relative = item(race, "Relative", minutes(30), member_ids=[alice])
    fixed = add_item(race.id, cast.guild.id, ItemDraft(title="Dinner", due_at=START + minutes(300), member_ids=[alice]))

    services.on_event_moved(race.id, START, START + minutes(60))

    relative.refresh_from_db(), fixed.refresh_from_db()
    assert relative.due_at == START + minutes(90)
    assert fixed.due_at == START + minutes(300)


def test_a_cancelled_event_sends_no_alerts(cast, race):
    stint = item(race, "Stint", minutes(0), member_ids=[cast.member.member_id])
    Event.objects.filter(id=race.id).update(status=Event.Status.CANCELLED)

    assert tick(now=stint.due_at).alerts == 0


def test_the_now_next_message_is_posted_once_two_hours_before_the_first_item(cast, race):
    item(race, "Warm-up", minutes(0), post_in=Item.Post.EVENT)
    item(race, "Race", minutes(30), post_in=Item.Post.EVENT)

    assert tick(now=START - minutes(121)).boards == 0
    assert tick(now=START - minutes(120)).boards == 1
    assert tick(now=START - minutes(60)).boards == 0
    board = OutboundMessage.objects.get(idempotency_key=messages.board_key(race.id))
    assert (board.channel_id, board.refresh_kind, board.refresh_object_id) == (THREAD, messages.BOARD_KIND, race.id)
    shown = messages.board_message(race, START + minutes(5))["embeds"][0]
    assert shown["title"] == "Now / Next: Six hours of Spa"
    assert shown["fields"][0]["value"] == f"<t:{int(START.timestamp())}:t> **Warm-up**"
    assert shown["fields"][1]["value"].startswith(
        f"<t:{int((START + minutes(30)).timestamp())}:t> **Race**\nNext up <t:"
    )


def test_shift_refuses_what_makes_no_sense(cast, race):
    item(race, "Stint", minutes(10), member_ids=[cast.member.member_id])

    with pytest.raises(RuleError, match=r"^Shift by some minutes: 15 moves the items later, -10 earlier\.$"):
        shift(race.id, cast.guild.id, 0, now=START)
    with pytest.raises(RuleError, match=r"^The next item \(Stint\) would move into the past; shift by less\.$"):
        shift(race.id, cast.guild.id, -20, now=START)
    with pytest.raises(RuleError, match=r"^Six hours of Spa has no items after now to shift\.$"):
        shift(race.id, cast.guild.id, 5, now=START + minutes(11))
    with pytest.raises(RuleError, match=r"^There is no such event in this server\.$"):
        shift(race.id, cast.outsider.guild_id, 5, now=START)


def test_an_item_must_reach_someone_and_name_members_of_the_server(cast, race):
    with pytest.raises(RuleError, match=r"^Say who is told: name members or a team to DM, or post in a thread\.$"):
        item(race, "Nobody", minutes(0))
    with pytest.raises(
        RuleError, match=rf"^<@{cast.outsider.member_id}> is not a member of this server that Muster knows\.$"
    ):
        item(race, "Oscar", minutes(0), member_ids=[cast.outsider.member_id])
    with pytest.raises(RuleError, match=r"^Name the team whose thread the alert is posted in\.$"):
        item(race, "Team", minutes(0), post_in=Item.Post.TEAM)


def test_offsets_and_times_are_read_as_typed(cast, race):
    assert services.parse_offset("+90m") == minutes(90)
    assert services.parse_offset("+1h30") == minutes(90)
    assert services.parse_offset("+2h") == minutes(120)
    assert services.parse_offset("14:00") is None
    offset, due = services.read_when("+1h", race, cast.organiser.member_id, now=START - minutes(60))
    assert (offset, due) == (minutes(60), START + minutes(60))
    offset, due = services.read_when("2026-12-05 15:30", race, cast.organiser.member_id, now=START)
    assert (offset, due) == (None, datetime(2026, 12, 5, 14, 30, tzinfo=UTC))  # Paris is UTC+1 in December
    with pytest.raises(RuleError, match=r'^"\+soon" is not an offset from the start; write it like \+90m or \+1h30\.$'):
        services.read_when("+soon", race, cast.organiser.member_id, now=START)


def test_a_member_who_left_the_team_is_not_dmed(cast, race):
    alice, olivia = cast.member.member_id, cast.organiser.member_id
    team = Team.objects.create(event=race, guild=cast.guild, name="Blue")
    TeamMember.objects.create(team=team, event=race, member_id=alice)
    TeamMember.objects.create(team=team, event=race, member_id=olivia)
    stint = item(race, "Blue's stint", minutes(5), team_id=team.id)
    TeamMember.objects.filter(member_id=olivia).delete()
    GuildMemberFactory(guild=cast.guild)  # someone else in the guild, in no team

    tick(now=stint.due_at)

    assert sent("timeline:") == [(key(stint, "alert", f"dm:{alice}"), alice, None)]


def test_the_dm_channels_of_members_due_within_two_hours_are_opened_ahead_once(cast, race, flush_redis):
    from core import dm_channels

    alice, olivia = cast.member.member_id, cast.organiser.member_id
    soon = item(race, "Soon", minutes(30), member_ids=[alice, olivia])
    item(race, "Later", minutes(200), member_ids=[alice])
    Member.objects.filter(id=olivia).update(dm_channel_id=42)

    assert services.open_dm_channels_ahead(now=START - minutes(1)) == 1  # one batch: alice (olivia's is known)
    assert services.open_dm_channels_ahead(now=START) == 0
    soon.refresh_from_db()
    assert soon.dms_opened_at == START - minutes(1)
    assert dm_channels.known([alice, olivia]) == {olivia}  # (no worker here opens alice's)
