"""Export targets in the admin: what goes where, "Export now", and each target's run history.

Web holds no Google credentials (only workers do), so saving a target queues a check: a
worker reads the spreadsheet once and writes what it found under *Last error* ("" when
Muster can open it).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import transaction

from core import datasets
from core.admin import GuildScopedAdmin, GuildScopedInline, scope_to_guilds
from core.errors import RuleError
from sheets_export import services, tasks
from sheets_export.models import ExportRun, ExportTarget

RUN_FIELDS = (
    "started_at",
    "finished_at",
    "trigger",
    "status",
    "rows_added",
    "rows_updated",
    "rows_marked",
    "cells_written",
    "read_requests",
    "write_requests",
    "error",
    "notices",
)


class ExportTargetForm(forms.ModelForm):
    spreadsheet_id = forms.CharField(label="Spreadsheet", help_text="Its URL, or the id in it.")
    datasets = forms.MultipleChoiceField(choices=(), widget=forms.CheckboxSelectMultiple, help_text="One tab each.")

    class Meta:
        model = ExportTarget
        fields = ("guild", "spreadsheet_id", "datasets", "events", "cadence", "removed_rows", "configured_by")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["datasets"].choices = datasets.choices()

    def clean_spreadsheet_id(self):
        try:
            return services.spreadsheet_id(self.cleaned_data["spreadsheet_id"])
        except RuleError as error:
            raise forms.ValidationError(error.message) from None

    def clean(self):
        data = super().clean()
        guild, chosen = data.get("guild"), data.get("events")
        if guild is not None and chosen:
            others = [event for event in chosen if event.guild_id != guild.id]
            if others:
                self.add_error("events", f"{others[0]} belongs to another server.")
        return data


class ExportRunInline(GuildScopedInline, admin.TabularInline):
    model = ExportRun
    extra = 0
    fields = RUN_FIELDS
    readonly_fields = RUN_FIELDS
    ordering = ("-started_at", "-id")
    max_num = 0
    verbose_name_plural = "Runs (newest first)"

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-started_at", "-id")

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.organised(request) is None and super().has_delete_permission(request, obj)


@admin.register(ExportTarget)
class ExportTargetAdmin(GuildScopedAdmin):
    # Organisers connect their guild's spreadsheets, change what goes there, export now, remove.
    form = ExportTargetForm
    list_display = ("spreadsheet_id", "guild", "cadence", "last_success_at", "last_error")
    list_filter = ("guild", "cadence")
    filter_horizontal = ("events",)
    readonly_fields = ("last_run_at", "last_success_at", "last_error", "next_run_at")
    actions = ["export_now"]
    inlines = [ExportRunInline]

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # A target's runs go with it: that organisers may not delete a run alone does not stop it.
        perms_needed.discard(ExportRun._meta.verbose_name)
        return deleted, counts, perms_needed, protected

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        transaction.on_commit(lambda: tasks.check_target.delay(obj.id))
        self.message_user(
            request,
            "Saved. A worker now checks that Muster can open the spreadsheet: reload to see its answer.",
            messages.INFO,
        )

    @admin.action(description="Export now")
    def export_now(self, request, queryset):
        for target in queryset:
            tasks.export_soon(target.id, "admin")
        self.message_user(
            request, f"Exporting {queryset.count()} now; the runs appear on each target.", messages.SUCCESS
        )


@admin.register(ExportRun)
class ExportRunAdmin(GuildScopedAdmin):
    # What each run did, written by the workers: organisers look.
    organiser_read_only = True
    written_elsewhere = True
    list_display = ("target", "started_at", "trigger", "status", "rows_added", "rows_updated", "rows_marked", "error")
    list_filter = ("status", "trigger")
    readonly_fields = ("target", *RUN_FIELDS)

    def scope(self, queryset, guild_ids):
        return queryset.filter(target__in=scope_to_guilds(ExportTarget.objects.all(), guild_ids))
