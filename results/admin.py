"""Results in the admin: seasons (their tie-breaks), result sheets with their entries, check-ins.

Sheets are posted with /results post or the dashboard (which post them in Discord), so
organisers look at them here and change seasons' names and tie-breaks.
"""

from __future__ import annotations

from django.contrib import admin

from core.admin import GuildScopedAdmin, GuildScopedInline
from results.models import CheckIn, CheckInWindow, ResultEntry, ResultSheet, Season


class ResultEntryInline(GuildScopedInline, admin.TabularInline):
    model = ResultEntry
    extra = 0
    fields = ("position", "name", "team", "member", "points", "note")
    readonly_fields = fields

    def scope(self, queryset, guild_ids):
        return queryset.filter(sheet__guild_id__in=guild_ids)


@admin.register(Season)
class SeasonAdmin(GuildScopedAdmin):
    list_display = ("name", "guild", "series", "tie_breaks")
    search_fields = ("name",)
    raw_id_fields = ("guild", "series")


@admin.register(ResultSheet)
class ResultSheetAdmin(GuildScopedAdmin):
    # Posting goes through the services (the post in Discord follows): organisers look here.
    organiser_read_only = True
    organiser_may_add = False
    organiser_may_delete = False
    list_display = ("event", "guild", "season", "channel_id", "updated_at")
    list_select_related = ("event", "guild", "season")
    raw_id_fields = ("event", "guild", "season", "posted_by")
    inlines = [ResultEntryInline]


@admin.register(CheckIn)
class CheckInAdmin(GuildScopedAdmin):
    organiser_read_only = True
    organiser_may_add = False
    organiser_may_delete = False
    list_display = ("event", "member", "checked_in_at")
    list_select_related = ("event", "member")
    raw_id_fields = ("event", "guild", "member")


@admin.register(CheckInWindow)
class CheckInWindowAdmin(GuildScopedAdmin):
    organiser_read_only = True
    organiser_may_add = False
    organiser_may_delete = False
    list_display = ("event", "guild", "opened_drawn_at", "closed_drawn_at")
    raw_id_fields = ("event", "guild", "enabled_by")
