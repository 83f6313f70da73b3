"""The dashboard's event form: typed as in Discord's /event create, checked by the same services.

Times are written as members write them in Discord (``tomorrow 18:30``, ``next friday 7pm``)
and read by ``core.timeparse`` in the organiser's zone; every refusal is the service's own
sentence, shown as a form error.
"""

from __future__ import annotations

from django import forms
from django.apps import apps

from core.models import Guild
from core.timeparse import EXAMPLES, day_first, member_zone, parse_offsets, read_time
from events.discord.messages import offset_text
from events.models import Event
from events.services import DEFAULT_REMINDER_OFFSETS, EventDraft

TIME_HELP = f"As in Discord: {EXAMPLES}."
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


class EventForm(forms.Form):
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
    needs_rides = forms.BooleanField(required=False, label="Members organise rides")
    needs_rooms = forms.BooleanField(required=False, label="Members share rooms")
    channel = forms.TypedChoiceField(coerce=int, required=False, help_text="Where the event is posted.")

    def __init__(self, *args, guild: Guild, member_id: int | None, now, event: Event | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.guild, self.now, self.event = guild, now, event
        self.zone = member_zone(member_id, guild.id) if member_id else member_zone(0, guild.id)
        self.day_first = day_first(guild.id)
        if event is None:
            self.fields["channel"].choices = known_channels(guild)
            self.fields["channel"].required = bool(self.fields["channel"].choices)
            self.initial.setdefault("reminders", ", ".join(offset_text(o) for o in DEFAULT_REMINDER_OFFSETS))
        else:
            del self.fields["channel"]  # an event stays in the channel it was posted in
            self.initial.update(self._shown(event))

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
        }

    def _time(self, name: str, label: str):
        return read_time(self.cleaned_data.get(name), self.zone, now=self.now, field=label, day_first=self.day_first)

    def draft(self) -> EventDraft:
        """The fields as the services take them; typed times read as Discord reads them (RuleError if not)."""
        data = self.cleaned_data
        return EventDraft(
            title=data["title"],
            description=data.get("description") or "",
            location=data.get("location") or "",
            starts_at=self._time("start", "start"),
            ends_at=self._time("end", "end"),
            capacity=data.get("capacity") or None,
            signup_deadline=self._time("signup_deadline", "signup deadline"),
            needs_rides=data.get("needs_rides", False),
            needs_rooms=data.get("needs_rooms", False),
        )

    def reminder_offsets(self):
        text = self.cleaned_data.get("reminders") or ""
        return parse_offsets(text) if text.strip() else []

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
        return changes
