"""The dashboard's event and poll forms: typed as in Discord's /event create and /poll create,
checked by the same services.

Times are written as members write them in Discord (``tomorrow 18:30``, ``next friday 7pm``)
and read by ``core.timeparse`` in the organiser's zone; every refusal is the service's own
sentence, shown as a form error.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django import forms
from django.apps import apps

from core.models import Guild
from core.recurrence import RULE_HELP
from core.timeparse import EXAMPLES, day_first, member_zone, parse_offsets, read_time
from dashboard.pickers import role_choices
from events import signup, spaces
from events.discord.messages import offset_text
from events.models import Event, EventTemplate, SpaceKind
from events.nudges import Expected
from events.series import SCOPES, THIS
from events.services import DEFAULT_REMINDER_OFFSETS, EventDraft
from polls.admin import PollAdminForm

TIME_HELP = f"As in Discord: {EXAMPLES}."
NO_CHANNEL = (
    "Muster knows no channel of this server yet to post in: set its announcement channel, or create "
    "the first event or poll from Discord (/event create, /poll create) in the channel you want."
)
TIME_FIELDS = {"start": "starts_at", "end": "ends_at", "signup_deadline": "signup_deadline"}


def known_channels(guild: Guild) -> list[tuple[int, str]]:
    """Channels Muster knows in the guild (``core.channels``' rule): the announcement
    channel first, then those its events and polls post in. Muster keeps no channel names."""
    ids: list[int] = []
    if guild.announcement_channel_id:
        ids.append(guild.announcement_channel_id)
    for label in ("events.Event", "polls.Poll"):
        rows = apps.get_model(label).objects.filter(guild=guild, channel_id__isnull=False)
        ids.extend(rows.order_by("channel_id").values_list("channel_id", flat=True).distinct())
    seen = list(dict.fromkeys(ids))
    return [(c, f"#{c} (announcements)" if c == guild.announcement_channel_id else f"#{c}") for c in seen]


def expected_choices(guild: Guild, event: Event | None = None) -> list[tuple[str, str]]:
    """Nobody, everyone (Discord's @everyone: the guild's id) or a role its members hold
    (and the role the event expects now, even if nobody holds it any more)."""
    choices = [("", "Nobody (no nudges)"), (str(guild.id), "Everyone"), *role_choices(guild)]
    current = str(event.expected_role_id) if event is not None and event.expected_role_id else ""
    if current and current not in dict(choices):
        choices.append((current, f"role {current}"))
    return choices


def gate_choices(guild: Guild, current: list[int]) -> list[tuple[str, str]]:
    """Roles members of the guild hold (and the ones the event allows now, even if nobody holds them)."""
    choices = role_choices(guild)
    known = dict(choices)
    return choices + [(str(role), f"role {role}") for role in current if str(role) not in known]


def offsets_text(seconds: list[int]) -> str:
    """Stored offsets (seconds, longest first) as they are typed: "1d, 1h"."""
    return ", ".join(offset_text(timedelta(seconds=s)) for s in sorted(seconds, reverse=True))


class OnceForm(forms.Form):
    """A creating form sent once: its hidden one-time token keys the organiser log's row
    (``core.organiser_log``), so a double click or a resent POST creates nothing more."""

    submission = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("submission", uuid.uuid4().hex)


def scope_field(help_text: str) -> forms.ChoiceField:
    """This one / this and following / all, for an occurrence of a series (``events.series``)."""
    return forms.ChoiceField(choices=list(SCOPES.items()), initial=THIS, help_text=help_text, label="Apply to")


class EventForm(OnceForm):
    title = forms.CharField(max_length=Event._meta.get_field("title").max_length)
    start = forms.CharField(max_length=100, help_text=TIME_HELP)
    end = forms.CharField(max_length=100, required=False, help_text="Optional.")
    location = forms.CharField(max_length=Event._meta.get_field("location").max_length, required=False)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=2000)
    capacity = forms.IntegerField(required=False, min_value=0, help_text="Empty or 0: no limit.")
    signup_deadline = forms.CharField(max_length=100, required=False, help_text="Optional; blank: at the start.")
    reminders = forms.CharField(
        max_length=100, required=False, help_text="DMs before the start to those going: 30m, 1h, 2d or 1w."
    )
    expected = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        label="Expected to answer",
        help_text="Those who have not answered are nudged by DM (and the post counts who has).",
    )
    nudges = forms.CharField(
        max_length=100,
        required=False,
        help_text="When they are nudged, before registration closes (the deadline, else the start): 3d, 1d.",
    )
    signup_options = forms.CharField(
        max_length=300,
        required=False,
        label="Signup options",
        help_text=(
            "Going asks which, as in Discord: Driver 4, Rider 16, Helper (a number after a name is that "
            "option's own capacity, inside the event's). Add, rename or remove options here; blank: none."
        ),
    )
    only_roles = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Only members with",
        help_text="Going and Maybe only for members holding one of these roles; none ticked: everyone.",
    )
    needs_rides = forms.BooleanField(required=False, label="Members organise rides")
    needs_rooms = forms.BooleanField(required=False, label="Members share rooms")
    channel = forms.TypedChoiceField(coerce=int, required=False, help_text="Where the event is posted.")
    # The event's thread, private channel and attendee role (events.spaces), as /event edit's space options.
    space = forms.ChoiceField(
        choices=SpaceKind.choices,
        required=False,
        label="Thread or private channel",
        help_text="For members going: a thread under the post, or a private channel only they see. "
        "Once made, it stays what it is until its cleanup.",
    )
    space_category = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        label="Category of the private channel",
        help_text="Categories Muster knows in this server (choose a new one once in Discord: /event edit "
        "space_category:).",
    )
    include_waitlist = forms.BooleanField(required=False, label="Let the waitlist in too")
    attendee_role = forms.BooleanField(
        required=False, label="Attendee role", help_text="Members going get a role organisers can ping."
    )

    def __init__(
        self,
        *args,
        guild: Guild,
        member_id: int | None,
        now,
        event: Event | None = None,
        template: EventTemplate | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.guild, self.now, self.event, self.template = guild, now, event, template
        self.zone = member_zone(member_id or 0, guild.id)
        self.day_first = day_first(guild.id)
        self.fields["expected"].choices = expected_choices(guild, event)
        current_roles = list(event.allowed_role_ids if event else template.allowed_role_ids if template else [])
        self.fields["only_roles"].choices = gate_choices(guild, current_roles)
        self.space_now = spaces.space_of(event.id) if event is not None else None
        categories = spaces.known_categories(guild.id)
        self.fields["space_category"].choices = [("", "None (at the top of the server)")] + [
            (str(c), f"#{c} (category)") for c in categories
        ]
        self.initial.update(self._space_shown(event))
        if event is None:
            self.fields["channel"].choices = known_channels(guild)
            self.fields["repeat"] = forms.CharField(
                max_length=60, required=False, help_text=f"Optional: makes it the first of a series. {RULE_HELP}"
            )
            self.initial.setdefault("reminders", ", ".join(offset_text(o) for o in DEFAULT_REMINDER_OFFSETS))
            if template is not None:
                self._from_template(template)
        else:
            del self.fields["channel"]  # an event stays in the channel it was posted in
            self.initial.update(self._shown(event))
            if event.series_id is not None:
                self.fields["scope"] = scope_field("Which occurrences of the series change.")

    def clean(self):
        data = super().clean()
        if "channel" in self.fields and not self.fields["channel"].choices:
            raise forms.ValidationError(NO_CHANNEL)
        return data

    def _space_shown(self, event: Event | None) -> dict:
        """The event's space as it is (an event without one: nothing, with its guild's category
        and waitlist choice); a new event's: its guild's defaults, which ``create_event`` applies."""
        found = self.space_now if event is not None else spaces.defaults(self.guild.id)
        if event is not None and found is None:
            base = spaces.defaults(self.guild.id)
            return {
                "space": SpaceKind.NONE,
                "space_category": base.category_id,
                "include_waitlist": False,
                "attendee_role": False,
            }
        return {
            "space": found.kind,
            "space_category": found.category_id,
            "include_waitlist": found.include_waitlist,
            "attendee_role": found.attendee_role,
        }

    SPACE_FIELDS = {
        "space": "kind",
        "space_category": "category_id",
        "include_waitlist": "include_waitlist",
        "attendee_role": "attendee_role",
    }

    def space_changes(self) -> dict:
        """What the form changes of the event's space, as ``events.spaces.configure`` takes it
        (against the event's space, or for a new event its guild's defaults; empty: nothing)."""
        changes, final = {}, {}
        for name, argument in self.SPACE_FIELDS.items():
            value = self.cleaned_data.get(name)
            if name == "space" and not value:  # not sent: unchanged
                value = self.initial.get(name)
            final[argument] = value
            if name in self.changed_data and value != self.initial.get(name):
                changes[argument] = spaces.NO_CATEGORY if name == "space_category" and value is None else value
        has_one = self.space_now is not None if self.event is not None else defaults_want_space(self.initial)
        if not has_one and final["kind"] == SpaceKind.NONE and not final["attendee_role"]:
            return {}  # no thread, channel or role before or after: nothing to keep
        return changes

    def _shown(self, event: Event) -> dict:
        def local(moment):
            return moment.astimezone(self.zone).strftime("%Y-%m-%d %H:%M") if moment else ""

        reminders = event.reminders.order_by("offset").values_list("offset", flat=True)
        return {
            "title": event.title,
            "start": local(event.starts_at),
            "end": local(event.ends_at),
            "location": event.location,
            "description": event.description,
            "capacity": event.capacity,
            "signup_deadline": local(event.signup_deadline),
            "reminders": ", ".join(offset_text(offset) for offset in reminders),
            "needs_rides": event.needs_rides,
            "needs_rooms": event.needs_rooms,
            "expected": event.expected_role_id,
            "nudges": ", ".join(
                offset_text(o) for o in event.nudges.order_by("-offset").values_list("offset", flat=True)
            ),
            "signup_options": signup.options_text(signup.specs_of(event)),
            "only_roles": [str(role) for role in event.allowed_role_ids],
        }

    def _from_template(self, template: EventTemplate) -> None:
        """The template's settings as the form's values; its times relative to the start become
        the blank end and deadline's meaning (``draft``)."""
        expected = self.fields["expected"]
        role = template.expected_role_id
        if role and str(role) not in dict(expected.choices):
            expected.choices = [*expected.choices, (str(role), f"role {role}")]
        self.initial.update(
            {
                "title": template.title,
                "location": template.location,
                "description": template.description,
                "capacity": template.capacity,
                "reminders": offsets_text(template.reminder_offsets),
                "expected": template.expected_role_id,
                "nudges": offsets_text(template.nudge_offsets),
                "signup_options": signup.options_text(signup.specs_from_json(template.signup_options)),
                "only_roles": [str(role) for role in template.allowed_role_ids],
                "needs_rides": template.needs_rides,
                "needs_rooms": template.needs_rooms,
            }
        )
        if template.channel_id in dict(self.fields["channel"].choices):
            self.initial["channel"] = template.channel_id
        if template.duration:
            length = offset_text(template.duration)
            self.fields["end"].help_text = f"Blank: {length} after the start, as the template says."
        if template.signup_lead:
            self.fields[
                "signup_deadline"
            ].help_text = f"Blank: {offset_text(template.signup_lead)} before the start, as the template says."

    def _time(self, name: str, label: str):
        return read_time(self.cleaned_data.get(name), self.zone, now=self.now, field=label, day_first=self.day_first)

    def draft(self) -> EventDraft:
        """The fields as the services take them; typed times read as Discord reads them (RuleError if not)."""
        data, template = self.cleaned_data, self.template
        starts_at, ends_at = self._time("start", "start"), self._time("end", "end")
        deadline = self._time("signup_deadline", "signup deadline")
        if template is not None and starts_at is not None:  # blank times: the template's, from this start
            if ends_at is None and template.duration:
                ends_at = starts_at + template.duration
            if deadline is None and template.signup_lead:
                deadline = starts_at - template.signup_lead
        return EventDraft(
            title=data["title"],
            description=data.get("description") or "",
            location=data.get("location") or "",
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=data.get("capacity") or None,
            signup_deadline=deadline,
            needs_rides=data.get("needs_rides", False),
            needs_rooms=data.get("needs_rooms", False),
        )

    def options(self) -> tuple[signup.OptionSpec, ...]:
        """The signup options as typed ("Driver 4, Rider 16"), read as Discord reads them (RuleError if not)."""
        return signup.parse_options(self.cleaned_data.get("signup_options"))

    def gates(self) -> signup.Signup:
        """Who may go and as what, as ``events.services.create_event`` takes it."""
        return signup.Signup(tuple(self.cleaned_data.get("only_roles") or ()), self.options())

    def reminder_offsets(self):
        text = self.cleaned_data.get("reminders") or ""
        return parse_offsets(text) if text.strip() else []

    def expectation(self) -> Expected:
        """Who is expected and when they are nudged, as ``events.nudges`` takes them."""
        text = self.cleaned_data.get("nudges") or ""
        offsets = tuple(parse_offsets(text)) if text.strip() else ()
        return Expected(self.cleaned_data.get("expected"), offsets)

    def changes(self) -> dict:
        """What an edit changes, as ``events.services.edit_event`` takes it."""
        draft, event, changes = self.draft(), self.event, {}
        for name in ("title", "description", "location", "capacity", "needs_rides", "needs_rooms"):
            if getattr(draft, name) != getattr(event, name):
                changes[name] = getattr(draft, name)
        typed = (("start", draft.starts_at), ("end", draft.ends_at), ("signup_deadline", draft.signup_deadline))
        for name, value in typed:
            if name in self.changed_data:
                changes[TIME_FIELDS[name]] = value
        if "reminders" in self.changed_data:
            changes["reminder_offsets"] = self.reminder_offsets()
        if "expected" in self.changed_data:
            changes["expected_role_id"] = self.cleaned_data.get("expected")
        if "nudges" in self.changed_data:
            changes["nudge_offsets"] = list(self.expectation().offsets)
        if "signup_options" in self.changed_data:
            changes["signup_options"] = list(self.options())
        if "only_roles" in self.changed_data:
            changes["allowed_role_ids"] = list(self.cleaned_data.get("only_roles") or ())
        return changes


def defaults_want_space(initial: dict) -> bool:
    """Whether a new event's defaults (the form's initial values) give it a thread, channel or role."""
    return initial.get("space", SpaceKind.NONE) != SpaceKind.NONE or bool(initial.get("attendee_role"))


class PollForm(OnceForm):
    """/poll create on the web: one option per line, the closing time typed as in Discord."""

    question = forms.CharField(max_length=200)
    options = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), help_text="One per line, 2 to 10.")
    multiple_choice = forms.BooleanField(required=False, label="Members may pick several")
    anonymous = forms.BooleanField(required=False, help_text="Nobody, organisers included, will see who voted.")
    closes = forms.CharField(max_length=100, required=False, help_text=f"Optional; blank: closed by hand. {TIME_HELP}")
    channel = forms.TypedChoiceField(coerce=int, help_text="Where the poll is posted.")

    def __init__(self, *args, guild: Guild, member_id: int | None, now, **kwargs):
        super().__init__(*args, **kwargs)
        self.guild, self.now = guild, now
        self.zone = member_zone(member_id or 0, guild.id)
        self.fields["channel"].choices = known_channels(guild)

    def clean(self):
        data = super().clean()
        if not self.fields["channel"].choices:
            raise forms.ValidationError(NO_CHANNEL)
        return data

    def draft(self):
        """The fields as ``polls.services.create_poll`` takes them (RuleError for an unreadable time)."""
        from polls.services import PollDraft

        data = self.cleaned_data
        closes_at = read_time(
            data.get("closes"), self.zone, now=self.now, field="closing time", day_first=day_first(self.guild.id)
        )
        return PollDraft(
            question=data["question"],
            options=data["options"].splitlines(),
            multiple_choice=data.get("multiple_choice", False),
            anonymous=data.get("anonymous", False),
            closes_at=closes_at,
        )


class PollEditForm(PollAdminForm):
    """The admin's poll form for what an organiser changes after posting: the question and the
    closing time (with the admin's check that it is not past). Options, choice type and
    anonymity stay as posted: votes were cast under them. The times are the guild's."""

    class Meta(PollAdminForm.Meta):
        fields = ("question", "closes_at")
        widgets = {"closes_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")}
        help_texts = {"closes_at": "Blank: closed by hand."}

    def clean(self):
        data = super().clean()
        if self.instance.status != self.instance.Status.OPEN:
            raise forms.ValidationError("This poll is closed: its question and results are final.")
        return data
