"""Standups: each participant asked at 09:00 of their own day (across DST), once a day, skipped
when they skip or are away, reminded once, answers posted (and edited) or gathered into a digest."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import nudging
from core.errors import RuleError
from core.models import OutboundMessage
from standups import services
from standups.discord import messages
from standups.models import Checkin, Digest, Standup
from standups.services import StandupDraft, answer, create_standup, skip_today, tick
from tests.factories import GuildFactory, GuildMemberFactory, MemberFactory

pytestmark = pytest.mark.django_db
ROLE = 500_000_000_000_000_077
CHANNEL = 700_000_000_000_000_077
CREATED = datetime(2026, 10, 1, tzinfo=UTC)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def team(*zones: str, guild_zone: str = "Europe/Paris"):
    """A guild whose members (one per zone; "" for none of their own) hold the team role."""
    guild = GuildFactory(timezone=guild_zone)
    members = [
        GuildMemberFactory(guild=guild, role_ids=[ROLE], member=MemberFactory(timezone=z)).member_id for z in zones
    ]
    return guild, members


def standup(guild, **fields) -> Standup:
    draft = StandupDraft(channel_id=CHANNEL, role_id=ROLE, weekdays=0b1111111, **fields)
    return create_standup(guild, draft, now=CREATED)


def prompted(standup_id=None):
    rows = OutboundMessage.objects.filter(idempotency_key__startswith="standup-prompt:")
    if standup_id:
        rows = rows.filter(idempotency_key__startswith=f"standup-prompt:{standup_id}:")
    return sorted((m.member_id, m.idempotency_key.rsplit(":", 1)[1]) for m in rows)


def test_members_in_new_york_and_kolkata_are_asked_at_their_own_nine_across_the_dst_change():
    guild, (ny, kolkata) = team("America/New_York", "Asia/Kolkata")
    daily = standup(guild, ask_at=time(9, 0))

    # Friday 30 October 2026: New York is on EDT (UTC-4), Kolkata is UTC+5:30 all year.
    assert tick(now=utc(2026, 10, 30, 3, 29)).asked == 0
    assert tick(now=utc(2026, 10, 30, 3, 30)).asked == 1
    assert prompted() == [(kolkata, "2026-10-30")]
    assert tick(now=utc(2026, 10, 30, 12, 59)).asked == 0
    assert tick(now=utc(2026, 10, 30, 13, 0)).asked == 1  # 09:00 EDT
    # Monday 2 November: the clocks went back on Sunday, 09:00 EST is 14:00 UTC.
    assert tick(now=utc(2026, 11, 2, 3, 30)).asked == 1  # Kolkata, unchanged
    assert tick(now=utc(2026, 11, 2, 13, 0)).asked == 0  # 08:00 in New York now
    assert tick(now=utc(2026, 11, 2, 14, 0)).asked == 1
    assert sorted(prompted(daily.id)) == sorted(
        [(kolkata, "2026-10-30"), (ny, "2026-10-30"), (kolkata, "2026-11-02"), (ny, "2026-11-02")]
    )
    assert Checkin.objects.get(member_id=ny, local_date=date(2026, 11, 2)).due_at == utc(2026, 11, 2, 14, 0)


def test_a_member_without_a_zone_of_their_own_is_asked_in_the_guilds():
    guild, (_member,) = team("", guild_zone="Asia/Tokyo")
    standup(guild, ask_at=time(9, 30))

    assert tick(now=utc(2026, 10, 5, 0, 29)).asked == 0
    assert tick(now=utc(2026, 10, 5, 0, 30)).asked == 1  # 09:30 in Tokyo


def test_each_member_is_asked_once_a_day_however_many_ticks_run():
    guild, members = team("Europe/Paris", "Europe/Paris")
    daily = standup(guild)

    assert tick(now=utc(2026, 10, 5, 7, 0)).asked == 2  # 09:00 CEST
    assert tick(now=utc(2026, 10, 5, 7, 0)).asked == 0  # the same minute again (a retried task)
    assert tick(now=utc(2026, 10, 5, 7, 1)).asked == 0
    assert tick(now=utc(2026, 10, 5, 8, 30)).asked == 0
    assert len(prompted(daily.id)) == 2
    dm = OutboundMessage.objects.filter(member_id=members[0]).get().payload
    buttons = dm["components"][0]["components"]
    checkin = Checkin.objects.get(member_id=members[0])
    assert [b["custom_id"] for b in buttons] == [f"standup:open:{checkin.id}", f"standup:skip:{checkin.id}"]
    assert "What did you do yesterday?" in dm["content"]


def test_only_the_days_it_runs_and_not_later_than_the_catch_up_nor_before_it_existed():
    guild, (member,) = team("Europe/Paris")
    weekdays = create_standup(guild, StandupDraft(channel_id=CHANNEL, role_id=ROLE), now=utc(2026, 10, 5, 7, 30))

    assert tick(now=utc(2026, 10, 5, 7, 31)).asked == 0  # created after Monday's 09:00: from Tuesday on
    assert tick(now=utc(2026, 10, 10, 7, 0)).asked == 0  # Saturday
    assert tick(now=utc(2026, 10, 12, 9, 1)).asked == 0  # Monday, more than two hours late (Muster was down)
    assert tick(now=utc(2026, 10, 13, 8, 59)).asked == 1  # Tuesday, an hour late: still asked
    assert prompted(weekdays.id) == [(member, "2026-10-13")]


def test_paused_standups_ask_nobody_and_a_member_who_left_is_not_asked():
    guild, (stays, leaves) = team("Europe/Paris", "Europe/Paris")
    daily = standup(guild)
    services.set_paused(daily.id, guild.id, True)
    assert tick(now=utc(2026, 10, 5, 7, 0)).asked == 0

    services.set_paused(daily.id, guild.id, False)
    leaving = daily.guild.memberships.get(member_id=leaves)
    leaving.left_at = utc(2026, 10, 5)
    leaving.save()
    assert tick(now=utc(2026, 10, 6, 7, 0)).asked == 1
    assert prompted(daily.id) == [(stays, "2026-10-06")]


def test_listed_members_take_part_without_the_role():
    guild = GuildFactory()
    listed = GuildMemberFactory(guild=guild).member_id
    GuildMemberFactory(guild=guild)  # not listed
    made = create_standup(guild, StandupDraft(channel_id=CHANNEL, member_ids=[listed], weekdays=0b1111111), now=CREATED)

    assert tick(now=utc(2026, 10, 5, 7, 0)).asked == 1
    assert prompted(made.id) == [(listed, "2026-10-05")]


def test_members_with_dms_off_are_not_asked_and_show_as_not_asked():
    guild, (open_dms, closed) = team("Europe/Paris", "Europe/Paris")
    MemberFactory._meta.model.objects.filter(id=closed).update(dm_reminders=False)
    daily = standup(guild)

    done = tick(now=utc(2026, 10, 5, 7, 0))

    assert (done.asked, done.unreachable) == (1, 1)
    assert prompted(daily.id) == [(open_dms, "2026-10-05")]
    assert Checkin.objects.get(member_id=closed).status == Checkin.Status.UNREACHABLE


def test_members_away_get_no_prompt_and_the_digest_lists_them_on_leave():
    guild, (works, resting) = team("Europe/Paris", "Europe/Paris")
    daily = standup(guild, cutoff_at=time(11, 0))

    def on_leave(pairs, at):
        return {pair: "on leave until Friday 9 October" for pair in pairs if pair[1] == resting}

    nudging.register_away(on_leave)
    try:
        done = tick(now=utc(2026, 10, 5, 7, 0))
    finally:
        nudging.unregister_away(on_leave)

    assert (done.asked, done.away) == (1, 1)
    assert prompted(daily.id) == [(works, "2026-10-05")]
    away = Checkin.objects.get(member_id=resting)
    assert (away.status, away.away_reason) == (Checkin.Status.AWAY, "on leave until Friday 9 October")
    assert tick(now=utc(2026, 10, 5, 9, 0)).digests == 1  # 11:00 CEST
    text = " ".join(m.payload["content"] for m in OutboundMessage.objects.filter(channel_id=CHANNEL))
    assert f"**On leave**: <@{resting}> (on leave until Friday 9 October)" in text
    assert f"**No answer**: <@{works}>" in text


def test_skip_today_before_the_prompt_means_no_prompt_and_skipped_in_the_digest():
    guild, (skips, answers) = team("Europe/Paris", "Europe/Paris")
    daily = standup(guild, cutoff_at=time(11, 0))

    skip_today(daily.id, guild.id, skips, now=utc(2026, 10, 5, 6, 0))
    with pytest.raises(RuleError, match="already"):
        skip_today(daily.id, guild.id, skips, now=utc(2026, 10, 5, 6, 30))
    tick(now=utc(2026, 10, 5, 7, 0))
    checkin = Checkin.objects.get(member_id=answers)
    answer(checkin.id, answers, ["Reviews", "The release", ""], now=utc(2026, 10, 5, 8, 0))
    tick(now=utc(2026, 10, 5, 9, 0))

    assert prompted(daily.id) == [(answers, "2026-10-05")]
    posts = OutboundMessage.objects.filter(channel_id=CHANNEL).order_by("idempotency_key")
    assert f"**Skipped**: <@{skips}>" in posts.last().payload["content"]
    fields = posts.first().payload["embeds"][0]["fields"]
    assert [(f["name"], f["value"]) for f in fields] == [
        ("What did you do yesterday?", "Reviews"),
        ("What will you do today?", "The release"),
        ("Anything blocking you?", "—"),
    ]


def test_skip_from_the_prompt_stops_the_reminder_and_a_non_participant_cannot_skip():
    guild, (member,) = team("Europe/Paris")
    daily = standup(guild, remind_at=time(10, 0))
    outsider = GuildMemberFactory(guild=guild).member_id
    tick(now=utc(2026, 10, 5, 7, 0))
    checkin = Checkin.objects.get(member_id=member)

    services.skip_checkin(checkin.id, member, now=utc(2026, 10, 5, 7, 30))

    assert tick(now=utc(2026, 10, 5, 8, 0)).reminded == 0
    with pytest.raises(RuleError, match="do not take part"):
        skip_today(daily.id, guild.id, outsider, now=utc(2026, 10, 5, 7, 30))
    with pytest.raises(RuleError, match="not yours"):
        services.skip_checkin(checkin.id, outsider, now=utc(2026, 10, 5, 7, 30))


def test_one_reminder_at_the_reminder_time_only_to_those_who_have_not_answered():
    guild, (quick, slow) = team("Europe/Paris", "Europe/Paris")
    standup(guild, remind_at=time(10, 30))
    tick(now=utc(2026, 10, 5, 7, 0))
    answer(Checkin.objects.get(member_id=quick).id, quick, ["a", "b", "c"], now=utc(2026, 10, 5, 7, 5))

    assert tick(now=utc(2026, 10, 5, 8, 29)).reminded == 0
    assert tick(now=utc(2026, 10, 5, 8, 30)).reminded == 1
    assert tick(now=utc(2026, 10, 5, 8, 31)).reminded == 0
    reminders = OutboundMessage.objects.filter(idempotency_key__startswith="standup-reminder:")
    assert list(reminders.values_list("member_id", flat=True)) == [slow]


def test_without_a_cutoff_each_answer_is_one_post_and_answering_again_edits_it_until_the_day_ends():
    guild, (member,) = team("Europe/Paris")
    standup(guild)
    tick(now=utc(2026, 10, 5, 7, 0))
    checkin = Checkin.objects.get(member_id=member)

    answer(checkin.id, member, ["Planning", "Coding", "Nothing"], now=utc(2026, 10, 5, 7, 10))
    answer(checkin.id, member, ["Planning", "Coding and tests", "Nothing"], now=utc(2026, 10, 5, 12, 0))

    posts = OutboundMessage.objects.filter(channel_id=CHANNEL)
    assert posts.count() == 1
    post = posts.get()
    assert (post.idempotency_key, post.refresh_kind, post.refresh_object_id) == (
        f"standup-answer:{checkin.id}",
        messages.ANSWER_KIND,
        checkin.id,
    )
    OutboundMessage.objects.filter(id=post.id).update(delivered_message_id=123, delivered_channel_id=CHANNEL)
    redrawn = messages.render_answer(checkin.id)
    assert redrawn.message_id == 123
    assert redrawn.message["embeds"][0]["fields"][1]["value"] == "Coding and tests"
    assert redrawn.message["embeds"][0]["footer"] == {"text": "edited"}
    with pytest.raises(RuleError, match="closed"):
        answer(checkin.id, member, ["late"], now=utc(2026, 10, 5, 22, 0))  # midnight in Paris


def test_with_a_cutoff_answers_wait_for_one_digest_and_may_change_until_the_cutoff():
    guild, (ann, bob) = team("Europe/Paris", "Europe/Paris")
    daily = standup(guild, cutoff_at=time(10, 0))
    tick(now=utc(2026, 10, 5, 7, 0))
    ann_day, bob_day = (Checkin.objects.get(member_id=m) for m in (ann, bob))

    answer(ann_day.id, ann, ["x", "first", ""], now=utc(2026, 10, 5, 7, 10))
    answer(ann_day.id, ann, ["x", "second", ""], now=utc(2026, 10, 5, 7, 50))
    assert not OutboundMessage.objects.filter(channel_id=CHANNEL).exists()
    assert tick(now=utc(2026, 10, 5, 7, 59)).digests == 0
    assert tick(now=utc(2026, 10, 5, 8, 0)).digests == 1  # 10:00 CEST
    assert tick(now=utc(2026, 10, 5, 8, 1)).digests == 0
    with pytest.raises(RuleError, match="closed"):
        answer(bob_day.id, bob, ["too late"], now=utc(2026, 10, 5, 8, 0))

    posts = list(OutboundMessage.objects.filter(channel_id=CHANNEL).order_by("idempotency_key"))
    digest = Digest.objects.get(standup=daily)
    assert [p.idempotency_key for p in posts] == [f"standup-digest:{digest.id}:0", f"standup-digest:{digest.id}:1"]
    assert "1 answered" in posts[0].payload["content"]
    assert posts[0].payload["embeds"][0]["fields"][1]["value"] == "second"
    assert posts[1].payload["content"] == f"**No answer**: <@{bob}>"


def test_the_digest_waits_for_the_last_participants_cutoff():
    guild, (_paris, _ny) = team("Europe/Paris", "America/New_York")
    daily = standup(guild, cutoff_at=time(10, 0))
    tick(now=utc(2026, 10, 5, 7, 0))
    tick(now=utc(2026, 10, 5, 13, 0))

    assert Digest.objects.get(standup=daily).due_at == utc(2026, 10, 5, 14, 0)  # 10:00 in New York
    assert tick(now=utc(2026, 10, 5, 8, 0)).digests == 0


def test_a_big_digest_is_cut_into_messages_discord_accepts():
    guild, _members = team(*["Europe/Paris"] * 14)
    daily = standup(guild, cutoff_at=time(10, 0))
    tick(now=utc(2026, 10, 5, 7, 0))
    for checkin in Checkin.objects.all():
        answer(checkin.id, checkin.member_id, ["y" * 1000, "t" * 1000, "b" * 1000], now=utc(2026, 10, 5, 7, 5))

    tick(now=utc(2026, 10, 5, 8, 0))

    posts = OutboundMessage.objects.filter(channel_id=CHANNEL)
    assert sum(len(p.payload["embeds"]) for p in posts) == 14
    assert posts.count() > 2
    assert Digest.objects.get(standup=daily).posted_at is not None


def test_the_tick_takes_the_same_queries_for_ten_members_or_sixty():
    def queries(n):
        guild, _ = team(*["Asia/Kolkata", "America/New_York", "Europe/Paris"] * n)
        standup(guild, remind_at=time(10, 0), cutoff_at=time(12, 0))
        at = utc(2026, 10, 5, 3, 30) + timedelta(days=7 * n)
        with CaptureQueriesContext(connection) as captured:
            tick(now=at)
        Standup.objects.all().delete()
        return len(captured)

    assert queries(3) == queries(20)


def test_what_organisers_type_is_read_or_refused_with_a_sentence():
    assert services.parse_clock("9am") == time(9, 0)
    assert services.parse_clock("17:45") == time(17, 45)
    assert services.parse_clock("5.30pm") == time(17, 30)
    assert services.parse_days("mon-fri") == 0b0011111
    assert services.parse_days("sat-mon") == 0b1100001
    assert services.describe_days(services.parse_days("mon,wed")) == "Mon, Wed"
    assert services.parse_questions("Done?; Next?| Blocked?") == ["Done?", "Next?", "Blocked?"]
    for bad, call in [
        ("not a time of day", lambda: services.parse_clock("25:00")),
        ("not a day", lambda: services.parse_days("funday")),
        ("at most 5", lambda: services.parse_questions("a;b;c;d;e;f")),
        ("too long", lambda: services.parse_questions("x" * 46)),
    ]:
        with pytest.raises(RuleError, match=bad):
            call()
    guild, _ = team("Europe/Paris")
    with pytest.raises(RuleError, match="cutoff must be later"):
        standup(guild, ask_at=time(9, 0), cutoff_at=time(8, 0))
    with pytest.raises(RuleError, match="before the cutoff"):
        standup(guild, ask_at=time(9, 0), remind_at=time(11, 0), cutoff_at=time(10, 0))
    with pytest.raises(RuleError, match="Say who takes part"):
        create_standup(guild, StandupDraft(channel_id=CHANNEL), now=CREATED)


def test_answers_are_in_the_members_export_and_forget_me_deletes_them():
    from core import personal_data

    guild, (member,) = team("Europe/Paris")
    standup(guild)
    tick(now=utc(2026, 10, 5, 7, 0))
    answer(Checkin.objects.get().id, member, ["Shipped the bench", "", ""], now=utc(2026, 10, 5, 7, 5))

    exported = personal_data.export(member, now=utc(2026, 10, 6))
    assert "Shipped the bench" in exported and "Your standup answers and days" in exported

    changed = personal_data.forget(member, now=utc(2026, 10, 6))
    assert changed["standups.Checkin"] == 1
    assert not Checkin.objects.exists()
