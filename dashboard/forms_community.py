"""Forms for custom commands and scheduled messages; ``community``'s services hold the rules.

Each form only reads what was typed into a draft (``CommandDraft``, ``ScheduleDraft``);
the view hands it to the service, whose ``RuleError`` becomes the form's error.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms

from community import schedules
from community.models import CustomCommand, ScheduledMessage
from community.responses import parse_fields
from community.schedules import ScheduleDraft
from community.services import CommandDraft
from core.errors import RuleError
from core.models import Guild
from core.timeparse import day_first, parse_local_time
from core.timezones import known_timezones, not_a_timezone
from dashboard.event_forms import OnceForm
from dashboard.pickers import channel_choices, role_choices


def _rule_error(error: RuleError) -> forms.ValidationError:
    return forms.ValidationError(error.message)


def _embed(title: str, text: str, fields_text: str, colour: str = "") -> tuple[str, dict]:
    """(content, embed): an embed when a title or fields are given, else plain text."""
    embed_fields = parse_fields(fields_text)
    if not (title or embed_fields):
        return text, {}
    embed = {"title": title, "description": text, "fields": embed_fields}
    if colour:
        embed["colour"] = colour
    return "", embed


def _colour(value) -> str:
    """A stored embed colour (an integer) as the form shows it, ``#5865F2``."""
    return f"#{value:06X}" if isinstance(value, int) else (value or "")


class CommandForm(OnceForm):
    name = forms.CharField(max_length=40, help_text="1 to 32 lowercase letters, digits, - or _.")
    description = forms.CharField(max_length=100, help_text="Shown in Discord's command list.")
    response = forms.CharField(
        widget=forms.Textarea, required=False, max_length=4096, help_text="May use {member}, {date}, {event.title} ..."
    )
    embed_title = forms.CharField(required=False, max_length=256, help_text="Optional: answer with an embed.")
    embed_fields = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text="Name: value, one per line."
    )
    embed_colour = forms.CharField(required=False, max_length=7, help_text="e.g. #5865F2")
    private = forms.BooleanField(required=False, help_text="Answer only the member who runs it.")
    cooldown_seconds = forms.IntegerField(
        required=False, min_value=0, max_value=86400, initial=0, help_text="Per member, between uses."
    )
    slash_command = forms.BooleanField(required=False, help_text="Also register /<name> in this server.")
    allowed_role_ids = forms.MultipleChoiceField(required=False, label="Only these roles", help_text="None: everyone.")
    mention_role_ids = forms.MultipleChoiceField(required=False, label="Roles it may ping")

    def __init__(self, guild: Guild, *args, **kwargs):
        super().__init__(*args, **kwargs)
        roles = role_choices(guild)
        self.fields["allowed_role_ids"].choices = roles
        self.fields["mention_role_ids"].choices = roles

    @classmethod
    def of(cls, guild: Guild, command: CustomCommand) -> CommandForm:
        embed = command.embed or {}
        return cls(
            guild,
            initial={
                "name": command.name,
                "description": command.description,
                "response": embed.get("description", "") if embed else command.content,
                "embed_title": embed.get("title", ""),
                "embed_fields": "\n".join(f"{f['name']}: {f['value']}" for f in embed.get("fields", [])),
                "embed_colour": _colour(embed.get("colour")),
                "private": command.private,
                "cooldown_seconds": command.cooldown_seconds,
                "slash_command": command.slash_command,
                "allowed_role_ids": [str(r) for r in command.allowed_role_ids],
                "mention_role_ids": [str(r) for r in command.mention_role_ids],
            },
        )

    def draft(self) -> CommandDraft:
        """What was typed as a draft; ``RuleError`` for embed fields that do not read."""
        data = self.cleaned_data
        content, embed = _embed(
            data["embed_title"].strip(), data["response"].strip(), data["embed_fields"], data["embed_colour"].strip()
        )
        return CommandDraft(
            name=data["name"],
            description=data["description"],
            content=content,
            embed=embed,
            private=data["private"],
            allowed_role_ids=tuple(int(r) for r in data["allowed_role_ids"]),
            mention_role_ids=tuple(int(r) for r in data["mention_role_ids"]),
            cooldown_seconds=data["cooldown_seconds"] or 0,
            slash_command=data["slash_command"],
        )


class ScheduleForm(OnceForm):
    channel_id = forms.TypedChoiceField(
        coerce=int,
        label="Channel",
        help_text="The channels Muster knows here: the announcement channel and where events, polls or schedules "
        "post (for a new one, /schedule create there in Discord).",
    )
    message = forms.CharField(
        widget=forms.Textarea, max_length=4096, help_text="May use {guild}, {date}, {event.title} ..."
    )
    embed_title = forms.CharField(required=False, max_length=256, help_text="Optional: post an embed.")
    start = forms.CharField(
        max_length=40, label="First time", help_text="In the schedule's time zone: 2027-01-05 09:00, tomorrow 09:00."
    )
    repeat = forms.CharField(required=False, max_length=40, help_text=schedules.RECURRENCE_HELP)
    until = forms.DateField(required=False, help_text="Optional last day, YYYY-MM-DD.")
    timezone = forms.CharField(required=False, max_length=64, help_text="Blank: the server's.")
    grace_minutes = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=schedules.MAX_GRACE_MINUTES,
        initial=60,
        help_text="After an outage, what was missed by more is skipped.",
    )
    mention_role_ids = forms.MultipleChoiceField(required=False, label="Roles it may ping")

    def __init__(self, guild: Guild, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.guild = guild
        self.fields["channel_id"].choices = channel_choices(guild)
        self.fields["mention_role_ids"].choices = role_choices(guild)

    @classmethod
    def of(cls, guild: Guild, schedule: ScheduledMessage) -> ScheduleForm:
        embed = schedule.embed or {}
        zone = ZoneInfo(schedule.timezone)
        first = schedule.next_occurrence_at or schedule.starts_at
        recurrence = schedules.Recurrence(schedule.repeat, tuple(schedule.weekdays), schedule.month_week)
        return cls(
            guild,
            initial={
                "channel_id": schedule.channel_id,
                "message": embed.get("description", "") if embed else schedule.content,
                "embed_title": embed.get("title", ""),
                "start": first.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                "repeat": schedules.recurrence_text(recurrence),
                "until": schedule.ends_on,
                "timezone": schedule.timezone,
                "grace_minutes": schedule.grace_minutes,
                "mention_role_ids": [str(r) for r in schedule.mention_role_ids],
            },
        )

    def draft(self, *, now: datetime) -> ScheduleDraft:
        """What was typed as a draft; ``RuleError`` for a time or repetition that does not read."""
        data = self.cleaned_data
        zone_name = data["timezone"].strip() or self.guild.timezone
        if zone_name not in known_timezones():
            raise RuleError(not_a_timezone(zone_name[:64]))
        zone = ZoneInfo(zone_name)
        starts_at = parse_local_time(
            data["start"], zone, now=now, field="first time", day_first=day_first(self.guild.id)
        )
        message, title = data["message"].strip(), data["embed_title"].strip()
        return ScheduleDraft(
            channel_id=data["channel_id"],
            starts_at=starts_at,
            content="" if title else message,
            embed={"title": title, "description": message} if title else {},
            recurrence=schedules.parse_recurrence(data["repeat"]),
            ends_on=data["until"],
            grace_minutes=data["grace_minutes"] if data["grace_minutes"] is not None else 60,
            mention_role_ids=tuple(int(r) for r in data["mention_role_ids"]),
            timezone=zone.key,
        )
