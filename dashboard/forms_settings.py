"""The guild settings form: time zone, date order, organiser role and announcement channel.

The role and channel are pickers of what Muster knows in the guild (``dashboard.pickers``),
so an id of another guild cannot be posted (it is not a choice: a form error).
"""

from __future__ import annotations

from django import forms

from carpool.models import AREA_MAX
from core.models import Guild
from dashboard.pickers import channel_choices, role_choices


class GuildSettingsForm(forms.ModelForm):
    organiser_role_id = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        label="Organiser role",
        help_text=Guild._meta.get_field("organiser_role_id").help_text,
    )
    announcement_channel_id = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        label="Announcement channel",
        help_text="Where events are posted when no channel is given. A channel appears here once Muster posted in it.",
    )

    class Meta:
        model = Guild
        fields = ("timezone", "date_order", "organiser_role_id", "announcement_channel_id")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organiser_role_id"].choices = role_choices(self.instance, blank="(none)")
        self.fields["announcement_channel_id"].choices = channel_choices(self.instance, blank="(none)")


class AreaForm(forms.Form):
    name = forms.CharField(
        max_length=AREA_MAX, label="New ride area", help_text="Where rides leave from, never an address."
    )
