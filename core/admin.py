"""The admin of core's models, and the mixin every app's admin uses to scope it to guilds.

Superusers (operators) see and change everything. Anyone else in the admin is an
organiser who logged in with Discord: every page, foreign-key choice and action is limited
to the guilds they organise (``core.permissions.guilds_organised_by``, at most five minutes
old); an object of another guild answers 404, a model no mixin scopes answers 403.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.http import Http404, HttpResponseRedirect
from django.utils import timezone

from core import organiser_log
from core.channels import check_channel
from core.errors import RuleError
from core.memberships import check_organiser_flag
from core.models import CommandLog, DeliveryPause, Guild, GuildMember, Heartbeat, HeldNudge, Member, OutboundMessage
from core.permissions import SESSION_MEMBER_ID, guilds_organised_by


def scope_to_guilds(queryset, guild_ids):
    """``queryset`` limited to rows of ``guild_ids``, by the model's way to its guild; none if it has none."""
    model = queryset.model
    if model is Guild:
        return queryset.filter(pk__in=guild_ids)
    if model is Member:
        members = GuildMember.objects.filter(guild_id__in=guild_ids).values("member_id")
        return queryset.filter(pk__in=members)
    names = {field.name for field in model._meta.get_fields()}
    for path in ("guild", "event__guild", "poll__guild"):
        if path.split("__")[0] in names:
            return queryset.filter(**{f"{path}__in": guild_ids})
    return queryset.none()  # fail closed: a model with no way to a guild shows nothing


class _Scoped:
    """What the model admin and the inline mixins share."""

    organiser_read_only = False  # organisers may look, never change (CommandLog, OutboundMessage)

    def organised(self, request):
        """The guild ids the user organises; None for a superuser (everything)."""
        return guilds_organised_by(request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        guild_ids = self.organised(request)
        if guild_ids is not None:
            related = db_field.remote_field.model
            queryset = kwargs.get("queryset") or related._default_manager.all()
            kwargs["queryset"] = scope_to_guilds(queryset, guild_ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        guild_ids = self.organised(request)
        if guild_ids is not None:
            related = db_field.remote_field.model
            kwargs["queryset"] = scope_to_guilds(kwargs.get("queryset") or related._default_manager.all(), guild_ids)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _may_look(self, request) -> bool:
        return request.user.is_active and request.user.is_staff and bool(self.organised(request))

    def _may_change(self, request) -> bool:
        return not self.organiser_read_only and self._may_look(request)


# Channel ids an organiser may type: each must be one Muster knows in the form's guild.
CHANNEL_FIELDS = ("channel_id", "announcement_channel_id")


class _ChannelsChecked:
    """Mixed into an organiser's admin form: a changed channel id must be one Muster knows
    belongs to the guild (``core.channels``), else a form error naming it."""

    def clean(self):
        data = super().clean()
        for name in CHANNEL_FIELDS:
            channel_id = data.get(name)
            if not channel_id or name not in self.changed_data or self.has_error(name):
                continue
            guild = self._guild(data)
            if guild is None:
                continue  # the guild field has its own error
            try:
                # A guild's new announcement channel needs other proof than being announced in.
                check_channel(guild, channel_id, with_announcement=name != "announcement_channel_id")
            except RuleError as error:
                self.add_error(name, error.message)
        return data

    def _guild(self, data):
        if isinstance(self.instance, Guild):
            return self.instance
        if "guild" in self.fields:
            return data.get("guild")
        return Guild.objects.filter(pk=getattr(self.instance, "guild_id", None)).first()


class GuildScopedAdmin(_Scoped, admin.ModelAdmin):
    """A ModelAdmin that organisers see only for the guilds they organise.

    Every app's admin derives from it. The model's way to its guild is found by
    ``scope_to_guilds`` (a ``guild`` foreign key, or ``event``/``poll`` with one); override
    ``scope`` for anything else. A ``RuleError`` raised by an action becomes an error message.
    ``written_elsewhere``: the rows are written by workers or services only, and nobody
    (operators neither) adds or changes one here.
    """

    organiser_may_add = True
    organiser_may_delete = True
    written_elsewhere = False

    # Django's LogEntry as before, and the guild's organiser log (core.organiser_log).
    def log_addition(self, request, obj, message):
        organiser_log.admin_change(request, obj, "added", message)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        organiser_log.admin_change(request, obj, "changed", message)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            organiser_log.admin_change(request, obj, "deleted")
        return super().log_deletions(request, queryset)

    def scope(self, queryset, guild_ids):
        return scope_to_guilds(queryset, guild_ids)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        guild_ids = self.organised(request)
        return queryset if guild_ids is None else self.scope(queryset, guild_ids)

    def get_object(self, request, object_id, from_field=None):
        found = super().get_object(request, object_id, from_field)
        if found is None and self.organised(request) is not None:
            raise Http404("No such object in the guilds you organise.")
        return found

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if self.organised(request) is None or not set(CHANNEL_FIELDS) & set(form.base_fields):
            return form
        return type(form.__name__, (_ChannelsChecked, form), {})

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if self.organised(request) is None:
            return filters
        # A plain related filter would list every guild's rows; these list only what is in scope.
        return [self._related_only(entry) for entry in filters]

    def _related_only(self, entry):
        if isinstance(entry, str) and "__" not in entry:
            field = self.model._meta.get_field(entry)
            if field.is_relation:
                return (entry, admin.RelatedOnlyFieldListFilter)
        return entry

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.organised(request) is not None and self.organiser_read_only:
            return {}
        # Deleting logs itself; every other action is written to the log of changes too.
        return {
            name: (entry if name == "delete_selected" else (_logged(entry[0], entry[2]), *entry[1:]))
            for name, entry in actions.items()
        }

    def response_action(self, request, queryset):
        try:
            return super().response_action(request, queryset)
        except RuleError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def _in_scope(self, request, obj) -> bool:
        if obj is None:
            return True
        rows = self.model._default_manager.filter(pk=obj.pk)
        return self.scope(rows, self.organised(request)).exists()

    def has_module_permission(self, request):
        if self.organised(request) is None:
            return super().has_module_permission(request)
        return self._may_look(request)

    def has_view_permission(self, request, obj=None):
        if self.organised(request) is None:
            return super().has_view_permission(request, obj)
        return self._may_look(request) and self._in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        if self.written_elsewhere:
            return False
        if self.organised(request) is None:
            return super().has_change_permission(request, obj)
        return self._may_change(request) and self._in_scope(request, obj)

    def has_add_permission(self, request):
        if self.written_elsewhere:
            return False
        if self.organised(request) is None:
            return super().has_add_permission(request)
        return self.organiser_may_add and self._may_change(request)

    def has_delete_permission(self, request, obj=None):
        if self.organised(request) is None:
            return super().has_delete_permission(request, obj)
        return self.organiser_may_delete and self._may_change(request) and self._in_scope(request, obj)


def _logged(action, description):
    """``action`` that also records, per row it ran on, who ran it and when (the admin's LogEntry)."""

    def run(model_admin, request, queryset):
        rows = list(queryset)
        result = action(model_admin, request, queryset)
        if rows:
            LogEntry.objects.log_actions(
                user_id=request.user.pk,
                queryset=rows,
                action_flag=CHANGE,
                change_message=f"Ran the action “{description}”.",
            )
        return result

    run.__name__ = getattr(action, "__name__", "action")
    return run


class GuildScopedInline(_Scoped):
    """Mixin for inlines of a ``GuildScopedAdmin``: the parent is in scope already, so
    organisers may use the inline; its foreign-key choices are scoped like the parent's.
    Put it first: ``class RegistrationInline(GuildScopedInline, admin.TabularInline)``."""

    def has_view_permission(self, request, obj=None):
        if self.organised(request) is None:
            return super().has_view_permission(request, obj)
        return self._may_look(request)

    def has_change_permission(self, request, obj=None):
        if self.organised(request) is None:
            return super().has_change_permission(request, obj)
        return self._may_change(request)

    def has_add_permission(self, request, obj=None):
        if self.organised(request) is None:
            return super().has_add_permission(request, obj)
        return self._may_change(request)

    def has_delete_permission(self, request, obj=None):
        if self.organised(request) is None:
            return super().has_delete_permission(request, obj)
        return self._may_change(request)


class GuildMemberInline(GuildScopedInline, admin.TabularInline):
    model = GuildMember
    extra = 0
    fields = ("member", "nickname", "is_organiser", "joined_at", "left_at")
    raw_id_fields = ("member",)
    show_change_link = True


@admin.register(Guild)
class GuildAdmin(GuildScopedAdmin):
    list_display = ("name", "id", "timezone", "date_order", "active", "joined_at")
    list_filter = ("active", "timezone")
    search_fields = ("name", "=id")
    readonly_fields = ("updated_at",)
    inlines = [GuildMemberInline]
    # Guilds come and go with the bot: organisers set them up, never add or delete one.
    organiser_may_add = organiser_may_delete = False

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if self.organised(request) is not None:
            fields = (*fields, "id", "active", "joined_at")
        return fields


@admin.register(Member)
class MemberAdmin(GuildScopedAdmin):
    # A member's settings are their own, across every guild: organisers look, members change
    # them in Discord (/muster timezone).
    organiser_read_only = True
    list_display = ("username", "display_name", "id", "timezone", "dm_reminders", "dms_closed_at")
    list_filter = ("dm_reminders", ("dms_closed_at", admin.EmptyFieldListFilter))
    search_fields = ("username", "display_name", "=id")
    readonly_fields = ("created_at", "updated_at")


@admin.register(GuildMember)
class GuildMemberAdmin(GuildScopedAdmin):
    # Memberships follow Discord: organisers may flag an organiser or fix a nickname.
    organiser_may_add = organiser_may_delete = False
    list_display = ("member", "guild", "nickname", "is_organiser", "joined_at", "left_at")
    list_filter = ("guild", "is_organiser", ("left_at", admin.EmptyFieldListFilter))
    search_fields = ("member__username", "member__display_name", "nickname", "=member__id")
    list_select_related = ("member", "guild")
    raw_id_fields = ("member",)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if self.organised(request) is None or obj is None or "is_organiser" not in form.base_fields:
            return form
        # An organiser changes the flag under the dashboard's rules (core.memberships).
        actor = request.session.get(SESSION_MEMBER_ID)
        actor_member_id = int(actor) if actor else None

        def clean_is_organiser(self):
            flagged = self.cleaned_data.get("is_organiser", False)
            if "is_organiser" in self.changed_data:
                try:
                    check_organiser_flag(self.instance, flagged, actor_member_id=actor_member_id)
                except RuleError as error:
                    raise ValidationError(error.message) from None
            return flagged

        return type(form.__name__, (form,), {"clean_is_organiser": clean_is_organiser})


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ("name", "seen_at")
    readonly_fields = ("name", "seen_at")


@admin.register(CommandLog)
class CommandLogAdmin(GuildScopedAdmin):
    organiser_read_only = True
    written_elsewhere = True
    list_display = ("command", "guild", "member", "outcome", "ack_latency_ms", "completion_latency_ms", "received_at")
    list_filter = ("outcome", "kind", "command", "guild")
    search_fields = ("=interaction_id", "command", "reference", "member__username")
    list_select_related = ("guild", "member")
    date_hierarchy = "received_at"


@admin.register(OutboundMessage)
class OutboundMessageAdmin(GuildScopedAdmin):
    organiser_read_only = True
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
        # Pauses are the operators' to resolve (and may name other guilds' channels).
        pauses = DeliveryPause.objects.order_by("paused_at") if request.user.is_superuser else ()
        for pause in pauses:
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


@admin.register(HeldNudge)
class HeldNudgeAdmin(GuildScopedAdmin):
    """What senders held back for members who were away, and whether it was summarised."""

    organiser_read_only = True
    organiser_may_add = False
    organiser_may_delete = False
    written_elsewhere = True
    list_display = ("member", "guild", "kind", "text", "held_at", "summarised_at")
    list_filter = ("kind", "guild", ("summarised_at", admin.EmptyFieldListFilter))
    search_fields = ("member__username", "=member__id", "key", "text")
    list_select_related = ("member", "guild")
    date_hierarchy = "held_at"


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


@admin.register(LogEntry)
class OrganiserActionAdmin(admin.ModelAdmin):
    """Who changed what, when: the admin's own record of every addition, change and deletion.

    Read-only. Organisers see the entries about objects of the guilds they organise (an
    entry about an object since deleted is shown to superusers only).
    """

    list_display = ("action_time", "user", "action", "content_type", "object_repr", "change_message")
    list_filter = ("action_flag", "content_type")
    search_fields = ("object_repr", "user__username", "change_message")
    date_hierarchy = "action_time"
    list_select_related = ("user", "content_type")

    @admin.display(description="action", ordering="action_flag")
    def action(self, entry):
        return {1: "added", 2: "changed", 3: "deleted"}.get(entry.action_flag, entry.action_flag)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        guild_ids = guilds_organised_by(request)
        if guild_ids is None:
            return queryset
        about = Q(pk__in=[])
        for model, model_admin in self.admin_site._registry.items():
            if isinstance(model_admin, GuildScopedAdmin):
                ids = model_admin.scope(model._default_manager.all(), guild_ids)
                ids = ids.annotate(text_pk=Cast("pk", CharField())).values("text_pk")
                about |= Q(content_type=ContentType.objects.get_for_model(model), object_id__in=ids)
        return queryset.filter(about)

    def get_object(self, request, object_id, from_field=None):
        found = super().get_object(request, object_id, from_field)
        if found is None and not request.user.is_superuser:
            raise Http404("No such entry about the guilds you organise.")
        return found

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        if request.user.is_superuser:
            return True
        return request.user.is_staff and bool(guilds_organised_by(request))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
