"""Custom commands and scheduled messages in the admin, through the same services as Discord.

The forms' ``clean()`` runs the services' checks, so a name clash or an embed over
Discord's limits is a form error; saving and deleting call the services, so slash
commands are registered again (debounced) and schedules get their first occurrence.
The registration state of /<name> (``slash_error``) and every skipped occurrence are shown.
The club's roster (``community.roster``) is only shown: it changes by an import on the
dashboard's Roster page and by the apply step.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.utils import timezone

from community import schedules, services
from community.models import CustomCommand, GuildCommandSync, Occurrence, Roster, RosterEntry, ScheduledMessage
from community.schedules import Recurrence, ScheduleDraft
from community.services import CommandDraft
from core.admin import GuildScopedAdmin, GuildScopedInline
from core.errors import RuleError

COMMAND_FIELDS = (
    "name",
    "description",
    "content",
    "embed",
    "private",
    "allowed_role_ids",
    "mention_role_ids",
    "cooldown_seconds",
    "slash_command",
)


class CustomCommandForm(forms.ModelForm):
    class Meta:
        model = CustomCommand
        fields = ("guild", *COMMAND_FIELDS)

    def draft(self) -> CommandDraft:
        data = self.cleaned_data
        return CommandDraft(
            name=data.get("name") or "",
            description=data.get("description") or "",
            content=data.get("content") or "",
            embed=data.get("embed") or {},
            private=bool(data.get("private")),
            allowed_role_ids=tuple(_ids(data.get("allowed_role_ids"))),
            mention_role_ids=tuple(_ids(data.get("mention_role_ids"))),
            cooldown_seconds=data.get("cooldown_seconds") or 0,
            slash_command=bool(data.get("slash_command")),
        )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            if not isinstance(data.get("embed") or {}, dict):
                raise RuleError('The embed must be an object: {"title": ..., "description": ..., "fields": [...]}.')
            self.checked = services.check_draft(data["guild"].id, self.draft(), exclude_id=self.instance.pk)
        except RuleError as error:
            raise forms.ValidationError(error.message) from None
        return data


def _ids(value) -> list[int]:
    if not value:
        return []
    if not isinstance(value, list) or not all(str(v).isdigit() for v in value):
        raise RuleError("Role ids are a list of numbers, e.g. [555000000000000001].")
    return [int(v) for v in value]


@admin.register(CustomCommand)
class CustomCommandAdmin(GuildScopedAdmin):
    # Organisers add, change and delete their guild's commands (as /command does in Discord).
    form = CustomCommandForm
    list_display = ("name", "guild", "private", "cooldown_seconds", "slash_command", "slash_registered_at", "problem")
    list_filter = ("slash_command", "private", "guild")
    search_fields = ("name", "description", "content")
    list_select_related = ("guild",)
    readonly_fields = ("slash_registered_at", "slash_error", "created_by", "created_at", "updated_at")

    @admin.display(description="/<name> problem")
    def problem(self, obj: CustomCommand) -> str:
        return obj.slash_error

    def save_model(self, request, obj, form, change):
        now = timezone.now()
        if change:
            current = CustomCommand.objects.get(pk=obj.pk)
            saved = services.update_command(current, form.draft(), now=now)
        else:
            saved = services.create_command(obj.guild, form.draft(), now=now)
        obj.pk, obj.id = saved.pk, saved.id

    def delete_model(self, request, obj):
        services.delete_command(obj, now=timezone.now())

    def delete_queryset(self, request, queryset):
        for command in queryset:
            services.delete_command(command, now=timezone.now())


@admin.register(GuildCommandSync)
class GuildCommandSyncAdmin(GuildScopedAdmin):
    # Whether Discord took the guild's slash commands, kept by the workers: organisers look.
    organiser_read_only = True
    list_display = ("guild", "synced_at", "registered", "due_at", "attempts", "last_error")
    readonly_fields = ("guild", "due_at", "running_since", "synced_at", "registered", "last_error", "attempts")

    def has_add_permission(self, request):
        return False


SCHEDULE_FIELDS = (
    "channel_id",
    "content",
    "embed",
    "mention_role_ids",
    "timezone",
    "starts_at",
    "repeat",
    "weekdays",
    "month_week",
    "ends_on",
    "grace_minutes",
)


class ScheduledMessageForm(forms.ModelForm):
    class Meta:
        model = ScheduledMessage
        fields = ("guild", *SCHEDULE_FIELDS)

    def draft(self) -> ScheduleDraft:
        data = self.cleaned_data
        weekdays = tuple(int(d) for d in data.get("weekdays") or ())
        return ScheduleDraft(
            channel_id=data.get("channel_id") or 0,
            starts_at=data["starts_at"],
            content=data.get("content") or "",
            embed=data.get("embed") or {},
            recurrence=Recurrence(data.get("repeat"), weekdays, data.get("month_week")),
            ends_on=data.get("ends_on"),
            grace_minutes=data.get("grace_minutes") or 0,
            mention_role_ids=tuple(_ids(data.get("mention_role_ids"))),
            timezone=data.get("timezone") or "",
        )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            weekdays = data.get("weekdays") or []
            if not isinstance(weekdays, list) or not all(str(d) in "0123456" and str(d) for d in weekdays):
                raise RuleError("Weekdays are a list of numbers from 0 (Monday) to 6 (Sunday), e.g. [0, 3].")
            if data.get("month_week") not in (None, 1, 2, 3, 4, -1):
                raise RuleError('The week of the month is 1 to 4, or -1 for "last".')
            if data.get("month_week") is not None and len(weekdays) != 1:
                raise RuleError('"2nd Tuesday" needs exactly one weekday: month week 2 and weekdays [1].')
            self.preview = schedules.preview(data["guild"], self.draft(), now=timezone.now())
        except RuleError as error:
            raise forms.ValidationError(error.message) from None
        return data


class OccurrenceInline(GuildScopedInline, admin.TabularInline):
    model = Occurrence
    extra = 0
    fields = ("occurs_at", "outcome", "recorded_at", "outbound")
    readonly_fields = fields
    verbose_name_plural = "Occurrences (skipped: missed by more than the grace window)"

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # An occurrence records that a time was posted (once): organisers never erase it.
        return self.organised(request) is None and super().has_delete_permission(request, obj)


@admin.register(ScheduledMessage)
class ScheduledMessageAdmin(GuildScopedAdmin):
    # Organisers add, change, pause, resume and delete their guild's schedules.
    form = ScheduledMessageForm
    list_display = ("id", "guild", "channel_id", "repeat", "status", "next_occurrence_at", "paused_reason")
    list_filter = ("status", "repeat", "guild")
    list_select_related = ("guild",)
    readonly_fields = ("status", "paused_reason", "next_occurrence_at", "created_by", "created_at", "updated_at")
    inlines = [OccurrenceInline]
    actions = ["pause", "resume"]

    def save_model(self, request, obj, form, change):
        now = timezone.now()
        if change:
            saved = schedules.update_schedule(ScheduledMessage.objects.get(pk=obj.pk), form.draft(), now=now)
        else:
            saved = schedules.create_schedule(obj.guild, form.draft(), now=now)
        obj.pk, obj.id = saved.pk, saved.id
        shown = ", ".join(f"{m:%Y-%m-%d %H:%M} UTC" for m in form.preview)
        self.message_user(request, f"The next occurrences: {shown}.")

    @admin.action(description="Pause the selected schedules")
    def pause(self, request, queryset):
        paused = sum(schedules.pause_schedule(s, now=timezone.now(), reason="paused in the admin") for s in queryset)
        self.message_user(request, f"Paused {paused} schedule(s).")

    @admin.action(description="Resume the selected schedules")
    def resume(self, request, queryset):
        for schedule in queryset:
            try:
                schedules.resume_schedule(schedule, now=timezone.now())
            except RuleError as error:
                self.message_user(request, f"Schedule {schedule.id}: {error.message}", messages.WARNING)


class RosterShown(GuildScopedAdmin):
    """Read only for everyone, operators too: an import replaces a roster whole (each line
    checked, ``roster.import_roster``) and the apply step writes its outcome; an edit here would
    skip both."""

    organiser_read_only = True
    organiser_may_add = organiser_may_delete = False
    written_elsewhere = True

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Roster)
class RosterAdmin(RosterShown):
    list_display = ("guild", "lines", "source", "imported_at", "imported_by", "member_role_id", "applied_at")
    list_select_related = ("guild", "imported_by")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(entries=Count("guild__roster_entries"))

    @admin.display(description="Lines", ordering="entries")
    def lines(self, obj: Roster) -> int:
        return obj.entries


@admin.register(RosterEntry)
class RosterEntryAdmin(RosterShown):
    list_display = ("line", "username", "discord_id", "external_id", "roles", "guild")
    list_filter = ("guild",)
    list_select_related = ("guild",)
    search_fields = ("username", "external_id", "=discord_id")
