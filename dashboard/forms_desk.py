"""The Tasks page's form; ``desk.services`` holds the rules (its RuleError becomes the form's error)."""

from __future__ import annotations

from django import forms

from core.models import GuildMember
from dashboard.event_forms import OnceForm
from desk.models import Task

DUE_HELP = "Your time zone (else the server's): 2026-12-10 17:00, friday 9am, in 3 days. Blank: no due time."


def assignee_choices(guild) -> list[tuple[str, str]]:
    members = GuildMember.objects.filter(guild=guild, left_at__isnull=True).select_related("member")
    named = sorted(((str(m.member_id), m.nickname or str(m.member)) for m in members), key=lambda c: c[1].lower())
    return [("", "Nobody (unassigned)"), *named]


class TaskForm(OnceForm):
    title = forms.CharField(max_length=200)
    assignee = forms.ChoiceField(required=False)
    due = forms.CharField(max_length=40, required=False, help_text=DUE_HELP)
    priority = forms.ChoiceField(choices=Task.Priority.choices, initial=Task.Priority.NORMAL)
    details = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=2000)

    def __init__(self, guild, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = assignee_choices(guild)

    def assignee_id(self) -> int | None:
        value = self.cleaned_data.get("assignee")
        return int(value) if value else None


class TaskFilter(forms.Form):
    status = forms.ChoiceField(
        choices=[("open", "Open"), ("done", "Done"), ("any", "Both")], required=False, initial="open"
    )
    assignee = forms.ChoiceField(required=False)
    overdue = forms.BooleanField(required=False, label="Overdue only")

    def __init__(self, guild, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", "Anyone"), *assignee_choices(guild)[1:]]
