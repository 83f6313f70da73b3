"""Scheduled messages: recurrences across DST, "2nd Tuesday", end dates, the grace window, pauses."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from community import schedules
from community.models import Occurrence, ScheduledMessage
from community.schedules import Plan, Recurrence, ScheduleDraft
from core.errors import RuleError
from core.models import DeliveryPause, OutboundMessage

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
CHANNEL = 700_000_000_000_000_077
Status = ScheduledMessage.Status


def paris(*parts) -> datetime:
    return datetime(*parts, tzinfo=PARIS)


def draft(**fields) -> ScheduleDraft:
    fields.setdefault("channel_id", CHANNEL)
    fields.setdefault("starts_at", paris(2026, 3, 27, 9, 0))
    fields.setdefault("content", "Good morning {guild}, it is {date}")
    return ScheduleDraft(**fields)


def create(cast, **fields) -> ScheduledMessage:
    return schedules.create_schedule(cast.guild, draft(**fields), created_by_id=cast.organiser.member_id, now=NOW)


def local(moments) -> list[str]:
    return [m.astimezone(PARIS).strftime("%a %Y-%m-%d %H:%M %Z") for m in moments]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Recurrence("once")),
        ("once", Recurrence("once")),
        ("Daily", Recurrence("daily")),
        ("weekly", Recurrence("weekly")),
        ("weekly mon,thu", Recurrence("weekly", (0, 3))),
        ("weekly on Thursday and monday", Recurrence("weekly", (0, 3))),
        ("monthly", Recurrence("monthly")),
        ("monthly 2nd tue", Recurrence("monthly", (1,), 2)),
        ("monthly last fri", Recurrence("monthly", (4,), -1)),
    ],
)
def test_it_reads_the_repetitions_organisers_type(text, expected):
    assert schedules.parse_recurrence(text) == expected


def test_it_refuses_a_repetition_it_does_not_know_and_says_what_it_knows():
    with pytest.raises(
        RuleError,
        match=r"^'fortnightly' is not a repetition Muster knows\. Write once, daily, weekly \(or \"weekly mon,thu\"\), "
        r"monthly \(or \"monthly 2nd tue\", \"monthly last fri\"\)\.$",
    ):
        schedules.parse_recurrence("fortnightly")
    with pytest.raises(RuleError, match=r"^'funday' is not a day of the week \(mon, tue, wed, thu, fri, sat, sun\)\.$"):
        schedules.parse_recurrence("weekly funday")


def test_a_daily_post_keeps_its_wall_clock_time_across_the_spring_and_autumn_changes():
    plan = Plan(paris(2026, 3, 27, 9, 0), PARIS, Recurrence("daily"))
    assert local(schedules.upcoming(plan, after=NOW, count=4)) == [
        "Fri 2026-03-27 09:00 CET",
        "Sat 2026-03-28 09:00 CET",
        "Sun 2026-03-29 09:00 CEST",
        "Mon 2026-03-30 09:00 CEST",
    ]
    utc = schedules.upcoming(plan, after=NOW, count=4)
    assert [m.hour for m in utc] == [8, 8, 7, 7]
    autumn = schedules.upcoming(plan, after=datetime(2026, 10, 23, tzinfo=UTC), count=3)
    assert local(autumn) == ["Fri 2026-10-23 09:00 CEST", "Sat 2026-10-24 09:00 CEST", "Sun 2026-10-25 09:00 CET"]


def test_a_time_the_clocks_skip_posts_after_the_jump_and_a_repeated_one_at_its_first():
    skipped = Plan(paris(2026, 3, 28, 2, 30), PARIS, Recurrence("daily"))
    assert local(schedules.upcoming(skipped, after=NOW, count=3)) == [
        "Sat 2026-03-28 02:30 CET",
        "Sun 2026-03-29 03:30 CEST",
        "Mon 2026-03-30 02:30 CEST",
    ]
    repeated = Plan(paris(2026, 10, 24, 2, 30), PARIS, Recurrence("daily"))
    first, second = schedules.upcoming(repeated, after=datetime(2026, 10, 24, tzinfo=UTC), count=3)[1:]
    assert (first, second) == (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 10, 26, 1, 30, tzinfo=UTC))


def test_weekly_on_chosen_days_and_monthly_on_the_2nd_tuesday_and_the_last_friday():
    weekly = Plan(paris(2026, 3, 23, 18, 0), PARIS, Recurrence("weekly", (0, 3)))
    assert local(schedules.upcoming(weekly, after=NOW, count=4)) == [
        "Mon 2026-03-23 18:00 CET",
        "Thu 2026-03-26 18:00 CET",
        "Mon 2026-03-30 18:00 CEST",
        "Thu 2026-04-02 18:00 CEST",
    ]
    second_tuesday = Plan(paris(2026, 3, 21, 19, 0), PARIS, Recurrence("monthly", (1,), 2))
    assert local(schedules.upcoming(second_tuesday, after=NOW, count=3)) == [
        "Tue 2026-04-14 19:00 CEST",
        "Tue 2026-05-12 19:00 CEST",
        "Tue 2026-06-09 19:00 CEST",
    ]
    last_friday = Plan(paris(2026, 3, 21, 19, 0), PARIS, Recurrence("monthly", (4,), -1))
    assert local(schedules.upcoming(last_friday, after=NOW, count=2)) == [
        "Fri 2026-03-27 19:00 CET",
        "Fri 2026-04-24 19:00 CEST",
    ]


def test_monthly_on_the_31st_skips_the_months_without_one_and_an_end_date_stops_it():
    plan = Plan(paris(2026, 3, 31, 9, 0), PARIS, Recurrence("monthly"), ends_on=date(2026, 8, 31))
    assert local(schedules.upcoming(plan, after=NOW, count=9)) == [
        "Tue 2026-03-31 09:00 CEST",
        "Sun 2026-05-31 09:00 CEST",
        "Fri 2026-07-31 09:00 CEST",
        "Mon 2026-08-31 09:00 CEST",
    ]


def test_creating_shows_the_next_five_occurrences_and_stores_the_first(cast):
    weekly = draft(recurrence=Recurrence("weekly", (4,)), ends_on=date(2026, 4, 24))
    assert local(schedules.preview(cast.guild, weekly, now=NOW)) == [
        "Fri 2026-03-27 09:00 CET",
        "Fri 2026-04-03 09:00 CEST",
        "Fri 2026-04-10 09:00 CEST",
        "Fri 2026-04-17 09:00 CEST",
        "Fri 2026-04-24 09:00 CEST",
    ]
    schedule = create(cast, recurrence=Recurrence("weekly", (4,)))
    assert (schedule.timezone, schedule.next_occurrence_at) == ("Europe/Paris", paris(2026, 3, 27, 9, 0))


def test_it_refuses_a_schedule_that_never_posts_or_ends_before_it_starts(cast):
    with pytest.raises(RuleError, match=r"^The end date is before the first time; give a later end date or none\.$"):
        create(cast, recurrence=Recurrence("daily"), ends_on=date(2026, 3, 26))
    with pytest.raises(RuleError, match=r"^That schedule never posts: no day matches it before its end date\.$"):
        create(cast, recurrence=Recurrence("weekly", (0,)), ends_on=date(2026, 3, 29))
    with pytest.raises(RuleError, match=r"^The first time is in the past; give a time from now on\.$"):
        create(cast, starts_at=NOW - timedelta(minutes=1))
    with pytest.raises(RuleError, match=r"^A message sent once has no end date; leave it empty, or make it repeat\.$"):
        create(cast, ends_on=date(2026, 4, 1))
    assert ScheduledMessage.objects.count() == 0


def test_a_due_occurrence_posts_once_through_the_outbox(cast):
    schedule = create(cast, recurrence=Recurrence("daily"))
    at = paris(2026, 3, 27, 9, 0)
    assert schedules.post_due(now=at - timedelta(seconds=1)) == 0
    assert schedules.post_due(now=at + timedelta(seconds=5)) == 1
    assert schedules.post_due(now=at + timedelta(seconds=25)) == 0
    message = OutboundMessage.objects.get()
    assert message.idempotency_key == f"schedule:{schedule.id}:at:2026-03-27T08:00:00Z"
    assert (message.channel_id, message.payload["content"]) == (CHANNEL, "Good morning Muster HQ, it is 2026-03-27")
    assert message.payload["allowed_mentions"] == {"parse": [], "roles": []}
    schedule.refresh_from_db()
    assert schedule.next_occurrence_at == paris(2026, 3, 28, 9, 0)
    assert list(schedule.occurrences.values_list("outcome", flat=True)) == ["sent"]


def test_after_an_outage_what_is_within_the_grace_window_posts_and_what_is_older_is_skipped_visibly(cast):
    schedule = create(cast, recurrence=Recurrence("daily"), grace_minutes=90)
    back = paris(2026, 3, 30, 10, 0)  # down since before the 27th's post; the 30th's is an hour late
    assert schedules.post_due(now=back) == 1
    outcomes = list(schedule.occurrences.order_by("occurs_at").values_list("occurs_at", "outcome"))
    assert outcomes == [
        (paris(2026, 3, 27, 9, 0), "skipped"),
        (paris(2026, 3, 28, 9, 0), "skipped"),
        (paris(2026, 3, 29, 9, 0), "skipped"),
        (paris(2026, 3, 30, 9, 0), "sent"),
    ]
    assert OutboundMessage.objects.get().idempotency_key.endswith(":at:2026-03-30T07:00:00Z")
    schedule.refresh_from_db()
    assert schedule.next_occurrence_at == paris(2026, 3, 31, 9, 0)


def test_a_once_schedule_finishes_after_its_post(cast):
    schedule = create(cast)
    schedules.post_due(now=paris(2026, 3, 27, 9, 1))
    schedule.refresh_from_db()
    assert (schedule.status, schedule.next_occurrence_at) == (Status.FINISHED, None)


def test_a_deleted_channel_pauses_the_schedule_and_tells_its_organiser_once(cast):
    schedule = create(cast, recurrence=Recurrence("daily"))
    schedules.post_due(now=paris(2026, 3, 27, 9, 0))
    OutboundMessage.objects.filter(channel_id=CHANNEL).update(
        status=OutboundMessage.Status.UNDELIVERABLE,
        last_error="POST /channels/{channel_id}/messages: Unknown Channel / HTTP 404 / code 10003",
    )
    assert schedules.post_due(now=paris(2026, 3, 27, 9, 1)) == 0
    assert schedules.post_due(now=paris(2026, 3, 28, 9, 0)) == 0
    schedule.refresh_from_db()
    assert (schedule.status, schedule.paused_reason) == (Status.PAUSED, f"the channel <#{CHANNEL}> no longer exists")
    dm = OutboundMessage.objects.get(member_id=cast.organiser.member_id)
    assert dm.idempotency_key == f"schedule:{schedule.id}:paused:1"
    assert dm.payload["content"] == (
        f"Your scheduled message {schedule.id} in Muster HQ is paused: the channel <#{CHANNEL}> no longer exists. "
        f"Fix the channel (or edit the schedule), then run /schedule resume schedule:{schedule.id}."
    )


def test_a_channel_muster_may_no_longer_post_in_pauses_the_schedule_before_its_post(cast):
    schedule = create(cast, recurrence=Recurrence("daily"))
    DeliveryPause.objects.create(scope=f"channel:{CHANNEL}", reason="403", retry_at=NOW + timedelta(days=30))
    assert schedules.post_due(now=paris(2026, 3, 27, 9, 0)) == 0
    schedule.refresh_from_db()
    assert schedule.status == Status.PAUSED
    assert schedule.paused_reason == f"Muster may not post in <#{CHANNEL}> any more (its permission there was removed)"
    assert list(schedule.occurrences.values_list("outcome", flat=True)) == []
    assert OutboundMessage.objects.filter(channel_id=CHANNEL).count() == 0
    assert OutboundMessage.objects.filter(member_id=cast.organiser.member_id).count() == 1


def test_resuming_starts_at_the_next_occurrence_from_now_without_sending_what_fell_in_the_pause(cast):
    schedule = create(cast, recurrence=Recurrence("daily"))
    assert schedules.pause_schedule(schedule, now=NOW, reason="paused by an organiser") is True
    assert schedules.pause_schedule(schedule, now=NOW, reason="again") is False
    assert schedules.post_due(now=paris(2026, 3, 29, 12, 0)) == 0
    resumed = schedules.resume_schedule(schedule, now=paris(2026, 3, 29, 12, 0))
    assert (resumed.status, resumed.next_occurrence_at) == (Status.ACTIVE, paris(2026, 3, 30, 9, 0))
    assert Occurrence.objects.count() == 0
    with pytest.raises(RuleError, match=r"^That schedule is not paused\.$"):
        schedules.resume_schedule(schedule, now=NOW)


def test_a_broken_schedule_does_not_hold_up_the_others(cast):
    broken, fine = create(cast, content="A"), create(cast, content="B")
    ScheduledMessage.objects.filter(id=broken.id).update(content="", embed={"fields": [{"name": "x", "value": ""}]})
    assert schedules.post_due(now=paris(2026, 3, 27, 9, 0)) == 1
    assert list(OutboundMessage.objects.values_list("payload__content", flat=True)) == ["B"]
    assert ScheduledMessage.objects.get(id=broken.id).next_occurrence_at == paris(2026, 3, 27, 9, 0)
    assert fine.occurrences.count() == 1


def test_a_time_already_settled_is_never_posted_again(cast):
    schedule = create(cast, recurrence=Recurrence("daily"))
    Occurrence.objects.create(schedule=schedule, occurs_at=paris(2026, 3, 27, 9, 0), outcome="sent")
    assert schedules.post_due(now=paris(2026, 3, 27, 9, 0)) == 0
    assert OutboundMessage.objects.count() == 0
    assert ScheduledMessage.objects.get(id=schedule.id).next_occurrence_at == paris(2026, 3, 28, 9, 0)
