"""Away: providers other apps register, what senders hold for members away, and the "While you were away" DM."""

from datetime import UTC, datetime, timedelta

import pytest
from celery import current_app
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import away_summary, nudging
from core.models import GuildMember, HeldNudge, Member, OutboundMessage
from tests.factories import GuildFactory, GuildMemberFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)  # a Monday, 9:00 in the cast's guild (UTC)
BACK = NOW + timedelta(days=5)  # Saturday 6 March, 9:00

nudging.register_held_kind("test_answer", "an event asked for your answer", "{n} events asked for your answer")
nudging.register_held_kind("test_due", "a Jira issue became due", "{n} Jira issues became due")


def hold(who, key, text="Picnic asked for your answer", *, kind="test_answer", at=NOW):
    return nudging.hold(who.guild_id, who.member_id, at=at, kind=kind, key=key, text=text)


def summaries():
    return list(OutboundMessage.objects.filter(idempotency_key__startswith="away-summary:").order_by("id"))


def test_a_member_a_provider_names_is_away_with_its_reason_and_is_not_nudged(cast, away):
    alice, olivia = cast.member, cast.organiser
    away.send(alice, until=BACK, reason="on leave until Friday 5 March")

    assert nudging.away([(alice.guild_id, alice.member_id), (olivia.guild_id, olivia.member_id)], at=NOW) == {
        (alice.guild_id, alice.member_id): "on leave until Friday 5 March"
    }
    assert nudging.nudgeable_members(cast.guild.id, [alice.member_id, olivia.member_id], at=NOW) == {olivia.member_id}
    assert nudging.may_nudge(cast.guild.id, alice.member_id, at=NOW) is False
    assert nudging.may_nudge(cast.guild.id, alice.member_id, at=BACK) is True


def test_a_provider_taken_away_names_nobody_any_more(cast, away):
    away.send(cast.member)
    nudging.unregister_away(away)

    assert nudging.away([(cast.guild.id, cast.member.member_id)], at=NOW) == {}
    assert nudging.may_nudge(cast.guild.id, cast.member.member_id, at=NOW) is True


def test_each_provider_is_asked_once_per_question_and_the_first_to_name_a_pair_gives_its_reason(cast, away):
    second = []

    def holidays(pairs, at):
        second.append(pairs)
        return {pair: "on a public holiday: Christmas Day" for pair in pairs}

    away.send(cast.member, reason="on leave")
    nudging.register_away(holidays)
    try:
        pairs = [(cast.guild.id, cast.member.member_id), (cast.guild.id, cast.organiser.member_id)]
        found = nudging.away(pairs, at=NOW)
    finally:
        nudging.unregister_away(holidays)

    assert found == {
        (cast.guild.id, cast.member.member_id): "on leave",
        (cast.guild.id, cast.organiser.member_id): "on a public holiday: Christmas Day",
    }
    assert away.asked == 1
    assert second == [frozenset({(cast.guild.id, cast.organiser.member_id)})]


def test_without_a_provider_nobody_is_away_and_the_question_costs_no_query(cast, monkeypatch):
    monkeypatch.setattr(nudging, "_away", [])  # not even the installed apps' (leave registers one in ready())
    with CaptureQueriesContext(connection) as queries:
        assert nudging.away([(cast.guild.id, cast.member.member_id)], at=NOW) == {}
    assert len(queries) == 0


def test_hold_records_a_nudge_once_per_key_for_a_member_away(cast, away):
    away.send(cast.member, until=BACK)

    assert hold(cast.member, "event-nudge:1") is True
    assert hold(cast.member, "event-nudge:1", "said again") is True

    row = HeldNudge.objects.get()
    assert (row.guild_id, row.member_id, row.kind, row.key) == (
        cast.guild.id,
        cast.member.member_id,
        "test_answer",
        "event-nudge:1",
    )
    assert (row.text, row.held_at, row.summarised_at) == ("Picnic asked for your answer", NOW, None)


def test_the_same_key_held_in_a_later_absence_is_held_again(cast, away):
    away.send(cast.member, until=BACK)
    hold(cast.member, "jira:1:due")
    away_summary.send_due(now=BACK)
    away.send(cast.member, until=BACK + timedelta(days=10))

    assert hold(cast.member, "jira:1:due", at=BACK + timedelta(days=3)) is True
    assert hold(cast.member, "jira:1:due", at=BACK + timedelta(days=4)) is True

    assert list(HeldNudge.objects.order_by("id").values_list("key", "summarised_at")) == [
        ("jira:1:due", BACK),
        ("jira:1:due", None),
    ]


def test_the_same_key_twice_in_one_call_is_one_row(cast, away):
    away.send(cast.member)
    twice = [nudging.Held(cast.guild.id, cast.member.member_id, "test_answer", "e:1", text) for text in ("a", "b")]

    assert nudging.hold_many(twice, at=NOW) == 2

    assert list(HeldNudge.objects.values_list("key", "text")) == [("e:1", "a")]


def test_hold_writes_nothing_for_a_member_who_is_not_away(cast, away):
    away.send(cast.member, until=BACK)

    assert hold(cast.organiser, "event-nudge:1") is False
    assert hold(cast.member, "event-nudge:2", at=BACK) is False
    assert HeldNudge.objects.count() == 0


def test_a_held_line_is_one_line_of_at_most_150_characters(cast, away):
    away.send(cast.member)

    hold(cast.member, "long", "A picnic\nwith   many words " + "x" * 200)

    text = HeldNudge.objects.get().text
    assert len(text) == 150 and text.startswith("A picnic with many words xxx") and text.endswith("x…")


def test_hold_refuses_a_kind_nobody_registered(cast, away):
    away.send(cast.member)
    with pytest.raises(ValueError, match=r"^nothing is not a held kind: register it with register_held_kind$"):
        hold(cast.member, "k", kind="nothing")


def test_a_held_kind_registered_again_must_keep_its_phrases():
    nudging.register_held_kind("test_answer", "an event asked for your answer", "{n} events asked for your answer")
    with pytest.raises(ValueError, match=r"^the held kind test_answer is registered twice with other phrases$"):
        nudging.register_held_kind("test_answer", "an event", "{n} events")
    with pytest.raises(ValueError, match=r"^the plural of test_x must hold \{n\}: 'events'$"):
        nudging.register_held_kind("test_x", "an event", "events")


def test_a_member_back_gets_one_summary_with_the_counts_and_the_lines(cast, away):
    # Given alice away until Saturday, with two events and three Jira issues held
    away.send(cast.member, until=BACK)
    hold(cast.member, "e:1", "Picnic on Friday 5 March asked for your answer")
    hold(cast.member, "j:1", "ACME-1 Fix the login became due", kind="test_due")
    hold(cast.member, "j:2", "ACME-2 Write the docs became due", kind="test_due")
    hold(cast.member, "e:2", "Hike on Sunday 7 March asked for your answer", at=NOW + timedelta(hours=1))
    hold(cast.member, "j:3", "ACME-3 Ship it became due", kind="test_due", at=NOW + timedelta(hours=2))

    # When the tick runs while she is away, nothing; once she is back, one DM; then nothing more
    assert away_summary.send_due(now=BACK - timedelta(minutes=1)) == 0
    assert away_summary.send_due(now=BACK) == 1
    assert away_summary.send_due(now=BACK + timedelta(minutes=5)) == 0

    # Then
    (dm,) = summaries()
    assert (dm.member_id, dm.guild_id) == (cast.member.member_id, cast.guild.id)
    assert dm.payload["content"] == (
        "**While you were away**: 3 Jira issues became due and 2 events asked for your answer.\n"
        "- Picnic on Friday 5 March asked for your answer\n"
        "- ACME-1 Fix the login became due\n"
        "- ACME-2 Write the docs became due\n"
        "- Hike on Sunday 7 March asked for your answer\n"
        "- ACME-3 Ship it became due"
    )
    assert set(HeldNudge.objects.values_list("summarised_at", flat=True)) == {BACK}


def test_one_thing_held_is_said_in_the_singular(cast, away):
    away.send(cast.member, until=BACK)
    hold(cast.member, "j:1", "ACME-1 became due", kind="test_due")

    away_summary.send_due(now=BACK)

    assert summaries()[0].payload["content"] == "**While you were away**: a Jira issue became due.\n- ACME-1 became due"


def test_the_summary_shows_ten_lines_and_says_how_many_more(cast, away):
    away.send(cast.member, until=BACK)
    for n in range(13):
        hold(cast.member, f"e:{n}", f"Event {n} asked for your answer", at=NOW + timedelta(minutes=n))

    away_summary.send_due(now=BACK)

    lines = summaries()[0].payload["content"].split("\n")
    assert lines[0] == "**While you were away**: 13 events asked for your answer."
    assert lines[1:11] == [f"- Event {n} asked for your answer" for n in range(10)]
    assert lines[11:] == ["and 3 more."]


def test_members_never_held_get_nothing(cast, away):
    away.send(cast.organiser, until=BACK)  # away, but nothing was held for her

    assert away_summary.send_due(now=BACK) == 0
    assert summaries() == []


def test_the_summary_waits_for_the_morning_of_the_first_day_back_on_the_members_clock(cast, away):
    # Given alice in Tokyo, away until midnight there (15:00 UTC), with a nudge held
    Member.objects.filter(id=cast.member.member_id).update(timezone="Asia/Tokyo")
    midnight_in_tokyo = datetime(2027, 3, 5, 15, 0, tzinfo=UTC)
    away.send(cast.member, until=midnight_in_tokyo)
    hold(cast.member, "e:1")

    # When she is back at 1:00 and 7:59 in Tokyo, nothing yet; at 8:00 her summary goes
    assert away_summary.send_due(now=midnight_in_tokyo + timedelta(hours=1)) == 0
    assert away_summary.send_due(now=midnight_in_tokyo + timedelta(hours=7, minutes=59)) == 0
    assert away_summary.send_due(now=midnight_in_tokyo + timedelta(hours=8)) == 1


def test_a_member_who_left_or_closed_dms_gets_no_summary_and_their_held_rows_go(cast, away):
    # Given alice and olivia away with nudges held; alice leaves the guild, olivia turns DMs off
    for who in (cast.member, cast.organiser):
        away.send(who, until=BACK)
        hold(who, "e:1")
    GuildMember.objects.filter(id=cast.member.id).update(left_at=NOW + timedelta(days=1))
    Member.objects.filter(id=cast.organiser.member_id).update(dm_reminders=False)

    # When they are back
    assert away_summary.send_due(now=BACK) == 0

    # Then nothing was sent and nothing is kept for later
    assert summaries() == []
    assert HeldNudge.objects.count() == 0


def test_a_member_still_refused_by_another_apps_rule_keeps_their_rows_for_later(cast, away):
    away.send(cast.member, until=BACK)
    hold(cast.member, "e:1")

    def busy(pairs, at):
        return set(pairs) if at < BACK + timedelta(hours=1) else set()

    nudging.register(busy)
    try:
        assert away_summary.send_due(now=BACK) == 0
        assert HeldNudge.objects.filter(summarised_at__isnull=True).count() == 1
        assert away_summary.send_due(now=BACK + timedelta(hours=1)) == 1
    finally:
        nudging.unregister(busy)


def test_a_member_back_in_two_guilds_gets_one_dm_naming_them_which_no_guild_sees(cast, away):
    elsewhere = GuildMemberFactory(guild=GuildFactory(name="Elsewhere"), member=cast.member.member)
    for who in (cast.member, elsewhere):
        away.send(who, until=BACK)
    hold(cast.member, "e:1", "Picnic asked for your answer")
    hold(elsewhere, "e:9", "Hike asked for your answer", at=NOW + timedelta(hours=1))

    assert away_summary.send_due(now=BACK) == 1

    (dm,) = summaries()
    assert dm.guild_id is None
    assert dm.payload["content"] == (
        "**While you were away**: 2 events asked for your answer.\n"
        "- Picnic asked for your answer (Muster HQ)\n"
        "- Hike asked for your answer (Elsewhere)"
    )


def test_a_member_back_in_one_guild_and_away_in_another_is_summarised_for_the_first_now(cast, away):
    elsewhere = GuildMemberFactory(guild=GuildFactory(name="Elsewhere"), member=cast.member.member)
    away.send(cast.member, until=BACK)
    away.send(elsewhere, until=BACK + timedelta(days=3))
    hold(cast.member, "e:1", "Picnic asked for your answer")
    hold(elsewhere, "e:9", "Hike asked for your answer")

    assert away_summary.send_due(now=BACK) == 1
    assert away_summary.send_due(now=BACK + timedelta(days=3)) == 1

    first, second = summaries()
    assert first.guild_id == cast.guild.id and first.payload["content"].endswith("- Picnic asked for your answer")
    assert second.guild_id == elsewhere.guild_id and second.payload["content"].endswith("- Hike asked for your answer")


def test_a_tick_works_through_members_in_batches_and_stops_at_its_limit(away):
    guild = GuildFactory()
    members = [GuildMemberFactory(guild=guild) for _ in range(5)]
    for who in members:
        away.send(who, until=BACK)
        hold(who, "e:1")

    assert away_summary.send_due(now=BACK, batch=2, limit=3) == 3
    assert away_summary.send_due(now=BACK, batch=2, limit=3) == 2
    assert sorted(dm.member_id for dm in summaries()) == sorted(m.member_id for m in members)


def test_beats_away_summary_task_sends_the_summary_now(cast, away, settings):
    # Given alice back now, in a zone where it is about noon, with a nudge held last week
    utc_hour = timezone.now().hour
    offset = 12 - utc_hour  # Etc/GMT-N is N hours ahead of UTC
    zone = f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}" if offset else "UTC"
    Member.objects.filter(id=cast.member.member_id).update(timezone=zone)
    away.send(cast.member, until=timezone.now() - timedelta(minutes=1))
    hold(cast.member, "e:1", at=timezone.now() - timedelta(days=7))

    # When beat's entry runs its task
    entry = settings.CELERY_BEAT_SCHEDULE["away-summary"]
    current_app.tasks[entry["task"]].apply()

    # Then her summary is written
    assert [dm.member_id for dm in summaries()] == [cast.member.member_id]
