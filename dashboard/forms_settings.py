"""The guild settings form: time zone, date order, organiser role and announcement channel;
the ride area form; the Jira site form; the Sheets export target form.

The role and channel are pickers of what Muster knows in the guild (``dashboard.pickers``),
so an id of another guild cannot be posted (it is not a choice: a form error).
"""

from __future__ import annotations

from django import forms

from carpool.models import AREA_MAX
from core.models import Guild, GuildMember, Member
from dashboard.pickers import channel_choices, role_choices
from events.models import Event, SpaceKind
from jira_sync.admin import JiraSiteForm
from jira_sync.models import JiraSite
from sheets_export.admin import ExportTargetForm
from sheets_export.models import ExportTarget


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


class SpaceDefaultsForm(forms.Form):
    """New events' thread, private channel and attendee role (``events.spaces``, /event defaults).

    The category of private channels is chosen in Discord (``/event defaults space_category:``),
    which offers only the server's own categories; Muster keeps no list of them.
    """

    kind = forms.ChoiceField(choices=SpaceKind.choices, label="Space for members going")
    include_waitlist = forms.BooleanField(required=False, label="Let the waitlist in too")
    attendee_role = forms.BooleanField(required=False, label="Attendee role members going get (pingable)")
    cleanup_days = forms.IntegerField(
        min_value=1, max_value=30, label="Cleanup, days after the event", help_text="A warning is posted a day before."
    )


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


SPREADSHEET_TAKEN = "This server already exports to that spreadsheet: open it below to change what goes there."


class ExportTargetSettingsForm(ExportTargetForm):
    """The admin's export target form as an organiser gets it (the same rules: the link or id
    read by ``sheets_export.services.spreadsheet_id``, the datasets Muster has), for the URL's guild.

    The guild is not a field: it is set on the instance, and the events and the member told of
    errors are pickers of that guild's only, so no other guild's can be posted.
    """

    class Meta(ExportTargetForm.Meta):
        fields = tuple(name for name in ExportTargetForm.Meta.fields if name != "guild")

    def __init__(self, *args, guild: Guild, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.guild = guild
        self.fields["events"].queryset = Event.objects.filter(guild=guild).order_by("-starts_at")
        members = GuildMember.objects.filter(guild=guild).values("member_id")
        self.fields["configured_by"].queryset = Member.objects.filter(pk__in=members).order_by("username")

    def clean(self):
        # Django skips the (guild, spreadsheet) constraint for a form without the guild field: check it here.
        spreadsheet = self.cleaned_data.get("spreadsheet_id")
        others = ExportTarget.objects.filter(guild=self.instance.guild, spreadsheet_id=spreadsheet)
        if spreadsheet and others.exclude(pk=self.instance.pk).exists():
            self.add_error("spreadsheet_id", SPREADSHEET_TAKEN)
        return super().clean()
