"""Series: recurring events whose occurrences are real events (a sub-domain of ``events.services``).

A ``Series`` holds an RRULE (``core.recurrence``) run over the wall clock of its zone, so
an 18:00 weekly event stays at 18:00 across DST, and the template of its occurrences.
``materialise`` (the beat tick) creates the occurrences that came into the window
(``SERIES_WINDOW_DAYS``, 8 weeks) in a bounded number of bulk queries whatever the number
of series; (series, occurrence_start) is unique, so a second tick creates nothing. Each
occurrence is posted, reminded and registered for as any event.

Members who register for the whole series (``join_series``) are registered in each
occurrence still open, under its own capacity (beyond it, waitlisted in join order).
Leaving the series (``leave_series``) takes back those registrations in future
occurrences; a registration the member clicked themselves stays.

Edits and cancellations come in three scopes: ``this`` (the occurrence alone, which is
then marked ``edited_alone`` and left alone by later edits of the series), ``following``
(the series is split: the old one ends before this occurrence, a new one starts with the
change) and ``all`` (every future occurrence not edited alone).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from core import hooks, outbox
from core.errors import RuleError
from core.models import Guild
from core.recurrence import Rule, count_before, end_count, expand, local_of, occurs_after, placed, with_end
from core.refresh import schedule_refresh
from events import native, nudges, services, signup, spaces
from events.discord import messages
from events.models import (
    NAMES_SHOWN,
    Event,
    Nudge,
    Registration,
    Reminder,
    Roster,
    Series,
    SeriesMember,
    SignupOption,
)
from events.services import DEFAULT_REMINDER_OFFSETS, EventDraft

THIS, FOLLOWING, ALL = "this", "following", "all"
SCOPES = {THIS: "This one", FOLLOWING: "This and following", ALL: "All"}
Status = Registration.Status
TEMPLATE_FIELDS = ("title", "description", "location", "capacity", "needs_rides", "needs_rooms")
ONE_MICROSECOND = timedelta(microseconds=1)
# Edits that are not fields of an event's draft (services.edit_event pops them).
# Changes that are settings of the occurrences, not fields of their draft.
SIGNUP_CHANGES = ("reminder_offsets", "allowed_role_ids", "signup_options", "nudge_offsets", "expected_role_id")


def window() -> timedelta:
    return timedelta(days=settings.SERIES_WINDOW_DAYS)


def zone_of(series: Series) -> ZoneInfo:
    return ZoneInfo(series.timezone)


# --- creating ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeriesPlan:
    """How a new series repeats, where it posts and its reminders."""

    rule: Rule
    timezone: str = ""  # blank: the guild's
    channel_id: int | None = None
    reminder_offsets: tuple[timedelta, ...] = DEFAULT_REMINDER_OFFSETS
    expected: nudges.Expected = nudges.NOBODY  # who is expected to answer each occurrence, and when nudged
    gates: signup.Signup = signup.OPEN  # carried to every occurrence


def create_series(
    guild: Guild, draft: EventDraft, plan: SeriesPlan, *, now: datetime, created_by_id: int | None = None
) -> Series:
    """Store a series whose first start is ``draft.starts_at`` and create its first occurrences."""
    draft = draft.cleaned()
    services.validate_event(draft, now=now)
    if any(offset <= timedelta(0) for offset in plan.reminder_offsets):
        raise RuleError("Reminders are sent before the start: offsets must be positive.")
    nudges.check_expected(plan.expected.role_id, plan.expected.offsets)
    if any(offset <= timedelta(0) for offset in plan.expected.offsets):
        raise RuleError("Nudges go before registration closes: offsets must be positive.")
    signup.validate_options(plan.gates.options)
    zone = ZoneInfo(plan.timezone or guild.timezone)
    if plan.rule.until is not None and plan.rule.until < draft.starts_at.astimezone(zone).date():
        raise RuleError("The series ends before its first start; give a later end date.")
    text = plan.rule.rrule_text()
    if not occurs_after(text, draft.starts_at, zone, draft.starts_at - ONE_MICROSECOND):
        raise RuleError("That series never happens: no day matches it before its end.")
    with transaction.atomic():
        series = Series.objects.create(
            guild=guild,
            rule=text,
            timezone=zone.key,
            first_start=draft.starts_at,
            **{name: getattr(draft, name) for name in TEMPLATE_FIELDS},
            duration=draft.ends_at - draft.starts_at if draft.ends_at else None,
            signup_lead=draft.starts_at - draft.signup_deadline if draft.signup_deadline else None,
            reminder_offsets=[int(offset.total_seconds()) for offset in plan.reminder_offsets],
            expected_role_id=plan.expected.role_id,
            nudge_offsets=[int(offset.total_seconds()) for offset in plan.expected.offsets],
            channel_id=plan.channel_id or guild.announcement_channel_id,
            created_by_id=created_by_id,
            created_at=now,
            allowed_role_ids=list(signup.validate_roles(plan.gates.allowed_role_ids)),
            signup_options=signup.specs_to_json(plan.gates.options),
        )
        _materialise([series], now=now, horizon=now + window())
    return series


# --- the beat tick -------------------------------------------------------------------------


@dataclass(frozen=True)
class Materialised:
    series: int
    occurrences: int


def materialise(*, now: datetime, batch: int = 1000) -> Materialised:
    """Create every occurrence that came into the window, in bulk; returns what was done.

    Series rows are locked (skipping those another tick holds), so two ticks never make
    the same occurrence; the unique (series, occurrence_start) would refuse it anyway.
    """
    horizon = now + window()
    with transaction.atomic():
        due = (
            Series.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=Series.Status.ACTIVE)
            .filter(Q(materialised_until__isnull=True) | Q(materialised_until__lt=horizon))
            .select_related("guild")
            .order_by("id")[:batch]
        )
        found = list(due)
        return Materialised(len(found), _materialise(found, now=now, horizon=horizon))


def _materialise(found: list[Series], *, now: datetime, horizon: datetime) -> int:
    """The bulk work of a tick for ``found`` (locked): about eight queries in all."""
    if not found:
        return 0
    wanted: list[tuple[Series, datetime]] = []
    for series in found:
        zone = zone_of(series)
        after = max(series.materialised_until or series.first_start - ONE_MICROSECOND, now)
        wanted += [
            (series, start) for start in expand(series.rule, series.first_start, zone, after=after, until=horizon)
        ]
        series.materialised_until = horizon
        if not occurs_after(series.rule, series.first_start, zone, horizon):
            series.status = Series.Status.ENDED
    existing = set()
    if wanted:
        existing = set(
            Event.objects.filter(series__in=found, occurrence_start__gte=min(start for _, start in wanted)).values_list(
                "series_id", "occurrence_start"
            )
        )
    events = Event.objects.bulk_create(
        [_occurrence(series, start, now=now) for series, start in wanted if (series.id, start) not in existing]
    )
    Reminder.objects.bulk_create(_reminders(events, now=now))
    Nudge.objects.bulk_create(_nudges(events, now=now))
    SignupOption.objects.bulk_create(_options(events))
    rosters = _register_members(events, found, now=now)
    spaces.open_for_occurrences(events)
    outbox.enqueue_many([_post(event, rosters[event.id], now=now) for event in events if event.channel_id])
    Series.objects.bulk_update(found, ["materialised_until", "status"])
    for guild_id in sorted({event.guild_id for event in events}):  # new occurrences come into the mirror
        native.request_sync(guild_id)
    return len(events)


def _occurrence(series: Series, start: datetime, *, now: datetime) -> Event:
    return Event(
        guild_id=series.guild_id,
        series=series,
        occurrence_start=start,
        starts_at=start,
        ends_at=start + series.duration if series.duration else None,
        signup_deadline=start - series.signup_lead if series.signup_lead else None,
        channel_id=series.channel_id or series.guild.announcement_channel_id,
        created_by_id=series.created_by_id,
        expected_role_id=series.expected_role_id,
        created_at=now,
        allowed_role_ids=list(series.allowed_role_ids),
        **{name: getattr(series, name) for name in TEMPLATE_FIELDS},
    )


def _options(events: list[Event]) -> list[SignupOption]:
    return [
        SignupOption(event=event, label=label, capacity=capacity, position=position)
        for event in events
        for position, (label, capacity) in enumerate(event.series.signup_options)
    ]


def _reminders(events: list[Event], *, now: datetime) -> list[Reminder]:
    reminders = []
    for event in events:
        for seconds in event.series.reminder_offsets:
            reminder = Reminder(event=event, offset=timedelta(seconds=seconds))
            reminder.due_at = event.starts_at - reminder.offset
            if reminder.due_at <= now:  # as set_reminders: a time already past is skipped, not sent late
                reminder.sent_at, reminder.skipped = now, True
            reminders.append(reminder)
    return reminders


def _nudges(events: list[Event], *, now: datetime) -> list[Nudge]:
    made = []
    for event in events:
        for seconds in event.series.nudge_offsets:
            nudge = Nudge(event=event, offset=timedelta(seconds=seconds))
            nudge.due_at = event.registration_closes_at - nudge.offset
            if nudge.due_at <= now:  # as nudges.set_nudges: a time already past is skipped
                nudge.sent_at, nudge.skipped = now, True
            made.append(nudge)
    return made


def _register_members(events: list[Event], found: list[Series], *, now: datetime) -> dict[int, Roster]:
    """Register the series' members in each new occurrence, going up to its capacity, then
    waitlisted in join order (one query to read them, one to write)."""
    rosters = {event.id: Roster() for event in events}
    if not events:
        return rosters
    joined: dict[int, list[tuple[int, int]]] = {}
    for series_id, member_id, sequence in (
        SeriesMember.objects.filter(series__in=found)
        .order_by("sequence", "id")
        .values_list("series_id", "member_id", "sequence")
    ):
        joined.setdefault(series_id, []).append((member_id, sequence))
    rows = []
    for event in events:
        if now >= event.registration_closes_at:
            continue
        members = joined.get(event.series_id, [])
        for place, (member_id, sequence) in enumerate(members):
            status = Status.GOING if event.capacity is None or place < event.capacity else Status.WAITLISTED
            rows.append(
                Registration(
                    event=event,
                    member_id=member_id,
                    status=status,
                    sequence=sequence,
                    responded_at=now,
                    from_series=True,
                )
            )
        going = [m for m, _ in members[: event.capacity]] if event.capacity is not None else [m for m, _ in members]
        waiting = [m for m, _ in members[len(going) :]]
        counts = {Status.GOING: len(going), Status.WAITLISTED: len(waiting)}
        names = {Status.GOING: going[:NAMES_SHOWN], Status.WAITLISTED: waiting[:NAMES_SHOWN]}
        rosters[event.id] = Roster(
            counts={k: v for k, v in counts.items() if v}, names={k: v for k, v in names.items() if v}
        )
    Registration.objects.bulk_create(rows)
    for row in rows:  # subscribers act on members who stop going: a first registration costs nothing
        hooks.registration_status_changed.call(event_id=row.event_id, member_id=row.member_id, old=None, new=row.status)
    return rosters


def _post(event: Event, roster: Roster, *, now: datetime) -> outbox.Outgoing:
    return outbox.Outgoing(
        key=messages.post_key(event),
        channel_id=event.channel_id,
        guild_id=event.guild_id,
        payload=messages.event_message(event, roster, now=now, new=True),
        refresh=("event", event.id),
    )


# --- registering for the whole series -------------------------------------------------------


@dataclass(frozen=True)
class Joined:
    changed: bool
    going: int = 0
    waitlisted: int = 0


def _locked_series(series_id: int) -> Series:
    series = Series.objects.select_for_update().filter(id=series_id).first()
    if series is None:
        raise RuleError("This series no longer exists.")
    return series


def future_occurrences(series: Series, *, now: datetime):
    return Event.objects.filter(series=series, status=Event.Status.SCHEDULED, starts_at__gt=now).order_by("starts_at")


@transaction.atomic
def join_series(
    series_id: int, member_id: int, *, sequence: int, now: datetime, role_ids: tuple[int, ...] | None = None
) -> Joined:
    """Register a member for every future occurrence (each under its own capacity) and the ones to come.

    Occurrences the member already answered keep their answer. ``role_ids``: the member's
    roles at the click, checked against the series' allowed roles. A series with signup
    options is joined occurrence by occurrence, where Going asks which option.
    """
    series = _locked_series(series_id)
    if series.status == Series.Status.CANCELLED:
        raise RuleError("This series is cancelled.")
    signup.check_roles(series, role_ids)
    if series.signup_options:
        raise RuleError("This series has signup options: click Going on each occurrence and choose how you are going.")
    _, created = SeriesMember.objects.get_or_create(
        series=series, member_id=member_id, defaults={"sequence": sequence, "joined_at": now}
    )
    if not created:
        return Joined(changed=False)
    answered = set(
        Registration.objects.filter(event__series=series, member_id=member_id).values_list("event_id", flat=True)
    )
    going = waitlisted = 0
    for event in future_occurrences(series, now=now):
        if event.id in answered or now >= event.registration_closes_at:
            continue
        response = services.respond(
            event.id, member_id, Status.GOING, sequence=sequence, now=now, from_series=True, role_ids=role_ids
        )
        going += response.status == Status.GOING
        waitlisted += response.status == Status.WAITLISTED
    return Joined(changed=True, going=going, waitlisted=waitlisted)


@transaction.atomic
def leave_series(series_id: int, member_id: int, *, now: datetime) -> int:
    """Stop registering the member for the series and take back the registrations it made
    in future occurrences (ones they clicked themselves stay); returns how many."""
    series = _locked_series(series_id)
    left = SeriesMember.objects.filter(series=series, member_id=member_id).delete()[0]
    if not left:
        raise RuleError("You are not registered for the whole series.")
    made = Registration.objects.filter(
        event__in=future_occurrences(series, now=now), member_id=member_id, from_series=True
    ).values_list("event_id", flat=True)
    removed = 0
    for event_id in list(made):
        services.remove_registration(event_id, member_id, now=now)
        removed += 1
    return removed


# --- edits and cancellations in three scopes -------------------------------------------------


@dataclass(frozen=True)
class SeriesEdit:
    event: Event
    occurrences: int  # how many occurrences were edited
    told: bool
    skipped_reminders: tuple[timedelta, ...] = ()  # of ``event``


def _occurrence_of(event_id: int) -> Event:
    event = Event.objects.select_related("series").filter(id=event_id).first()
    if event is None:
        raise RuleError("This event no longer exists.")
    return event


def edit_occurrence(event_id: int, scope: str, *, now: datetime, editor_id: int | None = None, **changes) -> SeriesEdit:
    """Edit one occurrence, it and the following ones (a split), or all future ones."""
    if scope not in SCOPES:
        raise RuleError("Choose which occurrences change: this one, this and following, or all.")
    event = _occurrence_of(event_id)
    if event.series is None or scope == THIS:
        with transaction.atomic():
            edited = services.edit_event(event.id, now=now, editor_id=editor_id, **changes)
            if event.series_id is not None:
                Event.objects.filter(id=event.id).update(edited_alone=True)
        return SeriesEdit(edited.event, 1, edited.told, edited.skipped_reminders)
    with transaction.atomic():
        series = _locked_series(event.series_id)
        if scope == FOLLOWING and _starts_before(series, event.occurrence_start):
            series = _split(series, event.occurrence_start, now=now)
        return _edit_all(series, event, changes, now=now, editor_id=editor_id)


def _starts_before(series: Series, moment: datetime) -> int:
    return count_before(series.rule, series.first_start, zone_of(series), moment)


def _split(old: Series, cut: datetime, *, now: datetime) -> Series:
    """End ``old`` before ``cut`` and start a copy of it at ``cut`` holding the occurrences from there."""
    zone, count = zone_of(old), end_count(old.rule)
    before = count_before(old.rule, old.first_start, zone, cut)
    new_rule = with_end(old.rule, count=count - before) if count else old.rule
    new = Series.objects.get(id=old.id)
    new.pk, new.id, new.first_start, new.rule, new.created_at = None, None, cut, new_rule, now
    new.save()
    old.rule = (
        with_end(old.rule, count=before)
        if count
        else with_end(old.rule, until_local=local_of(cut, zone) - timedelta(seconds=1))
    )
    old.save(update_fields=["rule", "updated_at"])
    SeriesMember.objects.bulk_create(
        [
            SeriesMember(series=new, member_id=m.member_id, sequence=m.sequence, joined_at=m.joined_at)
            for m in old.members.all()
        ]
    )
    moved = Event.objects.filter(series=old, occurrence_start__gte=cut)
    moved_ids = list(moved.values_list("id", flat=True))
    moved.update(series=new)
    for event_id in moved_ids:  # their buttons now name the new series
        schedule_refresh("event", event_id)
    return new


def _edit_all(series: Series, event: Event, changes: dict, *, now: datetime, editor_id: int | None) -> SeriesEdit:
    """Apply ``changes`` to the series' template and every future occurrence not edited alone."""
    zone = zone_of(series)
    shift, template = _template_changes(series, event, changes, zone)
    for name, value in template.items():
        setattr(series, name, value)
    if shift:
        series.first_start = placed(local_of(series.first_start, zone) + shift, zone)
    series.save()
    edited, told, shown, skipped = 0, False, event, ()
    targets = future_occurrences(series, now=now).filter(edited_alone=False)
    for occurrence in list(targets):
        own = {
            name: value for name, value in changes.items() if name not in ("starts_at", "ends_at", "signup_deadline")
        }
        start = placed(local_of(occurrence.occurrence_start, zone) + shift, zone) if shift else occurrence.starts_at
        if shift:
            own["starts_at"] = start
        if "ends_at" in changes:
            own["ends_at"] = start + series.duration if series.duration else None
        if "signup_deadline" in changes:
            own["signup_deadline"] = start - series.signup_lead if series.signup_lead else None
        result = services.edit_event(occurrence.id, now=now, editor_id=editor_id, **own)
        if shift:
            Event.objects.filter(id=occurrence.id).update(occurrence_start=start)
        edited, told = edited + 1, told or result.told
        if occurrence.id == event.id:
            shown, skipped = result.event, result.skipped_reminders
    return SeriesEdit(shown, edited, told, skipped)


def _template_changes(series: Series, event: Event, changes: dict, zone: ZoneInfo) -> tuple[timedelta, dict]:
    """The wall-clock shift of the start and the template's new fields, read off the edited occurrence."""
    draft = services.edited_draft(event, {k: v for k, v in changes.items() if k not in SIGNUP_CHANGES})
    shift = local_of(draft.starts_at, zone) - local_of(event.starts_at, zone)
    if local_of(draft.starts_at, zone).date() != local_of(event.starts_at, zone).date():
        raise RuleError(
            "An edit of several occurrences can change their time of day, not their day; "
            "edit this one alone, or cancel the series and create one on the new days."
        )
    template = {name: getattr(draft, name) for name in TEMPLATE_FIELDS if name in changes}
    if "ends_at" in changes or "starts_at" in changes:
        template["duration"] = draft.ends_at - draft.starts_at if draft.ends_at else None
    if "signup_deadline" in changes:
        template["signup_lead"] = draft.starts_at - draft.signup_deadline if draft.signup_deadline else None
    if changes.get("reminder_offsets") is not None:
        template["reminder_offsets"] = [int(o.total_seconds()) for o in changes["reminder_offsets"]]
    if changes.get("nudge_offsets") is not None:
        template["nudge_offsets"] = [int(o.total_seconds()) for o in changes["nudge_offsets"]]
    if "expected_role_id" in changes:
        template["expected_role_id"] = changes["expected_role_id"]
    if changes.get("allowed_role_ids") is not None:
        template["allowed_role_ids"] = list(signup.validate_roles(changes["allowed_role_ids"]))
    if changes.get("signup_options") is not None:
        signup.validate_options(tuple(changes["signup_options"]))
        template["signup_options"] = signup.specs_to_json(changes["signup_options"])
    return shift, template


def cancel_occurrence(event_id: int, scope: str, *, now: datetime) -> int:
    """Cancel one occurrence, it and the following ones, or the whole series; returns how many were cancelled."""
    if scope not in SCOPES:
        raise RuleError("Choose which occurrences are cancelled: this one, this and following, or all.")
    event = _occurrence_of(event_id)
    if event.series is None or scope == THIS:
        with transaction.atomic():
            services.cancel_event(event.id, now=now)
            if event.series_id is not None:
                Event.objects.filter(id=event.id).update(edited_alone=True)
        return 1
    with transaction.atomic():
        series = _locked_series(event.series_id)
        zone = zone_of(series)
        before = _starts_before(series, event.occurrence_start)
        if scope == ALL or not before:
            series.status = Series.Status.CANCELLED
            series.save(update_fields=["status", "updated_at"])
            doomed = future_occurrences(series, now=now)
        else:
            count = end_count(series.rule)
            series.rule = (
                with_end(series.rule, count=before)
                if count
                else with_end(series.rule, until_local=local_of(event.occurrence_start, zone) - timedelta(seconds=1))
            )
            series.save(update_fields=["rule", "updated_at"])
            doomed = Event.objects.filter(
                series=series, status=Event.Status.SCHEDULED, occurrence_start__gte=event.occurrence_start
            )
        ids = list(doomed.values_list("id", flat=True))
        for occurrence_id in ids:
            services.cancel_event(occurrence_id, now=now)
    return len(ids)


def series_draft(series: Series) -> EventDraft:
    """The template as a draft of its first occurrence (for forms showing the series)."""
    start = series.first_start
    return replace(
        EventDraft(title=series.title, starts_at=start),
        **{name: getattr(series, name) for name in TEMPLATE_FIELDS},
        ends_at=start + series.duration if series.duration else None,
    )
