"""What a member sets for themself on *Me*: their time zone and reminders by DM."""

from __future__ import annotations

from django import forms

from core.models import Member


class MemberPreferencesForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = ("timezone", "dm_reminders")
        labels = {"timezone": "Time zone", "dm_reminders": "Reminders by direct message"}
        help_texts = {"timezone": "An IANA name such as Europe/Paris; blank: each guild's own."}
