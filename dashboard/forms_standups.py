"""The dashboard's standup form: what organisers type, read by the same services as /standup."""

from __future__ import annotations

from django import forms

from core.models import Guild, GuildMember
from dashboard.event_forms import OnceForm
from dashboard.pickers import channel_choices, role_choices
from standups import services
from standups.models import DEFAULT_QUESTIONS, Standup
from standups.services import StandupDraft


class StandupForm(OnceForm):
    name = forms.CharField(required=False, max_length=60, help_text="The team's name, e.g. Backend (optional).")
    channel_id = forms.TypedChoiceField(
        coerce=int,
        label="Channel",
        help_text="Where the answers are posted: the channels Muster knows here (for a new one, /standup create "
        "there in Discord).",
    )
    questions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        initial="\n".join(DEFAULT_QUESTIONS),
        help_text="One a line, at most 5 (a Discord form holds five), 45 characters each.",
    )
    days = forms.CharField(max_length=40, initial="mon-fri", help_text="mon-fri, daily, mon,wed,fri …")
    ask_at = forms.CharField(
        max_length=10, initial="09:00", label="Asks at", help_text="Each participant's own local time."
    )
    remind_at = forms.CharField(required=False, max_length=10, label="Reminder at", help_text="Optional, local time.")
    cutoff_at = forms.CharField(
        required=False,
        max_length=10,
        label="Cutoff at",
        help_text="Optional, local time: answers close then and one digest is posted instead of a message each.",
    )
    role_id = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Role taking part")
    member_ids = forms.TypedMultipleChoiceField(coerce=int, required=False, label="Members taking part")

    def __init__(self, guild: Guild, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.guild = guild
        self.fields["channel_id"].choices = channel_choices(guild)
        self.fields["role_id"].choices = role_choices(guild, blank="No role")
        members = GuildMember.objects.filter(guild=guild, left_at__isnull=True).select_related("member")
        self.fields["member_ids"].choices = [
            (str(m.member_id), m.nickname or str(m.member)) for m in members.order_by("member__username")
        ]

    @classmethod
    def of(cls, guild: Guild, standup: Standup) -> StandupForm:
        return cls(
            guild,
            initial={
                "name": standup.name,
                "channel_id": standup.channel_id,
                "questions": "\n".join(standup.questions),
                "days": ",".join(day for i, day in enumerate(services.WEEKDAYS) if standup.weekdays & (1 << i)),
                "ask_at": f"{standup.ask_at:%H:%M}",
                "remind_at": f"{standup.remind_at:%H:%M}" if standup.remind_at else "",
                "cutoff_at": f"{standup.cutoff_at:%H:%M}" if standup.cutoff_at else "",
                "role_id": standup.role_id,
                "member_ids": [str(m) for m in standup.participants.values_list("member_id", flat=True)],
            },
        )

    def draft(self) -> StandupDraft:
        """What was typed, read as /standup reads it; ``RuleError`` for what does not read."""
        data = self.cleaned_data
        return StandupDraft(
            channel_id=data["channel_id"],
            name=data.get("name") or "",
            questions=services.parse_questions(data["questions"]),
            weekdays=services.parse_days(data["days"]),
            ask_at=services.parse_clock(data["ask_at"]),
            remind_at=services.parse_clock(data["remind_at"], "reminder") if data.get("remind_at") else None,
            cutoff_at=services.parse_clock(data["cutoff_at"], "cutoff") if data.get("cutoff_at") else None,
            role_id=data.get("role_id"),
            member_ids=list(data.get("member_ids") or []),
        )
