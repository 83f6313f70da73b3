"""The Leave page's forms: settings, a leave type, a holiday, a decline's reason.

The approver role and the Away today channel are pickers of what Muster knows in the
guild (``dashboard.pickers``); the rules are ``leave.services``'s.
"""

from __future__ import annotations

from django import forms

from dashboard.pickers import channel_choices, role_choices
from leave.models import LeaveSettings, LeaveType
from leave.services import SettingsDraft, TypeDraft


class LeaveSettingsForm(forms.Form):
    approver_role_id = forms.TypedChoiceField(
        coerce=int, empty_value=None, required=False, label="Approver role", help_text="(none): the organisers approve."
    )
    channel_id = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        label="Away today channel",
        help_text="Where the daily Away today post goes; (none): no post. A channel appears once Muster posted in it.",
    )
    away_post_hour = forms.IntegerField(min_value=0, max_value=23, label="Away today hour (the server's time zone)")
    holiday_country = forms.CharField(
        max_length=3,
        required=False,
        label="Public holidays of (country code)",
        help_text="GB, FR, DE, US…; blank: none.",
    )
    holiday_subdivision = forms.CharField(
        max_length=10, required=False, label="Subdivision", help_text="ENG, BY, CA…; blank: the whole country."
    )

    def __init__(self, guild, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approver_role_id"].choices = role_choices(guild, blank="(none)")
        self.fields["channel_id"].choices = channel_choices(guild, blank="(none)")

    @classmethod
    def of(cls, guild, settings: LeaveSettings) -> LeaveSettingsForm:
        fields = ("approver_role_id", "channel_id", "away_post_hour", "holiday_country", "holiday_subdivision")
        return cls(guild, initial={name: getattr(settings, name) for name in fields})

    def draft(self) -> SettingsDraft:
        return SettingsDraft(**self.cleaned_data)


class LeaveTypeForm(forms.ModelForm):
    class Meta:
        model = LeaveType
        fields = (
            "name",
            "allowance_days",
            "needs_approval",
            "auto_approve",
            "half_days",
            "carry_over_days",
            "negative_allowed",
            "active",
        )

    def draft(self) -> TypeDraft:
        return TypeDraft(**{name: self.cleaned_data.get(name) for name in self.Meta.fields})


class HolidayForm(forms.Form):
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(max_length=100)


class DeclineForm(forms.Form):
    reason = forms.CharField(max_length=300, label="Reason (the member is told)")
