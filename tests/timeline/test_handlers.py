"""/timeline as workers run it: organisers add, list, remove and shift; members list; bad
input is one sentence."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import RuleError
from core.interactions import routing
from core.models import OutboundMessage
from events.models import Event, EventSpace, SpaceKind
from teams.models import Team, TeamMember
from tests.cast import handle
from timeline.models import Item, Shift

pytestmark = pytest.mark.django_db
THREAD = 710_000_000_000_000_011


def command(cast, who, sub, **options):
    return cast.interaction(who, command=f"timeline {sub}", options=options)


@pytest.fixture
def race(cast):
    event = Event.objects.create(guild=cast.guild, title="Relay", starts_at=timezone.now() + timedelta(hours=1))
    EventSpace.objects.create(event=event, guild=cast.guild, kind=SpaceKind.THREAD, channel_id=THREAD)
    return event


def test_only_organisers_add_remove_and_shift_and_everyone_lists(cast):
    for name in ("add", "remove", "shift"):
        assert not routing.find(command(cast, cast.member, name)).permits(command(cast, cast.member, name))
        assert routing.find(command(cast, cast.organiser, name)).permits(command(cast, cast.organiser, name))
    assert routing.find(command(cast, cast.member, "list")).permits(command(cast, cast.member, "list"))


def test_an_organiser_adds_items_for_members_and_a_team_and_everyone_lists_them(cast, race):
    alice = cast.member.member_id
    team = Team.objects.create(event=race, guild=cast.guild, name="Red")
    TeamMember.objects.create(team=team, event=race, member_id=alice)

    reply = handle(
        command(
            cast, cast.organiser, "add", event=race.id, title="Stint 1", at="+0", members=f"<@{alice}>", prealert=10
        )
    )
    handle(command(cast, cast.organiser, "add", event=race.id, title="Red's stint", at="+1h30", team="red"))
    handle(command(cast, cast.organiser, "add", event=race.id, title="Shuttle", at="+3h", message="Gate B"))

    first, red, shuttle = Item.objects.order_by("due_at")
    start = int(race.starts_at.timestamp())
    assert reply.content == (
        f"Added to **Relay**: #{first.id} <t:{start}:f> (start +0h00) **Stint 1**: <@{alice}> "
        "(DM; pre-alert 10 min before)"
    )
    assert (first.offset, list(first.people.values_list("id", flat=True)), first.post_in) == (timedelta(0), [alice], "")
    assert (red.team_id, red.due_at, red.post_in) == (team.id, race.starts_at + timedelta(minutes=90), "")
    assert (shuttle.post_in, shuttle.message) == (Item.Post.EVENT, "Gate B")  # naming nobody: posted

    listed = handle(command(cast, cast.member, "list", event=race.id)).content
    assert listed.splitlines()[0] == "Timeline of **Relay**:"
    assert [line.split(" ")[0] for line in listed.splitlines()[1:]] == [f"#{first.id}", f"#{red.id}", f"#{shuttle.id}"]
    assert "**Red's stint**: team Red (DM)" in listed


def test_the_organisers_mistakes_are_one_sentence(cast, race):
    def add(**options):
        return handle(command(cast, cast.organiser, "add", event=race.id, title="Stint", **options))

    with pytest.raises(RuleError, match=r'^Relay has no team "Blue"\.$'):
        add(at="+1h", team="Blue")
    with pytest.raises(RuleError, match=r"^Name the members with mentions, like @alice @bob\.$"):
        add(at="+1h", members="alice")
    with pytest.raises(
        RuleError, match=r'^"\+later" is not an offset from the start; write it like \+90m or \+1h30\.$'
    ):
        add(at="+later")
    with pytest.raises(RuleError, match=r"^There is no such event in this server\.$"):
        handle(command(cast, cast.organiser, "list", event=race.id + 100))


def test_an_organiser_shifts_the_items_to_come_and_removes_one(cast, race):
    alice = cast.member.member_id
    handle(command(cast, cast.organiser, "add", event=race.id, title="Stint 1", at="+0", members=f"<@{alice}>"))
    handle(command(cast, cast.organiser, "add", event=race.id, title="Stint 2", at="+1h", members=f"<@{alice}>"))

    reply = handle(command(cast, cast.organiser, "shift", event=race.id, minutes=15))

    assert reply.content == "Moved 2 items 15 minutes later; everyone they concern is told."
    assert sorted(Item.objects.values_list("offset", flat=True)) == [timedelta(minutes=15), timedelta(minutes=75)]
    record = Shift.objects.get()
    assert (record.minutes, record.moved, record.by_id) == (15, 2, cast.organiser.member_id)
    assert set(
        OutboundMessage.objects.filter(idempotency_key__startswith="timeline-shift:").values_list(
            "member_id", "channel_id"
        )
    ) == {(alice, None), (None, THREAD)}

    first = Item.objects.order_by("due_at").first()
    assert (
        handle(command(cast, cast.organiser, "remove", item=first.id)).content
        == "Removed **Stint 1** from the timeline."
    )
    assert list(Item.objects.values_list("title", flat=True)) == ["Stint 2"]
    with pytest.raises(RuleError, match=r"^There is no such timeline item in this server\.$"):
        handle(command(cast, cast.outsider, "remove", item=Item.objects.get().id))
