from django.contrib import admin

from core.models import Guild, GuildMember, Heartbeat, Member


class GuildMemberInline(admin.TabularInline):
    model = GuildMember
    extra = 0
    fields = ("member", "nickname", "is_organiser", "joined_at", "left_at")
    raw_id_fields = ("member",)
    show_change_link = True


@admin.register(Guild)
class GuildAdmin(admin.ModelAdmin):
    list_display = ("name", "id", "timezone", "active", "joined_at")
    list_filter = ("active", "timezone")
    search_fields = ("name", "=id")
    readonly_fields = ("updated_at",)
    inlines = [GuildMemberInline]


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ("username", "display_name", "id", "timezone", "dm_reminders", "dms_closed_at")
    list_filter = ("dm_reminders", ("dms_closed_at", admin.EmptyFieldListFilter))
    search_fields = ("username", "display_name", "=id")
    readonly_fields = ("created_at", "updated_at")


@admin.register(GuildMember)
class GuildMemberAdmin(admin.ModelAdmin):
    list_display = ("member", "guild", "nickname", "is_organiser", "joined_at", "left_at")
    list_filter = ("guild", "is_organiser", ("left_at", admin.EmptyFieldListFilter))
    search_fields = ("member__username", "member__display_name", "nickname", "=member__id")
    list_select_related = ("member", "guild")
    raw_id_fields = ("member",)


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ("name", "seen_at")
    readonly_fields = ("name", "seen_at")
