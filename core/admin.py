from django.contrib import admin

from core.models import CommandLog, Guild, GuildMember, Heartbeat, Member, OutboundMessage


class GuildMemberInline(admin.TabularInline):
    model = GuildMember
    extra = 0
    fields = ("member", "nickname", "is_organiser", "joined_at", "left_at")
    raw_id_fields = ("member",)
    show_change_link = True


@admin.register(Guild)
class GuildAdmin(admin.ModelAdmin):
    list_display = ("name", "id", "timezone", "date_order", "active", "joined_at")
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


@admin.register(CommandLog)
class CommandLogAdmin(admin.ModelAdmin):
    list_display = ("command", "guild", "member", "outcome", "ack_latency_ms", "completion_latency_ms", "received_at")
    list_filter = ("outcome", "kind", "command", "guild")
    search_fields = ("=interaction_id", "command", "reference", "member__username")
    list_select_related = ("guild", "member")
    date_hierarchy = "received_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    list_display = ("idempotency_key", "target", "status", "attempts", "next_attempt_at", "last_error", "created_at")
    list_filter = ("status", "guild", ("member", admin.EmptyFieldListFilter))
    search_fields = ("idempotency_key", "=channel_id", "member__username", "=member__id")
    list_select_related = ("member", "guild")
    raw_id_fields = ("member",)
    readonly_fields = ("delivered_message_id", "delivered_channel_id", "attempts", "created_at", "updated_at")

    @admin.display(description="target")
    def target(self, obj):
        return f"DM to {obj.member}" if obj.member_id else f"channel {obj.channel_id}"
