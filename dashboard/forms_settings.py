"""The guild settings form: time zone, date order, organiser role and announcement channel;
the ride area form; the Jira site form.

The role and channel are pickers of what Muster knows in the guild (``dashboard.pickers``),
so an id of another guild cannot be posted (it is not a choice: a form error).
"""

from __future__ import annotations

from django import forms

from carpool.models import AREA_MAX
from core.models import Guild, GuildMember, Member
from dashboard.pickers import channel_choices, role_choices
from jira_sync.admin import JiraSiteForm
from jira_sync.models import JiraSite


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


class JiraSiteSettingsForm(JiraSiteForm):
    """The admin's Jira site form as an organiser gets it (the same rules: only Jira variables
    no other guild's site uses, the dry-run search on a changed connection), for the URL's guild.

    The guild is not a field: it is set on the instance, so no other guild can be posted.
    """

    by_organiser = True

    class Meta(JiraSiteForm.Meta):
        fields = tuple(name for name in JiraSiteForm.Meta.fields if name != "guild")

    def __init__(self, *args, guild: Guild, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.guild = guild
        members = GuildMember.objects.filter(guild=guild).values("member_id")
        self.fields["notify_member"].queryset = Member.objects.filter(pk__in=members).order_by("username")

    def clean(self):
        # Django skips the (guild, base_url) constraint for a form without the guild field: check it
        # here, before the dry-run search would reach the site.
        base_url = self.cleaned_data.get("base_url")
        others = JiraSite.objects.filter(guild=self.instance.guild, base_url=base_url).exclude(pk=self.instance.pk)
        if base_url and others.exists():
            self.add_error("base_url", "This server already has a Jira site at that address.")
            return self.cleaned_data
        return super().clean()
