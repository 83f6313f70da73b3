"""Polls in the admin: options with their counts, never who voted in an anonymous poll.

There is deliberately no admin for votes: counts per option are all an organiser sees,
and for open polls the voters are visible in Discord where the poll was posted.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.utils import timezone

from core.admin import GuildScopedAdmin, GuildScopedInline
from core.errors import RuleError
from polls import services
from polls.discord.messages import post_poll
from polls.models import Option, Poll


class OptionInline(GuildScopedInline, admin.TabularInline):
    model = Option
    extra = 0
    min_num, max_num, validate_min, validate_max = services.MIN_OPTIONS, services.MAX_OPTIONS, True, True
    fields = ("position", "label", "votes")
    readonly_fields = ("votes",)
    ordering = ("position",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(vote_count=Count("votes"))

    @admin.display(description="Votes")
    def votes(self, option):
        return getattr(option, "vote_count", 0)

    def has_change_permission(self, request, obj=None):
        return obj is None or (obj.status == Poll.Status.OPEN and not obj.votes.exists())

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)


class PollAdminForm(forms.ModelForm):
    class Meta:
        model = Poll
        fields = ("guild", "question", "multiple_choice", "anonymous", "closes_at", "channel_id", "created_by")

    def clean_closes_at(self):
        closes_at = self.cleaned_data.get("closes_at")
        if "closes_at" in self.changed_data:
            try:
                services.check_closing_time(closes_at, now=timezone.now())
            except RuleError as error:
                raise forms.ValidationError(error.message) from None
        return closes_at


@admin.register(Poll)
class PollAdmin(GuildScopedAdmin):
    form = PollAdminForm
    list_display = ("question", "guild", "status", "closes_at", "vote_count", "multiple_choice", "anonymous")
    list_filter = ("status", "anonymous", "multiple_choice", "guild", ("closes_at", admin.DateFieldListFilter))
    search_fields = ("question", "=id")
    list_select_related = ("guild",)
    raw_id_fields = ("created_by",)
    readonly_fields = ("status", "closed_at", "message_id", "created_at")
    inlines = [OptionInline]
    actions = ["close_polls"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(votes_cast=Count("votes"))

    @admin.display(description="Votes", ordering="votes_cast")
    def vote_count(self, poll):
        return poll.votes_cast

    def get_readonly_fields(self, request, obj=None):
        fields = self.readonly_fields
        if obj is not None:
            # Switching anonymity or choice type under existing votes would misreport them.
            fields = (*fields, "anonymous", "multiple_choice")
        return fields

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:  # posted once its options exist; the outbox key makes it once only
            post_poll(form.instance)
        elif form.changed_data or any(formset.has_changed() for formset in formsets):
            services.poll_edited(form.instance.id)  # the post shows the new question, options, closing time

    @admin.action(description="Close the selected polls and post their results")
    def close_polls(self, request, queryset):
        now = timezone.now()
        poll_ids = queryset.values_list("id", flat=True)
        closed = [poll_id for poll_id in poll_ids if services.close_poll(poll_id, now=now)]
        self.message_user(request, f"Closed {len(closed)} poll(s).", messages.SUCCESS)
