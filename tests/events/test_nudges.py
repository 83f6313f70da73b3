"""Non-responder nudges: one DM per nudge time to each expected member who has not answered,
never after they answered, never to one who left or whose DMs are closed, in bounded queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import nudging
from core.errors import RuleError
from core.models import OutboundMessage
from core.recurrence import parse_rule
from events import nudges, series
from events.discord import messages
from events.models import Nudge, Registration
from events.nudges import Expected, nudge_now, send_due
from events.services import EventDraft, create_event, edit_event, respond
from tests.events.factories import NOW, EventFactory, RegistrationFactory
from tests.factories import GuildFactory, GuildMemberFactory

pytestmark = pytest.mark.django_db
Status = Registration.Status
ROLE = 500_000_000_000_000_001
DAY = timedelta(days=1)


def nudged():
    return sorted(
        (m.member_id, m.idempotency_key)
        for m in OutboundMessage.objects.filter(idempotency_key__startswith="event-nudge:")
    )


def club(players=3, others=1):
    """A guild whose ``players`` hold the role and ``others`` do not."""
    guild = GuildFactory(announcement_channel_id=42)
    held = [GuildMemberFactory(guild=guild, role_ids=[ROLE]).member_id for _ in range(players)]
    rest = [GuildMemberFactory(guild=guild, role_ids=[]).member_id for _ in range(others)]
    return guild, held, rest


def match(guild, *, role=ROLE, offsets=(3 * DAY, DAY), **fields):
    draft = EventDraft(title="Match", starts_at=NOW + 7 * DAY, **fields)
    return create_event(guild, draft, now=NOW, expected=Expected(role, tuple(offsets)))


def test_each_expected_member_who_has_not_answered_gets_one_dm_per_nudge_time_once():
    guild, (ann, bob, cy), (_dan,) = club()
    event = match(guild)
    respond(event.id, ann, Status.DECLINED, sequence=1, now=NOW)  # any answer counts

    assert send_due(now=NOW + 4 * DAY) == 2  # three days before the start
    assert send_due(now=NOW + 4 * DAY) == 0  # a second tick, or a retried task
    assert send_due(now=NOW + 6 * DAY) == 2  # a day before
    assert send_due(now=NOW + 6 * DAY + timedelta(hours=1)) == 0

    three, one = 3 * 86400, 86400
    assert nudged() == sorted((m, f"event-nudge:{event.id}:{s}:{m}") for m in (bob, cy) for s in (three, one))
    dm = OutboundMessage.objects.filter(member_id=bob).first().payload
    ids = [c["custom_id"] for c in dm["components"][0]["components"]]
    assert ids == [
        messages.RESPONSES[s].build(event_id=event.id) for s in (Status.GOING, Status.MAYBE, Status.DECLINED)
    ]
    assert "You have not answered yet" in dm["content"]


def test_a_member_who_answered_since_is_never_nudged_and_the_claim_holds_after_a_rerun():
    guild, (ann, bob, cy), _ = club()
    event = match(guild, offsets=(DAY,))
    respond(event.id, bob, Status.MAYBE, sequence=1, now=NOW + 5 * DAY)
    respond(event.id, cy, Status.GOING, sequence=2, now=NOW + 5 * DAY)

    assert send_due(now=NOW + 6 * DAY) == 1
    assert [m for m, _ in nudged()] == [ann]
    assert Nudge.objects.get(event=event).sent_at == NOW + 6 * DAY


def test_members_who_left_or_have_closed_dms_are_skipped_and_everyone_means_the_whole_guild():
    guild, (ann, bob, cy), (dan,) = club()
    from core.models import GuildMember, Member

    GuildMember.objects.filter(member_id=bob).update(left_at=NOW)
    Member.objects.filter(id=cy).update(dms_closed_at=NOW - DAY)
    event = match(guild, role=guild.id, offsets=(DAY,))  # the guild's id is Discord's @everyone

    assert send_due(now=NOW + 6 * DAY) == 2
    assert [m for m, _ in nudged()] == sorted([ann, dan])
    assert event.roster().expected == (0, 3)  # bob left: three are expected


def test_the_post_says_how_many_expected_have_answered():
    guild, (ann, _bob, _cy), (dan,) = club()
    event = match(guild)
    respond(event.id, ann, Status.GOING, sequence=1, now=NOW)
    respond(event.id, dan, Status.GOING, sequence=2, now=NOW)  # not expected: not counted

    embed = messages.event_embed(event, event.roster(), now=NOW)
    signup = next(f["value"] for f in embed["fields"] if f["name"] == "Signup")
    assert signup.endswith("\n1 of 3 expected have answered.")


def test_nudges_count_back_from_the_signup_deadline_and_follow_it_when_it_moves():
    guild, _, _ = club()
    event = match(guild, offsets=(DAY,), signup_deadline=NOW + 4 * DAY)
    assert Nudge.objects.get(event=event).due_at == NOW + 3 * DAY

    edit_event(event.id, now=NOW, signup_deadline=NOW + 5 * DAY)

    assert Nudge.objects.get(event=event).due_at == NOW + 4 * DAY


def test_a_nudge_whose_time_has_passed_is_skipped_not_sent_late_and_offsets_need_someone_expected():
    guild, _, _ = club()
    event = match(guild, offsets=(8 * DAY, DAY))

    assert list(event.nudges.order_by("offset").values_list("offset", "skipped")) == [(DAY, False), (8 * DAY, True)]
    with pytest.raises(
        RuleError, match=r"^Nudges need someone to nudge: say who is expected \(a role, or everyone\)\.$"
    ):
        match(guild, role=None)
    with pytest.raises(RuleError, match=r"^Nudges need someone to nudge"):
        edit_event(EventFactory(guild=guild).id, now=NOW, nudge_offsets=[DAY])


def test_edits_set_who_is_expected_and_the_nudge_times():
    guild, (_ann, _bob, _cy), (_dan,) = club()
    event = EventFactory(guild=guild, starts_at=NOW + 7 * DAY)

    edit_event(event.id, now=NOW, expected_role_id=guild.id, nudge_offsets=[2 * DAY])

    event.refresh_from_db()
    assert event.expected_role_id == guild.id
    assert list(event.nudges.values_list("offset", flat=True)) == [2 * DAY]
    assert send_due(now=NOW + 5 * DAY) == 4


def test_a_cancelled_or_closed_event_nudges_nobody():
    guild, _, _ = club()
    cancelled, closed = match(guild, offsets=(DAY,)), match(guild, offsets=(DAY,), signup_deadline=NOW + 6 * DAY)
    from events.services import cancel_event

    cancel_event(cancelled.id, now=NOW)

    assert send_due(now=NOW + 6 * DAY) == 0
    assert Nudge.objects.filter(sent_at__isnull=True).count() == 0
    assert closed.id  # its nudge was due at the deadline minus a day: claimed, sent to nobody as it closed


def test_a_tick_over_many_events_costs_the_same_queries_as_over_one():
    def tick(events_count):
        guild, _, _ = club(players=5, others=0)
        for _ in range(events_count):
            match(guild, offsets=(DAY,))
        with CaptureQueriesContext(connection) as queries:
            sent = send_due(now=NOW + 6 * DAY)
        return sent, len(queries)

    one, many = tick(1), tick(10)

    assert one[0] == 5 and many[0] == 50
    assert one[1] == many[1]


def test_a_rule_registered_in_core_applies_to_event_nudges():
    guild, (ann, bob, cy), _ = club()
    match(guild, offsets=(DAY,))

    def away(pairs, at):
        return {pair for pair in pairs if pair[1] == bob}

    nudging.register(away)
    try:
        assert send_due(now=NOW + 6 * DAY) == 2
    finally:
        nudging.unregister(away)
    assert [m for m, _ in nudged()] == sorted([ann, cy])


def test_nudge_now_sends_once_per_double_click_and_refuses_without_expected_members():
    guild, (ann, _bob, _cy), _ = club()
    event = match(guild, offsets=())
    RegistrationFactory(event=event, member_id=ann)

    first = nudge_now(event.id, now=NOW, guild_id=guild.id)
    again = nudge_now(event.id, now=NOW + timedelta(seconds=2), guild_id=guild.id)

    assert (first.sent, first.expected, first.unanswered, first.earlier) == (2, 3, 2, None)
    assert (again.sent, again.earlier) == (0, NOW)
    assert len(nudged()) == 2
    assert nudge_now(event.id, now=NOW + timedelta(minutes=11), guild_id=guild.id).sent == 2
    with pytest.raises(RuleError, match=r"^Nobody is expected at this event"):
        nudge_now(EventFactory(guild=guild).id, now=NOW, guild_id=guild.id)
    with pytest.raises(RuleError, match=r"^There is no such event in this server\.$"):
        nudge_now(event.id, now=NOW, guild_id=GuildFactory().id)


def test_a_series_carries_who_is_expected_and_its_nudges_to_each_occurrence():
    guild, (ann, bob, cy), _ = club()
    draft = EventDraft(title="Training", starts_at=NOW + DAY * 2)
    plan = series.SeriesPlan(parse_rule("weekly for 3 times"), expected=Expected(ROLE, (DAY,)))

    made = series.create_series(guild, draft, plan, now=NOW)

    occurrences = list(made.occurrences.order_by("starts_at"))
    assert [e.expected_role_id for e in occurrences] == [ROLE] * 3
    assert [n.due_at for n in Nudge.objects.order_by("due_at")] == [e.starts_at - DAY for e in occurrences]
    assert send_due(now=occurrences[0].starts_at - DAY) == 3  # the first occurrence's nudge only
    assert nudges.unanswered(occurrences)[occurrences[0].id] == sorted([ann, bob, cy])
