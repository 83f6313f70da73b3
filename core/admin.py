from django.contrib import admin, messages
from django.utils import timezone

from core.models import CommandLog, DeliveryPause, Guild, GuildMember, Heartbeat, Member, OutboundMessage


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
    readonly_fields = (
        "delivered_message_id",
        "delivered_channel_id",
        "attempts",
        "uncertain_since",
        "refresh_kind",
        "refresh_object_id",
        "created_at",
        "updated_at",
    )

    actions = ["send_again"]

    @admin.display(description="target")
    def target(self, obj):
        return f"DM to {obj.member}" if obj.member_id else f"channel {obj.channel_id}"

    def changelist_view(self, request, extra_context=None):
        for pause in DeliveryPause.objects.order_by("paused_at"):
            self.message_user(
                request,
                f"Delivery is paused ({pause.scope}) since {pause.paused_at:%Y-%m-%d %H:%M} UTC: {pause.reason}. "
                "Fix the cause, then use Delivery pauses → Resume delivery now.",
                level=messages.ERROR,
            )
        return super().changelist_view(request, extra_context)

    @admin.action(description="Send again (failed or undeliverable ones; check the channel first)")
    def send_again(self, request, queryset):
        retried = queryset.filter(status__in=[OutboundMessage.Status.FAILED, OutboundMessage.Status.UNDELIVERABLE])
        count = retried.update(
            status=OutboundMessage.Status.PENDING,
            attempts=0,
            uncertain_since=None,
            next_attempt_at=timezone.now(),
            updated_at=timezone.now(),
        )
        self.message_user(request, f"{count} message(s) will be sent again within a minute.")


@admin.register(DeliveryPause)
class DeliveryPauseAdmin(admin.ModelAdmin):
    """Discord refused the bot (401) or a channel (403): what waits, and a way to resume."""

    list_display = ("scope", "reason", "paused_at", "retry_at")
    readonly_fields = ("scope", "reason", "paused_at", "retry_at")
    actions = ["resume_now"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Resume delivery now (one message is tried; another refusal pauses again)")
    def resume_now(self, request, queryset):
        count = queryset.update(retry_at=timezone.now())
        self.message_user(request, f"{count} pause(s) will be tried at the next outbox tick (within 30 s).")
