"""The desk in the admin: tasks (changed in Discord and on the dashboard, through the services)
and each guild's desk settings (the task managers role, the digest hour)."""

from __future__ import annotations

from django.contrib import admin

from core.admin import GuildScopedAdmin, GuildScopedInline
from desk.models import DeskSettings, Task, TaskComment


class TaskCommentInline(GuildScopedInline, admin.TabularInline):
    model = TaskComment
    extra = 0
    fields = ("author", "text", "created_at")
    readonly_fields = fields

    def scope(self, queryset, guild_ids):
        return queryset.filter(task__guild_id__in=guild_ids)


@admin.register(Task)
class TaskAdmin(GuildScopedAdmin):
    # Assignments send DMs and move reminders: organisers change tasks through /task or the dashboard.
    organiser_read_only = True
    organiser_may_add = False
    organiser_may_delete = False
    list_display = ("id", "title", "guild", "assignee", "due_at", "priority", "status")
    list_filter = ("status", "priority")
    list_select_related = ("guild", "assignee")
    search_fields = ("title",)
    raw_id_fields = ("guild", "created_by", "assignee", "done_by")
    inlines = [TaskCommentInline]


@admin.register(DeskSettings)
class DeskSettingsAdmin(GuildScopedAdmin):
    list_display = ("guild", "manager_role_id", "digest_hour")
    raw_id_fields = ("guild",)
