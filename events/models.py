"""Events members register for, their registrations and the reminders sent before them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import models
from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.utils.timezone import now

from core.models import Guild, GuildMember, Member

NAMES_SHOWN = 40  # at most this many member ids per list are loaded and shown


@dataclass
class OptionRoster:
    """One signup option of an event: how many are going as it and the first of them."""

    label: str
    capacity: int | None
    going: int
    names: list[int]
    waitlisted: int = 0


@dataclass
class Roster:
    """Counts per status and the first member ids of each list, in click order."""

    counts: dict[str, int] = field(default_factory=dict)
    names: dict[str, list[int]] = field(default_factory=dict)
    # (answered, expected) when the event expects some members to answer (events.nudges).
    expected: tuple[int, int] | None = None
    options: list[OptionRoster] = field(default_factory=list)  # events with signup options: going by option

    def count(self, status: str) -> int:
        return self.counts.get(status, 0)


EXPECTED_HELP = (
    "Who is expected to answer, and nudged until they do: members with this role; "
    "the server's own id (Discord's @everyone role) for everyone. Blank: nobody."
)


class Series(models.Model):
    """A recurring event: its rule and the template of its occurrences, which are real events.

    ``rule`` is an RFC 5545 RRULE run over the wall clock of ``timezone`` from
    ``first_start`` (``core.recurrence``); occurrences are materialised up to a window
    ahead (``events.series``), each once: (series, occurrence_start) is unique.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ENDED = "ended", "Ended"
        CANCELLED = "cancelled", "Cancelled"

    guild = models.ForeignKey(Guild, on_delete=models.CASCADE, related_name="series")
    rule = models.CharField(max_length=200, help_text="RFC 5545 RRULE, in the series' time zone.")
    timezone = models.CharField(max_length=64)
    first_start = models.DateTimeField(help_text="The rule's first start (DTSTART).")
    title = models.CharField(max_length=100)
    description = models.TextField(max_length=2000, blank=True)
    location = models.CharField(max_length=200, blank=True)
    duration = models.DurationField(null=True, blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True)
    signup_lead = models.DurationField(null=True, blank=True, help_text="Registration closes this long before.")
    reminder_offsets = models.JSONField(default=list, blank=True, help_text="Seconds before each start.")
    expected_role_id = models.BigIntegerField(null=True, blank=True, help_text=EXPECTED_HELP)
    nudge_offsets = models.JSONField(default=list, blank=True, help_text="Seconds before registration closes.")
    needs_rides = models.BooleanField(default=False)
    needs_rooms = models.BooleanField(default=False)
    channel_id = models.BigIntegerField(null=True, blank=True)
    # Carried to each new occurrence (events.signup): who may go, and the signup options.
    allowed_role_ids = models.JSONField(default=list, blank=True, help_text="Going and Maybe only with one of these.")
    signup_options = models.JSONField(
        default=list, blank=True, help_text='The occurrences\' signup options: [["Driver", 4], ["Rider", null]].'
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    materialised_until = models.DateTimeField(null=True, blank=True, help_text="Occurrences exist up to here.")
    created_by = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="created_series"
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "series"
        indexes = [models.Index(fields=["status", "materialised_until"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.rule})"


class SeriesMember(models.Model):
    """A member registered for the whole series: registered in each new occurrence, in join order."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="members")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="series_joined")
    sequence = models.BigIntegerField(help_text="Join order; beyond capacity, the waitlist follows it.")
    joined_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["sequence", "id"]
        constraints = [models.UniqueConstraint(fields=["series", "member"], name="seriesmember_one_per_member")]

    def __str__(self) -> str:
        return f"{self.member_id} in series {self.series_id}"


class Event(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"

    guild = models.ForeignKey(Guild, on_delete=models.CASCADE, related_name="events")
    title = models.CharField(max_length=100)
    description = models.TextField(max_length=2000, blank=True)
    location = models.CharField(max_length=200, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Blank: no limit.")
    signup_deadline = models.DateTimeField(
        null=True, blank=True, help_text="Registration closes then. Blank: at the start."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    channel_id = models.BigIntegerField(null=True, blank=True, help_text="Where the event is posted.")
    message_id = models.BigIntegerField(null=True, blank=True, help_text="The posted message.")
    # Logistics (the carpool app): the post gets Rides / Rooms buttons, /event logistics and
    # the nudge look for members without a ride or a bed.
    needs_rides = models.BooleanField(default=False, help_text="Members organise rides to and from it.")
    needs_rooms = models.BooleanField(default=False, help_text="Members share rooms for its nights.")
    created_by = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="created_events"
    )
    # Role-restricted signup (events.signup): Going and Maybe only for members holding one
    # of these roles, as Discord reports them at the click. Empty: everyone.
    allowed_role_ids = models.JSONField(
        default=list, blank=True, help_text="Role ids; Going and Maybe only with one of them. Empty: everyone."
    )
    # An occurrence of a series: its rule's start (stable even if this one is moved), and
    # whether it was edited alone (an edit of the series then leaves it as it is).
    series = models.ForeignKey(Series, on_delete=models.SET_NULL, null=True, blank=True, related_name="occurrences")
    occurrence_start = models.DateTimeField(null=True, blank=True)
    edited_alone = models.BooleanField(default=False)
    # Non-responders (events.nudges): who is expected to answer, and the last /event nudge.
    expected_role_id = models.BigIntegerField(null=True, blank=True, help_text=EXPECTED_HELP)
    nudged_now_at = models.DateTimeField(null=True, blank=True, help_text="When an organiser last nudged by hand.")
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)
    # Calendar apps keep the copy with the highest SEQUENCE: events.services adds one on
    # every change members see (an edit that changes a field, the cancellation), never less.
    revision = models.PositiveIntegerField(default=0, help_text="How many times the event changed since creation.")

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["guild", "status", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="event_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(signup_deadline__isnull=True) | Q(signup_deadline__lte=models.F("starts_at")),
                name="event_deadline_before_start",
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1), name="event_capacity_positive"
            ),
            # The idempotency key of materialisation: each occurrence of a series exists once.
            models.UniqueConstraint(
                fields=["series", "occurrence_start"],
                condition=Q(series__isnull=False),
                name="event_one_per_occurrence",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def registration_closes_at(self):
        return self.signup_deadline or self.starts_at

    def as_seen(self) -> dict:
        """What registrants see of the event and are told about when it changes: its title,
        place and times (whole seconds, as Discord timestamps show them), as plain JSON."""
        return {
            "title": self.title,
            "location": self.location,
            "starts_at": int(self.starts_at.timestamp()),
            "ends_at": int(self.ends_at.timestamp()) if self.ends_at else None,
        }

    def roster(self) -> Roster:
        """Counts per status and the first names of each list, in click order (four queries)."""
        registrations = self.registrations.order_by()
        counts = dict(registrations.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
        shown = (Registration.Status.GOING, Registration.Status.WAITLISTED, Registration.Status.MAYBE)
        names = {
            status: list(
                registrations.filter(status=status)
                .order_by("sequence", "id")
                .values_list("member_id", flat=True)[:NAMES_SHOWN]
            )
            for status in shown
            if counts.get(status)
        }
        return Roster(counts=counts, names=names, options=self.option_rosters(), expected=self.answered_of_expected())

    def option_rosters(self) -> list[OptionRoster]:
        """Going and waitlisted per signup option, and the first going of each (none: no options)."""
        # A grouped query leaves Meta.ordering out (Django 3.1+): the order is asked for again.
        options = list(
            self.signup_options.annotate(
                going=Count("registrations", filter=Q(registrations__status=Registration.Status.GOING)),
                waitlisted=Count("registrations", filter=Q(registrations__status=Registration.Status.WAITLISTED)),
            ).order_by("position", "id")
        )
        if not options:
            return []
        going = (
            self.registrations.filter(status=Registration.Status.GOING, option__isnull=False)
            .order_by("sequence", "id")
            .values_list("option_id", "member_id")
        )
        names: dict[int, list[int]] = {}
        for option_id, member_id in going:
            shown = names.setdefault(option_id, [])
            if len(shown) < NAMES_SHOWN:
                shown.append(member_id)
        return [
            OptionRoster(option.label, option.capacity, option.going, names.get(option.id, []), option.waitlisted)
            for option in options
        ]

    def expected_members(self) -> set[int]:
        """The members expected to answer: current members of the guild with the expected
        role (all of them when it is the guild's own id, Discord's @everyone); one query."""
        if self.expected_role_id is None:
            return set()
        current = GuildMember.objects.filter(guild_id=self.guild_id, left_at__isnull=True)
        if self.expected_role_id == self.guild_id:
            return set(current.values_list("member_id", flat=True))
        role = self.expected_role_id
        return {m for m, roles in current.values_list("member_id", "role_ids") if role in {int(r) for r in roles or ()}}

    def answered_of_expected(self) -> tuple[int, int] | None:
        """(how many expected members answered, how many are expected), or None (two queries)."""
        if self.expected_role_id is None:
            return None
        expected = self.expected_members()
        answered = set(self.registrations.values_list("member_id", flat=True))
        return len(expected & answered), len(expected)


class SignupOption(models.Model):
    """A way of going to an event ("Driver", "Rider"), with its own capacity inside the event's.

    Going asks which; beyond its capacity a member waits for a place of that option, and
    the waitlist moves up option by option (``events.signup``).
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="signup_options")
    label = models.CharField(max_length=40)
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Blank: only the event's limit.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "label"], name="signupoption_one_label_per_event"),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1), name="signupoption_capacity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.capacity})" if self.capacity else self.label


class Registration(models.Model):
    class Status(models.TextChoices):
        GOING = "going", "Going"
        MAYBE = "maybe", "Maybe"
        DECLINED = "declined", "Can't go"
        WAITLISTED = "waitlisted", "Waitlisted"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="registrations")
    status = models.CharField(max_length=10, choices=Status.choices)
    # The order of clicks: the interaction's snowflake (Discord stamps it when the member
    # clicks), so the waitlist follows click order even when workers run out of order.
    sequence = models.BigIntegerField(help_text="Click order; the waitlist is served in this order.")
    responded_at = models.DateTimeField(default=now)
    # Made by "Register for the whole series" (leaving the series takes it back), not a click.
    from_series = models.BooleanField(default=False)
    # The signup option chosen with Going (events with options): going or waiting as it.
    option = models.ForeignKey(
        "SignupOption", on_delete=models.PROTECT, null=True, blank=True, related_name="registrations"
    )

    class Meta:
        ordering = ["sequence", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "member"], name="registration_one_per_member"),
        ]
        indexes = [models.Index(fields=["event", "status", "sequence"])]

    def __str__(self) -> str:
        return f"{self.member_id} {self.status} for {self.event_id}"


class Reminder(models.Model):
    """A DM to everyone going, ``offset`` before the start; claimed once by the beat tick."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="reminders")
    offset = models.DurationField(default=timedelta(hours=1), help_text="How long before the start.")
    due_at = models.DateTimeField(help_text="Start minus offset; recomputed when the event moves.")
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When the tick claimed it (or it was skipped).")
    skipped = models.BooleanField(
        default=False, help_text="Not sent: its time had already passed when it was set or when the event moved."
    )

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(fields=["event", "offset"], name="reminder_one_per_offset"),
            models.CheckConstraint(condition=Q(offset__gt=timedelta(0)), name="reminder_offset_positive"),
        ]
        indexes = [models.Index(fields=["due_at"], condition=Q(sent_at__isnull=True), name="reminder_due")]

    def __str__(self) -> str:
        return f"{self.offset} before {self.event}"


class Nudge(models.Model):
    """A DM to each expected member who has not answered, ``offset`` before registration
    closes (the signup deadline, else the start); claimed once by the beat tick."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="nudges")
    offset = models.DurationField(help_text="How long before registration closes.")
    due_at = models.DateTimeField(help_text="Registration's close minus offset; recomputed when it moves.")
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When the tick claimed it (or it was skipped).")
    skipped = models.BooleanField(default=False, help_text="Not sent: its time had already passed when it was set.")

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(fields=["event", "offset"], name="nudge_one_per_offset"),
            models.CheckConstraint(condition=Q(offset__gt=timedelta(0)), name="nudge_offset_positive"),
        ]
        indexes = [models.Index(fields=["due_at"], condition=Q(sent_at__isnull=True), name="event_nudge_due")]

    def __str__(self) -> str:
        return f"nudge {self.offset} before {self.event} closes"


class ChangeNotice(models.Model):
    """The DM telling registrants that what they see of an event changed (title, time, place).

    It waits ``EVENT_EDIT_WINDOW`` seconds after the first edit, so several edits in a row
    are one DM comparing what registrants saw before the first with the event as it is
    when the DM goes (edits that cancel out send nothing). One open notice per event.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="change_notices")
    before = models.JSONField(help_text="What registrants saw before the first edit (Event.as_seen).")
    editor_ids = models.JSONField(default=list, blank=True, help_text="Members who made the edits.")
    due_at = models.DateTimeField(help_text="When the DMs go: the first edit plus the window.")
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When a tick claimed it.")
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["event"], condition=Q(sent_at__isnull=True), name="changenotice_one_open_per_event"
            ),
        ]
        indexes = [models.Index(fields=["due_at"], condition=Q(sent_at__isnull=True), name="changenotice_due")]

    def __str__(self) -> str:
        return f"change of {self.event_id} due {self.due_at:%Y-%m-%d %H:%M:%S}"


class CalendarFeed(models.Model):
    """A secret calendar link (a capability URL): a member's events in all their guilds, or
    one guild's events. Only the SHA-256 digest of the token is kept; the token is shown
    once, when the link is made. A revoked link stays as a row (when it was made and
    revoked), and answers 404 like a token that never existed.
    """

    member = models.ForeignKey(Member, on_delete=models.CASCADE, null=True, blank=True, related_name="calendar_feeds")
    guild = models.ForeignKey(Guild, on_delete=models.CASCADE, null=True, blank=True, related_name="calendar_feeds")
    prefix = models.CharField(max_length=8, help_text="The token's first characters, to tell links apart.")
    digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the token (hex).")
    created_at = models.DateTimeField(default=now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=True, guild__isnull=False) | Q(member__isnull=False, guild__isnull=True),
                name="calendarfeed_member_or_guild",
            ),
            models.UniqueConstraint(
                fields=["member"], condition=Q(revoked_at__isnull=True), name="calendarfeed_one_live_per_member"
            ),
            models.UniqueConstraint(
                fields=["guild"], condition=Q(revoked_at__isnull=True), name="calendarfeed_one_live_per_guild"
            ),
        ]

    def __str__(self) -> str:
        owner = f"member {self.member_id}" if self.member_id else f"guild {self.guild_id}"
        return f"calendar of {owner} ({self.prefix}…)"


class NativeMirroring(models.Model):
    """A guild's choice to mirror its events as Discord's own scheduled events (``events.native``).

    Off unless an organiser turns it on. ``problem`` is the last sentence Discord's refusal
    (a missing permission) left, shown where the setting is; ``problems`` counts them, so
    each new problem is told to the organiser once (the outbox key names it). The sync of
    one guild runs one at a time: ``sync_claimed_at`` is its compare-and-set claim, and
    ``resync`` asks the holder for another pass.
    """

    guild = models.OneToOneField(Guild, on_delete=models.CASCADE, primary_key=True, related_name="native_mirroring")
    enabled = models.BooleanField(default=False, help_text="Mirror upcoming events as Discord scheduled events.")
    changed_by = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who last turned it on or off.",
    )
    changed_at = models.DateTimeField(default=now)
    problem = models.CharField(max_length=300, blank=True, help_text="Why mirroring is stuck, for organisers.")
    problem_at = models.DateTimeField(null=True, blank=True)
    problems = models.PositiveIntegerField(default=0, help_text="Problems reported so far (each told once).")
    synced_at = models.DateTimeField(null=True, blank=True, help_text="When the last sync finished.")
    sync_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    resync = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = "native event mirroring"

    def __str__(self) -> str:
        return f"native events {'on' if self.enabled else 'off'} in {self.guild_id}"


class NativeEvent(models.Model):
    """One Muster event mirrored as a Discord Guild Scheduled Event (one way: Muster to Discord).

    The row is written before Discord is asked to create anything and one event has one
    row, so a retried sync never creates a second scheduled event; ``creating_since`` marks
    a create whose answer was lost, which the next sync adopts from Discord's list. A row
    whose event is gone (``event`` null) waits for its scheduled event to be removed.
    """

    guild = models.ForeignKey(Guild, on_delete=models.CASCADE, related_name="native_events")
    event = models.OneToOneField(Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="native")
    scheduled_event_id = models.BigIntegerField(
        null=True, blank=True, unique=True, help_text="The Discord scheduled event's id, once made."
    )
    creating_since = models.DateTimeField(
        null=True, blank=True, help_text="A create was sent; its answer not yet kept."
    )
    created_at = models.DateTimeField(default=now)
    synced_at = models.DateTimeField(null=True, blank=True, help_text="When Discord last matched the event.")

    class Meta:
        ordering = ["guild", "id"]

    def __str__(self) -> str:
        return f"scheduled event {self.scheduled_event_id or '(not yet made)'} of event {self.event_id}"


class EventTemplate(models.Model):
    """An event's settings under a name, so a weekly training is made again from a start time.

    Times are kept relative to the start (the length, how long before it registration
    closes, the reminders), so the template fits any date. Names are unique per guild
    whatever their case.
    """

    guild = models.ForeignKey(Guild, on_delete=models.CASCADE, related_name="event_templates")
    name = models.CharField(max_length=60)
    title = models.CharField(max_length=100)
    description = models.TextField(max_length=2000, blank=True)
    location = models.CharField(max_length=200, blank=True)
    duration = models.DurationField(null=True, blank=True, help_text="How long the event lasts. Blank: no end.")
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Blank: no limit.")
    signup_lead = models.DurationField(null=True, blank=True, help_text="Registration closes this long before.")
    reminder_offsets = models.JSONField(default=list, blank=True, help_text="Seconds before each start.")
    needs_rides = models.BooleanField(default=False)
    needs_rooms = models.BooleanField(default=False)
    channel_id = models.BigIntegerField(null=True, blank=True, help_text="Where its events are posted.")
    allowed_role_ids = models.JSONField(default=list, blank=True, help_text="Going and Maybe only with one of these.")
    signup_options = models.JSONField(default=list, blank=True, help_text='Signup options: [["Driver", 4], ...].')
    expected_role_id = models.BigIntegerField(null=True, blank=True, help_text=EXPECTED_HELP)
    nudge_offsets = models.JSONField(default=list, blank=True, help_text="Seconds before registration closes.")
    created_by = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="created_event_templates"
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "guild", name="eventtemplate_name_unique_per_guild"),
        ]

    def __str__(self) -> str:
        return self.name


class SpaceKind(models.TextChoices):
    """Where an event's members meet before and after it (``events.spaces``)."""

    NONE = "none", "None"
    THREAD = "thread", "A thread under the post"
    CHANNEL = "channel", "A private channel"


DEFAULT_CLEANUP = timedelta(days=2)
CLEANUP_HELP = "How long after the event's end its thread is archived (or channel deleted) and its role removed."


class SpaceDefaults(models.Model):
    """A guild's defaults for its new events' thread, channel and attendee role."""

    guild = models.OneToOneField(Guild, on_delete=models.CASCADE, primary_key=True, related_name="space_defaults")
    kind = models.CharField(max_length=10, choices=SpaceKind.choices, default=SpaceKind.NONE)
    include_waitlist = models.BooleanField(default=False, help_text="The waitlist is let in too.")
    category_id = models.BigIntegerField(null=True, blank=True, help_text="Where private channels are made.")
    attendee_role = models.BooleanField(default=False, help_text="Members going get a role organisers can ping.")
    cleanup_after = models.DurationField(default=DEFAULT_CLEANUP, help_text=CLEANUP_HELP)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "space defaults"

    def __str__(self) -> str:
        return f"spaces of {self.guild_id}: {self.kind}"


class EventSpace(models.Model):
    """An event's thread (or private channel) and attendee role, kept to the members going.

    One row per event, written before Discord is asked to make anything, so a retried sync
    never makes a second thread, channel or role (``creating_since`` marks a create whose
    answer was lost). ``problem`` is what stopped it (a missing permission), told once to
    ``requested_by`` per new problem (``problems`` names the outbox key). The sync of one
    event runs one at a time: ``sync_claimed_at`` is its compare-and-set claim, ``resync``
    asks the holder for another pass.
    """

    event = models.OneToOneField(Event, on_delete=models.CASCADE, primary_key=True, related_name="space")
    guild = models.ForeignKey(Guild, on_delete=models.CASCADE, related_name="event_spaces")
    kind = models.CharField(max_length=10, choices=SpaceKind.choices, default=SpaceKind.NONE)
    include_waitlist = models.BooleanField(default=False)
    category_id = models.BigIntegerField(null=True, blank=True, help_text="The private channel's category.")
    attendee_role = models.BooleanField(default=False)
    cleanup_after = models.DurationField(default=DEFAULT_CLEANUP, help_text=CLEANUP_HELP)
    requested_by = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", help_text="Told of problems."
    )
    channel_id = models.BigIntegerField(
        null=True, blank=True, unique=True, help_text="The thread or channel, once made."
    )
    channel_creating_since = models.DateTimeField(null=True, blank=True, editable=False)
    role_id = models.BigIntegerField(null=True, blank=True, unique=True, help_text="The attendee role, once made.")
    role_creating_since = models.DateTimeField(null=True, blank=True, editable=False)
    warned_at = models.DateTimeField(null=True, blank=True, help_text="When the day-before warning was written.")
    closed_at = models.DateTimeField(null=True, blank=True, help_text="When it was archived or deleted.")
    news_due_at = models.DateTimeField(null=True, blank=True, help_text="When the waiting news is announced.")
    problem = models.CharField(max_length=300, blank=True, help_text="Why it is stuck, for organisers.")
    problem_at = models.DateTimeField(null=True, blank=True)
    problems = models.PositiveIntegerField(default=0, help_text="Problems reported so far (each told once).")
    synced_at = models.DateTimeField(null=True, blank=True)
    sync_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    resync = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(default=now)

    class Meta:
        indexes = [models.Index(fields=["closed_at", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} of event {self.event_id}"


class SpaceMember(models.Model):
    """A member Discord was told to let in: into the thread or channel, or given the role.

    Written after Discord said yes and deleted after it removed them; one row per member
    and place (the unique constraint is the idempotency key of the add).
    """

    class Place(models.TextChoices):
        CHANNEL = "channel", "Thread or channel"
        ROLE = "role", "Attendee role"

    space = models.ForeignKey(EventSpace, on_delete=models.CASCADE, related_name="members")
    member_id = models.BigIntegerField()
    place = models.CharField(max_length=10, choices=Place.choices)
    added_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["space", "member_id", "place"], name="spacemember_once_per_place"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} in {self.place} of {self.space_id}"


class SpaceNews(models.Model):
    """A registration change waiting to be announced in the event's thread or channel.

    Changes within ``EVENT_SPACE_NEWS_WINDOW`` seconds of the first are announced together,
    in one message whose outbox key names the last change announced.
    """

    space = models.ForeignKey(EventSpace, on_delete=models.CASCADE, related_name="news")
    member_id = models.BigIntegerField()
    old = models.CharField(max_length=10, blank=True)
    new = models.CharField(max_length=10, blank=True)
    at = models.DateTimeField(default=now)
    announced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["space", "announced_at"])]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.old or '-'} to {self.new or '-'}"
