"""Teams in the admin: organisers look (they change teams on the dashboard's Teams page or in
Discord, where the services keep the roles, threads and DMs right). An operator's delete goes
through ``services.delete_team`` so the team's role and channels are cleaned up too."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.utils import timezone

from core.admin import GuildScopedAdmin, GuildScopedInline
from teams import services
from teams.models import Preference, Team, TeamMember, TeamSpaces


class TeamMemberInline(GuildScopedInline, admin.TabularInline):
    model = TeamMember
    extra = 0
    fields = ("member", "added_at", "told_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Team)
class TeamAdmin(GuildScopedAdmin):
    organiser_read_only = True
    organiser_may_add = organiser_may_delete = False
    inlines = [TeamMemberInline]
    list_display = ("name", "event", "guild", "size", "captain", "role_id", "thread_id", "voice_channel_id")
    list_select_related = ("event", "guild", "captain")
    search_fields = ("name", "event__title")
    raw_id_fields = ("event", "captain")
    readonly_fields = ("role_id", "thread_id", "voice_channel_id", "renamed", "created_at", "updated_at")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(members=Count("memberships"))

    @admin.display(description="Members", ordering="members")
    def size(self, team):
        return team.members

    def delete_model(self, request, obj):
        services.delete_team(obj.id, guild_id=None, now=timezone.now())

    def delete_queryset(self, request, queryset):
        for team in queryset:
            self.delete_model(request, team)


@admin.register(TeamSpaces)
class TeamSpacesAdmin(GuildScopedAdmin):
    # Set with /team spaces or on the Teams page; the sync writes the rest.
    organiser_read_only = True
    organiser_may_add = organiser_may_delete = False
    list_display = ("event", "guild", "role", "room", "voice", "problem", "warned_at", "closed_at")
    list_select_related = ("event", "guild")
    raw_id_fields = ("event", "requested_by")


@admin.register(Preference)
class PreferenceAdmin(GuildScopedAdmin):
    # Members set their own with /team preference.
    organiser_read_only = True
    organiser_may_add = organiser_may_delete = False
    list_display = ("member", "guild", "skill", "role", "updated_at")
    list_select_related = ("member", "guild")
    raw_id_fields = ("member",)
