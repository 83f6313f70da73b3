"""Series: occurrences materialised a window ahead (once each, in bounded queries), the
three scopes of edits and cancellations, and registering for the whole series."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from core.errors import RuleError
from core.models import OutboundMessage
from core.recurrence import parse_rule
from events import series as series_services
from events.discord.messages import SERIES_JOIN, post_key
from events.models import Event, Registration, Reminder, Series, SeriesMember
from events.series import ALL, FOLLOWING, THIS, SeriesPlan, create_series, materialise
from events.services import EventDraft, click_sequence, respond
from tests.factories import GuildFactory, MemberFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)  # a Monday, four weeks before the spring change
FIRST = datetime(2027, 3, 2, 17, 0, tzinfo=UTC)  # Tuesday 18:00 in Berlin
Status = Registration.Status


def weekly(guild=None, *, rule="weekly", capacity=None, **fields):
    guild = guild or GuildFactory(timezone="Europe/Berlin", announcement_channel_id=700_000_000_000_000_009)
    draft = EventDraft(title="Choir", starts_at=FIRST, ends_at=FIRST + timedelta(hours=2), capacity=capacity, **fields)
    return create_series(guild, draft, SeriesPlan(parse_rule(rule)), now=NOW)


def local_starts(series):
    return [e.starts_at.astimezone(BERLIN).strftime("%m-%d %H:%M") for e in series.occurrences.order_by("starts_at")]


def test_it_materialises_the_window_at_18_00_local_across_the_spring_change():
    series = weekly()

    assert local_starts(series) == [
        "03-02 18:00",
        "03-09 18:00",
        "03-16 18:00",
        "03-23 18:00",
        "03-30 18:00",  # after the change on 28 March: 16:00 UTC
        "04-06 18:00",
        "04-13 18:00",
        "04-20 18:00",
    ]
    occurrence = series.occurrences.get(occurrence_start=datetime(2027, 3, 30, 16, 0, tzinfo=UTC))
    assert (occurrence.title, occurrence.ends_at, occurrence.channel_id) == (
        "Choir",
        datetime(2027, 3, 30, 18, 0, tzinfo=UTC),
        700_000_000_000_000_009,
    )
    assert Reminder.objects.filter(event__series=series).count() == 8
    posts = OutboundMessage.objects.filter(idempotency_key__in=[post_key(e) for e in series.occurrences.all()])
    assert posts.count() == 8
    buttons = [c["custom_id"] for r in posts.first().payload["components"] for c in r["components"]]
    assert SERIES_JOIN.build(series_id=series.id) in buttons


def test_materialising_twice_creates_nothing_the_second_time_and_the_window_moves_on():
    series = weekly()

    assert materialise(now=NOW).occurrences == 0
    assert materialise(now=NOW + timedelta(days=7)).occurrences == 1
    assert materialise(now=NOW + timedelta(days=7)).occurrences == 0
    assert series.occurrences.count() == 9
    assert OutboundMessage.objects.count() == 9


def test_counted_and_dated_series_end():
    counted = weekly(rule="weekly for 3 times")
    dated = weekly(rule="weekly until 2027-03-16")

    assert local_starts(counted) == ["03-02 18:00", "03-09 18:00", "03-16 18:00"]
    assert local_starts(dated) == ["03-02 18:00", "03-09 18:00", "03-16 18:00"]
    assert Series.objects.get(id=counted.id).status == Series.Status.ENDED


@override_settings(SERIES_WINDOW_DAYS=120)
def test_monthly_on_the_last_friday_keeps_its_local_time():
    guild = GuildFactory(timezone="Europe/Berlin")
    draft = EventDraft(title="Quiz", starts_at=datetime(2027, 3, 26, 19, 0, tzinfo=UTC))  # 20:00 CET
    series = create_series(guild, draft, SeriesPlan(parse_rule("monthly on the last fri")), now=NOW)

    assert local_starts(series) == ["03-26 20:00", "04-30 20:00", "05-28 20:00", "06-25 20:00"]


@pytest.mark.postgres  # SQLite splits a bulk insert into batches of its 999-variable limit
def test_a_tick_costs_the_same_queries_for_5_and_50_series():
    guild = GuildFactory(timezone="Europe/Berlin")
    members = MemberFactory.create_batch(3)

    def cost(n):
        made = [weekly(guild) for _ in range(n)]
        for series in made:
            for place, member in enumerate(members):
                SeriesMember.objects.create(series=series, member=member, sequence=place)
        with CaptureQueriesContext(connection) as queries:
            assert materialise(now=NOW + timedelta(days=14)).occurrences == 2 * n
        Series.objects.update(status=Series.Status.CANCELLED)
        return len(queries)

    few, many = cost(5), cost(50)
    assert few == many
    assert few <= 12


def test_members_of_the_series_are_registered_in_new_occurrences_under_capacity_in_join_order():
    series = weekly(capacity=2)
    first, second, third = MemberFactory.create_batch(3)
    for member, at in ((third, 1), (first, 2), (second, 3)):
        series_services.join_series(series.id, member.id, sequence=click_sequence(NOW) + at, now=NOW)

    materialise(now=NOW + timedelta(days=7))

    new = series.occurrences.order_by("-starts_at").first()
    assert list(new.registrations.order_by("sequence").values_list("member_id", "status", "from_series")) == [
        (third.id, Status.GOING, True),
        (first.id, Status.GOING, True),
        (second.id, Status.WAITLISTED, True),
    ]
    # and joining registered them in every occurrence already there
    assert Registration.objects.filter(member=second, event__series=series).count() == 9
    assert Registration.objects.filter(member=second, status=Status.WAITLISTED).count() == 9


def test_joining_keeps_an_answer_already_given_and_joining_twice_changes_nothing():
    series = weekly()
    member = MemberFactory()
    occurrence = series.occurrences.order_by("starts_at")[1]
    respond(occurrence.id, member.id, Status.DECLINED, sequence=1, now=NOW)

    joined = series_services.join_series(series.id, member.id, sequence=2, now=NOW)
    again = series_services.join_series(series.id, member.id, sequence=3, now=NOW)

    assert (joined.going, again.changed) == (7, False)
    assert Registration.objects.get(event=occurrence, member=member).status == Status.DECLINED


def test_leaving_takes_back_the_series_registrations_and_promotes_the_waitlist():
    series = weekly(capacity=1)
    leaver, waiting = MemberFactory.create_batch(2)
    series_services.join_series(series.id, leaver.id, sequence=1, now=NOW)
    series_services.join_series(series.id, waiting.id, sequence=2, now=NOW)
    own = series.occurrences.order_by("starts_at").first()
    Registration.objects.filter(event=own, member=leaver).update(from_series=False)  # they clicked Going there

    removed = series_services.leave_series(series.id, leaver.id, now=NOW)
    materialise(now=NOW + timedelta(days=7))

    assert removed == 7
    assert list(Registration.objects.filter(member=leaver).values_list("event_id", flat=True)) == [own.id]
    assert Registration.objects.filter(member=waiting, status=Status.GOING).count() == 8
    with pytest.raises(RuleError, match=r"^You are not registered for the whole series\.$"):
        series_services.leave_series(series.id, leaver.id, now=NOW)


def test_editing_this_one_detaches_it_and_all_skips_it():
    series = weekly()
    first, second = series.occurrences.order_by("starts_at")[:2]

    series_services.edit_occurrence(second.id, THIS, now=NOW, title="Choir (crypt)")
    edit = series_services.edit_occurrence(first.id, ALL, now=NOW, title="Choir and cake", location="Hall")

    assert edit.occurrences == 7
    titles = list(series.occurrences.order_by("starts_at").values_list("title", "edited_alone")[:3])
    assert titles == [("Choir and cake", False), ("Choir (crypt)", True), ("Choir and cake", False)]
    assert materialise(now=NOW + timedelta(days=7)).occurrences == 1
    assert series.occurrences.order_by("starts_at").last().title == "Choir and cake"


def test_all_moves_the_time_of_day_on_the_wall_clock():
    series = weekly()
    first = series.occurrences.order_by("starts_at").first()

    series_services.edit_occurrence(first.id, ALL, now=NOW, starts_at=first.starts_at + timedelta(minutes=30))
    materialise(now=NOW + timedelta(days=7))

    assert set(t[6:] for t in local_starts(series)) == {"18:30"}
    assert series.occurrences.count() == 9


def test_a_change_of_day_for_several_is_refused():
    series = weekly()
    first = series.occurrences.order_by("starts_at").first()

    with pytest.raises(RuleError, match=r"^An edit of several occurrences can change their time of day, not"):
        series_services.edit_occurrence(first.id, ALL, now=NOW, starts_at=first.starts_at + timedelta(days=1))


def test_this_and_following_splits_the_series_and_keeps_one_edited_alone():
    series = weekly(rule="weekly for 10 times")
    occurrences = list(series.occurrences.order_by("starts_at"))
    series_services.edit_occurrence(occurrences[4].id, THIS, now=NOW, location="Crypt")

    edit = series_services.edit_occurrence(occurrences[2].id, FOLLOWING, now=NOW, location="Hall")

    old, new = Series.objects.get(id=series.id), Series.objects.exclude(id=series.id).get()
    assert (old.rule, new.rule, new.first_start) == (
        "FREQ=WEEKLY;COUNT=2",
        "FREQ=WEEKLY;COUNT=8",
        occurrences[2].starts_at,
    )
    assert edit.occurrences == 5
    rows = list(Event.objects.order_by("starts_at").values_list("series_id", "location"))
    assert rows == [
        (old.id, ""),
        (old.id, ""),
        (new.id, "Hall"),
        (new.id, "Hall"),
        (new.id, "Crypt"),
        (new.id, "Hall"),
        (new.id, "Hall"),
        (new.id, "Hall"),
    ]
    materialise(now=NOW + timedelta(days=14))
    assert Event.objects.filter(series=new).count() == 8
    assert Event.objects.filter(series=old).count() == 2
    assert list(Event.objects.filter(series=new).order_by("-starts_at").values_list("location", flat=True)[:2]) == [
        "Hall",
        "Hall",
    ]


def test_members_of_the_series_follow_a_split():
    series = weekly()
    member = MemberFactory()
    series_services.join_series(series.id, member.id, sequence=1, now=NOW)
    third = series.occurrences.order_by("starts_at")[2]

    series_services.edit_occurrence(third.id, FOLLOWING, now=NOW, title="Choir II")
    materialise(now=NOW + timedelta(days=7))

    new = Series.objects.exclude(id=series.id).get()
    assert SeriesMember.objects.filter(series=new, member=member).exists()
    assert new.occurrences.order_by("starts_at").last().registrations.get().member_id == member.id


@pytest.mark.parametrize(("scope", "cancelled"), [(THIS, 1), (FOLLOWING, 6), (ALL, 8)])
def test_cancelling_in_three_scopes(scope, cancelled):
    series = weekly()
    third = series.occurrences.order_by("starts_at")[2]

    assert series_services.cancel_occurrence(third.id, scope, now=NOW) == cancelled
    materialise(now=NOW + timedelta(days=14))

    statuses = list(Event.objects.order_by("starts_at").values_list("status", flat=True))
    scheduled = Event.Status.SCHEDULED
    if scope == THIS:
        assert statuses.count(Event.Status.CANCELLED) == 1 and statuses[2] == Event.Status.CANCELLED
        assert len(statuses) == 10
    elif scope == FOLLOWING:
        assert statuses == [scheduled, scheduled] + [Event.Status.CANCELLED] * 6
    else:
        assert statuses == [Event.Status.CANCELLED] * 8
        assert Series.objects.get(id=series.id).status == Series.Status.CANCELLED


def test_a_series_that_never_happens_is_refused():
    guild = GuildFactory(timezone="Europe/Berlin")
    draft = EventDraft(title="Never", starts_at=FIRST)
    with pytest.raises(RuleError, match=r"^The series ends before its first start; give a later end date\.$"):
        create_series(guild, draft, SeriesPlan(parse_rule("weekly until 2027-03-01")), now=NOW)
    assert Series.objects.count() == 0


def test_scope_must_be_one_of_three():
    series = weekly()
    with pytest.raises(RuleError, match=re.escape("Choose which occurrences change")):
        series_services.edit_occurrence(series.occurrences.first().id, "some", now=NOW, title="x")


@override_settings(SERIES_WINDOW_DAYS=14)
def test_the_window_is_a_setting():
    assert len(local_starts(weekly())) == 2
