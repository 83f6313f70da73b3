"""Leave in the admin, through the same services as Discord and the dashboard.

Organisers change their guild's leave settings and types and keep its holiday calendar;
requests they look at (decisions are made in Discord or on the dashboard, where each is
told to the member). The forms' ``clean()`` runs the services' checks.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin

from core.admin import GuildScopedAdmin
from core.errors import RuleError
from leave import services
from leave.models import Holiday, LeaveRequest, LeaveSettings, LeaveType

TYPE_FIELDS = (
    "name",
    "allowance_days",
    "needs_approval",
    "auto_approve",
    "half_days",
    "carry_over_days",
    "negative_allowed",
    "active",
)


class LeaveSettingsForm(forms.ModelForm):
    class Meta:
        model = LeaveSettings
        fields = ("approver_role_id", "channel_id", "away_post_hour", "holiday_country", "holiday_subdivision")

    def draft(self) -> services.SettingsDraft:
        data = self.cleaned_data
        return services.SettingsDraft(
            approver_role_id=data.get("approver_role_id"),
            channel_id=data.get("channel_id"),
            away_post_hour=data.get("away_post_hour") or 0,
            holiday_country=data.get("holiday_country") or "",
            holiday_subdivision=data.get("holiday_subdivision") or "",
        )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            services.check_settings(LeaveSettings.objects.get(pk=self.instance.pk), self.draft())
        except RuleError as error:
            raise forms.ValidationError(error.message) from None
        return data


@admin.register(LeaveSettings)
class LeaveSettingsAdmin(GuildScopedAdmin):
    # Made for each guild on first use: organisers change them, nobody adds or deletes them.
    form = LeaveSettingsForm
    organiser_may_add = organiser_may_delete = False
    list_display = ("guild", "approver_role_id", "channel_id", "away_post_hour", "holiday_country")
    list_select_related = ("guild",)

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        services.save_settings(obj.guild_id, form.draft())


class LeaveTypeForm(forms.ModelForm):
    class Meta:
        model = LeaveType
        fields = ("guild", *TYPE_FIELDS)

    def draft(self) -> services.TypeDraft:
        return services.TypeDraft(**{name: self.cleaned_data.get(name) for name in TYPE_FIELDS})

    def clean(self):
        data = super().clean()
        if self.errors or data.get("guild") is None:
            return data
        try:
            services.check_type(data["guild"].id, self.draft(), leave_type=self.instance if self.instance.pk else None)
        except RuleError as error:
            raise forms.ValidationError(error.message) from None
        return data


@admin.register(LeaveType)
class LeaveTypeAdmin(GuildScopedAdmin):
    # Organisers add and change types; one with requests is made inactive rather than deleted.
    form = LeaveTypeForm
    organiser_may_delete = False
    list_display = ("name", "guild", "allowance_days", "needs_approval", "auto_approve", "carry_over_days", "active")
    list_filter = ("active", "guild")
    list_select_related = ("guild",)

    def save_model(self, request, obj, form, change):
        current = LeaveType.objects.get(pk=obj.pk) if change else None
        saved = services.save_type(obj.guild_id, form.draft(), leave_type=current)
        obj.pk, obj.id = saved.pk, saved.id


@admin.register(Holiday)
class HolidayAdmin(GuildScopedAdmin):
    list_display = ("date", "name", "guild")
    list_filter = ("guild",)
    list_select_related = ("guild",)


@admin.register(LeaveRequest)
class LeaveRequestAdmin(GuildScopedAdmin):
    # Members ask in Discord; approvers decide there or on the dashboard: organisers look here.
    organiser_read_only = True
    organiser_may_add = organiser_may_delete = False
    list_display = ("member", "leave_type", "start", "end", "half", "days", "status", "guild")
    list_filter = ("status", "leave_type", "guild")
    list_select_related = ("member", "leave_type", "guild")
    readonly_fields = ("decided_by", "decided_at", "cancelled_at", "created_at", "updated_at")
