"""The rules of events: creating, editing, cancelling, registering, the waitlist, reminders.

Every function that changes an event takes the event row's lock first
(``select_for_update``), so registrations for one event are decided one at a time and
capacity holds whatever the number of simultaneous clicks. Messages to members are
written to the outbox in the same transaction (see ``events.discord.messages``). A request
the rules refuse raises ``core.errors.RuleError`` with the sentence to show.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Q, prefetch_related_objects

from core import hooks
from core.errors import RuleError
from core.models import Guild
from core.refresh import schedule_refresh
from events import change_notices, native, nudges, signup, spaces
from events.discord import messages
from events.models import Event, EventSpace, Registration, Reminder, Roster

DEFAULT_REMINDER_OFFSETS = (timedelta(hours=1),)
DISCORD_EPOCH_MS = 1_420_070_400_000
Status = Registration.Status


@dataclass(frozen=True)
class Response:
    """What a click did: the member's status now and, on the waitlist, their place."""

    status: str | None  # None only with ``ask_option``
    changed: bool
    waitlist_position: int | None = None
    promoted: tuple[int, ...] = ()
    option: str | None = None  # the signup option going or waiting as (events with options)
    event: Event | None = field(default=None, compare=False)  # as locked for the click: the caller shows it
    ask_option: bool = False  # ``respond(ask_option=True)`` on an event with options: nothing done, ask which


def click_sequence(at: datetime) -> int:
    """A snowflake-shaped sequence for ``at``, for changes that do not come from a click."""
    return (int(at.timestamp() * 1000) - DISCORD_EPOCH_MS) << 22


TIME_FIELDS = frozenset({"starts_at", "ends_at", "signup_deadline"})
# The longest texts and the largest capacity an event takes (Discord's options say the same).
TITLE_MAX = Event._meta.get_field("title").max_length
LOCATION_MAX = Event._meta.get_field("location").max_length
DESCRIPTION_MAX = Event._meta.get_field("description").max_length
CAPACITY_MAX = 100_000


@dataclass(frozen=True)
class Edited:
    """What an edit did: the event now, whether registrants will be told, reminders skipped."""

    event: Event
    told: bool
    skipped_reminders: tuple[timedelta, ...] = ()


@dataclass(frozen=True)
class EventDraft:
    """What an organiser writes about an event: the fields the rules check together."""

    title: str
    starts_at: datetime
    ends_at: datetime | None = None
    description: str = ""
    location: str = ""
    capacity: int | None = None
    signup_deadline: datetime | None = None
    needs_rides: bool = False
    needs_rooms: bool = False

    @classmethod
    def of(cls, event: Event) -> EventDraft:
        return cls(**{name: getattr(event, name) for name in DRAFT_FIELDS})

    def cleaned(self) -> EventDraft:
        """The draft with surrounding white space trimmed from its texts."""
        texts = {
            "title": self.title.strip(),
            "description": self.description.strip(),
            "location": self.location.strip(),
        }
        return replace(self, **texts)


DRAFT_FIELDS = tuple(EventDraft.__dataclass_fields__)


def validate_event(draft: EventDraft, *, now: datetime, changed: Iterable[str] = TIME_FIELDS, going: int = 0) -> None:
    """Refuse an event whose fields break the rules.

    ``changed`` limits the "not in the past" checks to what is being changed, so an event
    whose deadline passed can still be edited; ``going`` is how many already have a place,
    which the capacity may not drop below.
    """
    changed = set(changed)
    if not draft.title.strip():
        raise RuleError("The event needs a title.")
    for text, limit, name in (
        (draft.title, TITLE_MAX, "title"),
        (draft.location, LOCATION_MAX, "location"),
        (draft.description, DESCRIPTION_MAX, "details"),
    ):
        if len(text) > limit:
            raise RuleError(f"The {name} can be at most {limit} characters; this one has {len(text)}.")
    if draft.capacity is not None and draft.capacity < 1:
        raise RuleError("The capacity must be at least 1 (leave it empty for no limit).")
    if draft.capacity is not None and draft.capacity > CAPACITY_MAX:
        raise RuleError(f"The capacity can be at most {CAPACITY_MAX}.")
    if "starts_at" in changed and draft.starts_at <= now:
        raise RuleError("The start is in the past.")
    if draft.ends_at is not None and draft.ends_at <= draft.starts_at:
        raise RuleError("The end must come after the start.")
    if draft.signup_deadline is not None:
        if "signup_deadline" in changed and draft.signup_deadline <= now:
            raise RuleError("The signup deadline is in the past.")
        if draft.signup_deadline > draft.starts_at:
            raise RuleError("The signup deadline must be no later than the start.")
    if draft.capacity is not None and draft.capacity < going:
        raise RuleError(f"{going} members are already going; the capacity cannot be lower than that.")


@transaction.atomic
def create_event(
    guild: Guild,
    draft: EventDraft,
    *,
    now: datetime,
    created_by_id: int | None = None,
    channel_id: int | None = None,
    reminder_offsets: Iterable[timedelta] = DEFAULT_REMINDER_OFFSETS,
    gates: signup.Signup = signup.OPEN,
    expected: nudges.Expected = nudges.NOBODY,
) -> Event:
    """Create a scheduled event with its reminders (default: one hour before the start),
    who may sign up and as what (``events.signup``), and who is expected to answer with
    when they are nudged (``events.nudges``)."""
    draft = draft.cleaned()
    validate_event(draft, now=now)
    nudges.check_expected(expected.role_id, expected.offsets)
    event = Event.objects.create(
        guild=guild,
        **asdict(draft),
        channel_id=channel_id or guild.announcement_channel_id,
        created_by_id=created_by_id,
        created_at=now,
        expected_role_id=expected.role_id,
        allowed_role_ids=list(signup.validate_roles(gates.allowed_role_ids)),
    )
    signup.set_options(event, gates.options)
    set_reminders(event, reminder_offsets, now=now)
    nudges.set_nudges(event, expected.offsets, now=now)
    messages.post_event(
        event, messages.event_message(event, Roster(expected=event.answered_of_expected()), now=now, new=True)
    )
    native.request_sync(guild.id)
    spaces.open_for_new_event(event)
    return event


def set_reminders(event: Event, offsets: Iterable[timedelta], *, now: datetime) -> tuple[timedelta, ...]:
    """Make the event's reminders exactly ``offsets``; ones already sent for this start stay sent.

    A new reminder whose time has already passed is skipped, not sent late (it is kept,
    so it fires if the event moves later); returns those offsets, shortest first.
    """
    wanted = set(offsets)
    if any(offset <= timedelta(0) for offset in wanted):
        raise RuleError("Reminders are sent before the start: offsets must be positive.")
    event.reminders.exclude(offset__in=wanted).delete()
    existing = set(event.reminders.values_list("offset", flat=True))
    added = [Reminder(event=event, offset=offset, due_at=event.starts_at - offset) for offset in wanted - existing]
    for reminder in added:
        if reminder.due_at <= now:
            reminder.sent_at, reminder.skipped = now, True
    Reminder.objects.bulk_create(added)
    return tuple(sorted(reminder.offset for reminder in added if reminder.skipped))


def _follow_start(event: Event, *, now: datetime) -> tuple[timedelta, ...]:
    """Move the reminders with a moved start: a moved event is a new appointment, so
    reminders still ahead fire (again) for it; unsent ones whose time passed are skipped."""
    skipped = []
    for reminder in event.reminders.all():
        reminder.due_at = event.starts_at - reminder.offset
        if reminder.due_at > now:
            reminder.sent_at, reminder.skipped = None, False
        elif reminder.sent_at is None:
            reminder.sent_at, reminder.skipped = now, True
            skipped.append(reminder.offset)
        reminder.save(update_fields=["due_at", "sent_at", "skipped"])
    return tuple(sorted(skipped))


def save_from_admin(event: Event, draft: EventDraft, *, changed: list[str], creating: bool, now: datetime) -> None:
    """Save an event edited in the admin through the same rules as Discord.

    A save that changes none of the event's fields (deleting a registration inline, say)
    leaves the event alone and tells nobody.
    """
    if creating:
        created_by_id = event.created_by_id
        created = create_event(
            event.guild, draft, now=now, created_by_id=created_by_id, channel_id=event.channel_id, reminder_offsets=()
        )
        event.pk = created.pk
    else:
        changes = {name: getattr(draft, name) for name in changed if name in DRAFT_FIELDS}
        if changes:
            edit_event(event.pk, now=now, **changes)
    event.refresh_from_db()
    event._state.adding = False


def edited_draft(event: Event, changes: dict) -> EventDraft:
    """The event's draft with ``changes`` applied: moving the start moves the end with it
    (the duration stays) unless the end is among the changes."""
    changes = dict(changes)
    if "starts_at" in changes and "ends_at" not in changes and event.ends_at is not None:
        changes["ends_at"] = changes["starts_at"] + (event.ends_at - event.starts_at)
    return replace(EventDraft.of(event), **changes).cleaned()


NOT_IN_GUILD = "There is no such event in this server."


def _locked(event_id: int, guild_id: int | None = None, *, with_space: bool = False) -> Event:
    """The event, locked; with ``guild_id``, only if it belongs to that guild (a click's scope).

    ``with_space``: its space (if any) comes along in the same read, unlocked as before, for
    ``spaces.follow`` to use without another query (a registration change)."""
    # Only the event's row is locked; the guild (and the space) come along to read, so clicks
    # on different events of one guild never queue behind each other.
    related = ("guild", "space") if with_space else ("guild",)
    events = Event.objects.select_for_update(of=("self",)).select_related(*related)
    try:
        return events.get(id=event_id) if guild_id is None else events.get(id=event_id, guild_id=guild_id)
    except Event.DoesNotExist:
        raise RuleError("This event no longer exists." if guild_id is None else NOT_IN_GUILD) from None


@transaction.atomic
def edit_event(event_id: int, *, now: datetime, editor_id: int | None = None, **changes) -> Edited:
    """Change an event's details; reminders follow a moved start, and so does the end.

    ``changes`` holds any of title, description, location, starts_at, ends_at, capacity,
    signup_deadline, reminder_offsets, allowed_role_ids (role ids; empty: everyone),
    signup_options (``events.signup.OptionSpec``s; empty: none), expected_role_id and
    nudge_offsets (``events.nudges``). Lowering the capacity below the number already
    going is refused rather than silently dropping people. Registrants other than
    ``editor_id`` are told when the title, time or place changed, once per edit window
    (``events.change_notices``).
    """
    event = _locked(event_id)
    if event.status == Event.Status.CANCELLED:
        raise RuleError("This event is cancelled.")
    offsets = changes.pop("reminder_offsets", None)
    roles, options = changes.pop("allowed_role_ids", None), changes.pop("signup_options", None)
    nudge_offsets = changes.pop("nudge_offsets", None)
    expected_role_id = changes.pop("expected_role_id", nudges.UNSET)
    before, old_start, old_close = event.as_seen(), event.starts_at, event.registration_closes_at
    draft = edited_draft(event, changes)
    going = event.registrations.filter(status=Status.GOING).count()
    validate_event(draft, now=now, changed=changes, going=going)
    if draft != EventDraft.of(event):
        event.revision += 1
    for name, value in asdict(draft).items():
        setattr(event, name, value)
    if roles is not None:
        event.allowed_role_ids = list(signup.validate_roles(roles))
    event.save()
    if expected_role_id is not nudges.UNSET and expected_role_id != event.expected_role_id:
        event.expected_role_id = expected_role_id
        event.save(update_fields=["expected_role_id", "updated_at"])
    if nudge_offsets is not None:
        nudges.check_expected(event.expected_role_id, nudge_offsets)
        nudges.set_nudges(event, nudge_offsets, now=now)
    if event.registration_closes_at != old_close:
        nudges.follow_close(event, now=now)
    if options is not None:
        signup.set_options(event, tuple(options))
    skipped = set_reminders(event, offsets, now=now) if offsets is not None else ()
    if event.starts_at != old_start:
        skipped = tuple(sorted({*skipped, *_follow_start(event, now=now)}))
        hooks.event_moved.call(event_id=event.id, old_start=old_start, new_start=event.starts_at)
    promote_waitlist(event, now=now)
    notice = change_notices.note(event, before, editor_id=editor_id, now=now)
    schedule_refresh("event", event.id)
    native.request_sync(event.guild_id)
    spaces.event_changed(event)
    return Edited(event, told=notice is not None, skipped_reminders=skipped)


@transaction.atomic
def cancel_event(event_id: int, *, now: datetime) -> Event:
    """Cancel an event; everyone registered is told once and the post shows it."""
    event = _locked(event_id)
    if event.status == Event.Status.CANCELLED:
        return event
    event.status = Event.Status.CANCELLED
    event.revision += 1
    event.save(update_fields=["status", "revision", "updated_at"])
    messages.event_cancelled(event)
    hooks.event_cancelled.call(event_id=event.id)
    schedule_refresh("event", event.id)
    native.request_sync(event.guild_id)
    spaces.event_changed(event)
    return event


def deletion_refusal(event: Event, *, now: datetime) -> str:
    """Why the event may not be deleted (empty: it may); the admin shows it before asking."""
    return spaces.deletion_refusal(event, spaces.space_of(event.id), now=now) or _others_refusal(event, now)


def _others_refusal(event: Event, now: datetime) -> str:
    """The first sentence another domain gives against deleting the event (its teams' channels)."""
    return next((said for said in hooks.event_deletion_refusals.call(event_id=event.id, now=now) if said), "")


@transaction.atomic
def delete_event(event_id: int, *, now: datetime) -> None:
    """Delete an event (the admin): refused while its thread, channel or role is in Discord
    (``spaces.deletion_refusal``: cancel it instead), so nothing is left behind there. Its
    post is marked deleted with its buttons gone (or never sent, if it was not yet); its
    Discord scheduled event goes with the next mirror sync. Registrants are not DMed:
    deleting is for mistakes, cancelling tells them."""
    event = _locked(event_id)
    space = EventSpace.objects.select_for_update().filter(event=event).first()  # a sync claims after us
    refusal = spaces.deletion_refusal(event, space, now=now) or _others_refusal(event, now)
    if refusal:
        raise RuleError(refusal)
    guild_id = event.guild_id
    messages.event_deleted(event)
    event.delete()
    native.request_sync(guild_id)


@transaction.atomic
def respond(
    event_id: int,
    member_id: int,
    choice: str,
    *,
    sequence: int,
    now: datetime,
    guild_id: int | None = None,
    from_series: bool = False,
    role_ids: Iterable[int] | None = None,
    option_id: int | None = None,
    ask_option: bool = False,
) -> Response:
    """What happens when a member clicks Going, Maybe or Can't go.

    Going takes a place while there is one, else joins the waitlist in click order
    (``sequence``, the interaction's snowflake). Leaving a place promotes the first
    waiting member, who is told by DM. After the signup deadline only Can't go is
    accepted; nothing is accepted once the event has started or was cancelled.
    ``guild_id``: the guild the click came from; an event of another guild is refused
    as unknown there (one locked read both scopes and serialises the click).
    ``from_series``: made by registering for the whole series (``events.series``), which
    leaving the series takes back; a member's own click makes it theirs.
    ``role_ids``: the member's roles as Discord reported them with the click, checked
    against the event's allowed roles for Going and Maybe (None: an organiser registers
    them, which any role allows). ``option_id``: the signup option chosen with Going, on an
    event with options (``events.signup``): each has its own capacity and waitlist inside
    the event's; going again as another option moves the member to it. ``ask_option``:
    Going from the event's post, where no option can be chosen yet: on an event with
    options nothing changes and the Response has ``ask_option`` set (the caller asks which,
    with the event as read here, its options loaded).
    """
    if choice not in (Status.GOING, Status.MAYBE, Status.DECLINED):
        raise RuleError("That is not a choice.")
    event = _locked(event_id, guild_id, with_space=True)
    if event.status == Event.Status.CANCELLED:
        raise RuleError("This event is cancelled.")
    if now >= event.starts_at:
        raise RuleError("This event has already started.")
    if choice != Status.DECLINED:
        signup.check_roles(event, role_ids)
    if choice == Status.GOING:  # read once, for the option chosen and for the caller's question
        prefetch_related_objects([event], "signup_options")
        if ask_option and option_id is None and event.signup_options.all():
            return Response(None, changed=False, event=event, ask_option=True)
    registration = Registration.objects.filter(event=event, member_id=member_id).first()
    current = registration.status if registration else None
    option = signup.chosen_option(event, option_id, registration) if choice == Status.GOING else None
    label = option.label if option else None
    held = registration.option_id if registration else None
    if choice == Status.GOING and current in (Status.GOING, Status.WAITLISTED) and held == (option and option.id):
        position = waitlist_position(registration)
        return Response(current, changed=False, waitlist_position=position, option=label, event=event)
    if choice == current and choice != Status.GOING:
        return Response(current, changed=False, event=event)
    if choice != Status.DECLINED and now >= event.registration_closes_at:
        raise RuleError("Registration for this event is closed.")
    new_status = choice
    if choice == Status.GOING and not signup.has_place(event, option, exclude=registration):
        new_status = Status.WAITLISTED

    if registration is None:
        registration = Registration(event=event, member_id=member_id)
    registration.status, registration.sequence, registration.responded_at = new_status, sequence, now
    registration.from_series, registration.option = from_series, option
    registration.save()
    hooks.registration_status_changed.call(event_id=event.id, member_id=member_id, old=current, new=new_status)
    spaces.follow(event, member_id, current, new_status, now=now)
    promoted = promote_waitlist(event, now=now) if current == Status.GOING else []
    schedule_refresh("event", event.id)
    position = waitlist_position(registration)
    return Response(
        new_status, changed=True, waitlist_position=position, promoted=tuple(promoted), option=label, event=event
    )


@transaction.atomic
def remove_registration(event_id: int, member_id: int, *, now: datetime) -> tuple[int, ...]:
    """An organiser removes someone's registration; a freed place goes to the waitlist."""
    event = _locked(event_id, with_space=True)
    registration = Registration.objects.filter(event=event, member_id=member_id).first()
    if registration is None:
        raise RuleError("That member is not registered.")
    registration.delete()
    hooks.registration_status_changed.call(event_id=event.id, member_id=member_id, old=registration.status, new=None)
    spaces.follow(event, member_id, registration.status, None, now=now)
    schedule_refresh("event", event.id)
    return tuple(promote_waitlist(event, now=now))


def promote_waitlist(event: Event, *, now: datetime) -> list[int]:
    """Fill free places from the waitlist in click order (with signup options, each
    member for a place of their own option); call with the event row locked.

    Returns the promoted member ids; each is told by DM through the outbox.
    """
    if event.status == Event.Status.CANCELLED or now >= event.starts_at:
        return []
    promoted = signup.promotable(event)
    for registration in promoted:
        Registration.objects.filter(id=registration.id).update(status=Status.GOING, responded_at=now)
        hooks.registration_status_changed.call(
            event_id=event.id, member_id=registration.member_id, old=Status.WAITLISTED, new=Status.GOING
        )
        spaces.follow(event, registration.member_id, Status.WAITLISTED, Status.GOING, now=now)
        messages.promoted(event, registration)
    return [registration.member_id for registration in promoted]


def waitlist_position(registration: Registration | None) -> int | None:
    if registration is None or registration.status != Status.WAITLISTED:
        return None
    ahead = Registration.objects.filter(
        event_id=registration.event_id, status=Status.WAITLISTED, option_id=registration.option_id
    ).filter(Q(sequence__lt=registration.sequence) | Q(sequence=registration.sequence, id__lt=registration.id))
    return ahead.count() + 1


def upcoming(guild_id: int, *, now: datetime):
    """Scheduled events not yet started, soonest first, with their counts (one query)."""
    return (
        Event.objects.filter(guild_id=guild_id, status=Event.Status.SCHEDULED, starts_at__gt=now)
        .annotate(
            going_count=Count("registrations", filter=Q(registrations__status=Status.GOING)),
            waitlist_count=Count("registrations", filter=Q(registrations__status=Status.WAITLISTED)),
        )
        .order_by("starts_at", "id")
    )


def send_due_reminders(*, now: datetime, batch: int = 100) -> int:
    """Claim each due reminder once (compare-and-set) and DM everyone going. Returns DMs queued."""
    due = Reminder.objects.filter(
        sent_at__isnull=True, due_at__lte=now, event__status=Event.Status.SCHEDULED, event__starts_at__gt=now
    ).values_list("id", flat=True)[:batch]
    queued = 0
    for reminder_id in list(due):
        with transaction.atomic():
            if not Reminder.objects.filter(id=reminder_id, sent_at__isnull=True).update(sent_at=now):
                continue  # another tick claimed it
            reminder = Reminder.objects.select_related("event__guild").get(id=reminder_id)
            queued += messages.reminder(reminder)
    return queued
