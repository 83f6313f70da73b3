"""Standups in the admin, checked by the same rules as Discord and the dashboard.

Organisers change their guild's standups (the form's ``clean()`` runs
``services.check_standup``), pause, resume and delete them, and look at the check-ins;
they create standups with ``/standup create`` or on the dashboard.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin

from core.admin import GuildScopedAdmin
from core.errors import RuleError
from standups import services
from standups.models import Checkin, Standup


class StandupForm(forms.ModelForm):
    class Meta:
        model = Standup
        fields = (
            "guild",
            "name",
            "channel_id",
            "questions",
            "weekdays",
            "ask_at",
            "remind_at",
            "cutoff_at",
            "role_id",
            "paused",
        )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        probe = Standup(**{name: data.get(name) for name in self.Meta.fields if name != "guild"})
        if not isinstance(probe.questions, list) or not all(isinstance(q, str) for q in probe.questions):
            raise forms.ValidationError('The questions are a list of texts: ["Done?", "Next?"].')
        try:
            services.check_standup(probe)
        except RuleError as error:
            raise forms.ValidationError(error.message) from None
        return data


@admin.register(Standup)
class StandupAdmin(GuildScopedAdmin):
    form = StandupForm
    organiser_may_add = False  # /standup create or the dashboard
    list_display = ("id", "guild", "name", "channel_id", "ask_at", "cutoff_at", "paused")
    list_filter = ("paused", "guild")
    list_select_related = ("guild",)
    readonly_fields = ("created_by", "created_at", "updated_at")
    actions = ["pause", "resume"]

    @admin.action(description="Pause the selected standups")
    def pause(self, request, queryset):
        running = list(queryset.filter(paused=False))
        for standup in running:
            services.set_paused(standup.id, standup.guild_id, True)
        self.message_user(request, f"Paused {len(running)} standup(s).")

    @admin.action(description="Resume the selected standups")
    def resume(self, request, queryset):
        paused = list(queryset.filter(paused=True))
        for standup in paused:
            services.set_paused(standup.id, standup.guild_id, False)
        self.message_user(request, f"Resumed {len(paused)} standup(s).")


@admin.register(Checkin)
class CheckinAdmin(GuildScopedAdmin):
    organiser_read_only = True  # members' answers: organisers look, the members change them
    organiser_may_add = False
    organiser_may_delete = False
    list_display = ("local_date", "standup", "member", "status", "answered_at")
    list_filter = ("status",)
    list_select_related = ("standup", "member")
    raw_id_fields = ("standup", "member")

    def scope(self, queryset, guild_ids):
        return queryset.filter(standup__guild_id__in=guild_ids)
