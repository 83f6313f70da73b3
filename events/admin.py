"""Events in the admin: registrations inline, filters, search and the roster as CSV.

Changes go through ``events.services`` so the admin keeps the same rules as Discord:
removing a registration frees the place for the waitlist; changing the title, time or
place tells registrants, and a save that changes nothing tells nobody.
"""

from __future__ import annotations

import csv
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin, messages
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from core import hooks
from core.admin import GuildScopedAdmin, GuildScopedInline
from core.errors import RuleError
from core.spreadsheet import csv_safe
from events import services
from events.discord.messages import offset_text
from events.forms import EventAdminForm
from events.models import Event, Registration, Reminder

Status = Registration.Status
ROSTER_STATUSES = (Status.GOING, Status.WAITLISTED, Status.MAYBE, Status.DECLINED)
ROSTER_ORDER = Case(
    *(When(status=status, then=Value(rank)) for rank, status in enumerate(ROSTER_STATUSES)),
    output_field=IntegerField(),
)
# ``option``: the signup option going or waiting as (blank: the event has none, or not chosen).
ROSTER_COLUMNS = ["event_id", "event", "member_id", "username", "display_name", "status", "responded_at", "option"]


class RegistrationInline(GuildScopedInline, admin.TabularInline):
    model = Registration
    extra = 0
    fields = ("member", "status", "responded_at")
    readonly_fields = ("member", "status", "responded_at")
    ordering = ("status", "sequence", "id")
    verbose_name_plural = "Registrations (delete to remove someone; the waitlist moves up)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("member")

    def has_add_permission(self, request, obj=None):
        return False


class ReminderInline(GuildScopedInline, admin.TabularInline):
    model = Reminder
    extra = 0
    fields = ("offset", "due_at", "sent_at", "skipped")
    readonly_fields = ("due_at", "sent_at", "skipped")


class EventChangeForm(EventAdminForm):
    """Editing a posted event: its channel stays where the post is.

    The post carries the roster and its buttons, and members' links and DMs point at it;
    the admin refuses a new channel with a sentence instead of ignoring it silently.
    """

    def clean_channel_id(self):
        channel_id = self.cleaned_data.get("channel_id")
        if self.instance.pk and "channel_id" in self.changed_data:
            raise forms.ValidationError(
                "An event stays in the channel it was posted in. To post it elsewhere, create the event "
                "there and cancel this one (registrants are told)."
            )
        return channel_id


@admin.register(Event)
class EventAdmin(GuildScopedAdmin):
    form = EventAdminForm
    list_display = ("title", "guild", "starts_at", "status", "going", "waitlisted", "capacity", "logistics")
    list_filter = ("status", "guild", ("starts_at", admin.DateFieldListFilter))
    search_fields = ("title", "location", "description", "=id")
    date_hierarchy = "starts_at"
    list_select_related = ("guild",)
    ordering = ("-starts_at",)
    raw_id_fields = ("created_by",)
    readonly_fields = ("status", "message_id", "created_at", "updated_at", "roster_csv")
    inlines = [ReminderInline, RegistrationInline]
    actions = ["download_rosters", "cancel_events"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                going_count=Count("registrations", filter=Q(registrations__status=Status.GOING)),
                waitlist_count=Count("registrations", filter=Q(registrations__status=Status.WAITLISTED)),
                **hooks.event_admin_extras().annotations,
            )
        )

    def get_inlines(self, request, obj):
        # Other domains' rows about the event (rides and rooms), offered through core.hooks.
        # They are read-only (changed on their own pages), so a save neither sends nor checks them.
        shown = obj is not None and request.method == "GET"
        extra = hooks.event_admin_extras().inlines if shown else []
        return [*super().get_inlines(request, obj), *extra]

    @admin.display(description="Logistics")
    def logistics(self, event):
        if not (event.needs_rides or event.needs_rooms):
            return "—"
        return format_html_join(" · ", "{}", ((part,) for part in hooks.event_admin_extras().summary(event)))

    @admin.display(description="Going", ordering="going_count")
    def going(self, event):
        return event.going_count

    @admin.display(description="Waitlist", ordering="waitlist_count")
    def waitlisted(self, event):
        return event.waitlist_count

    @admin.display(description="Roster")
    def roster_csv(self, event):
        if not event.pk:
            return "—"
        url = reverse("admin:events_event_roster", args=[event.pk])
        return format_html('<a href="{}">Download the roster (CSV)</a>', url)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            kwargs["form"] = EventChangeForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_urls(self):
        view = self.admin_site.admin_view(self.roster_view)
        return [path("<int:event_id>/roster.csv", view, name="events_event_roster"), *super().get_urls()]

    def roster_view(self, request, event_id: int):
        # Scoped like every admin page: another guild's event is not found.
        event = get_object_or_404(self.get_queryset(request), pk=event_id)
        if not self.has_view_permission(request, event):
            return HttpResponse(status=403)
        return roster_response(Event.objects.filter(pk=event.pk), f"roster-event-{event.pk}.csv")

    @admin.action(description="Download the rosters (CSV)")
    def download_rosters(self, request, queryset):
        return roster_response(queryset, "rosters.csv")

    @admin.action(description="Cancel the selected events (registrants are told)")
    def cancel_events(self, request, queryset):
        now = timezone.now()
        for event_id in queryset.filter(status=Event.Status.SCHEDULED).values_list("id", flat=True):
            services.cancel_event(event_id, now=now)
        self.message_user(request, "Cancelled; registrants will be told by DM.", messages.SUCCESS)

    # Deleting goes through events.services: refused (Django's "cannot delete" page, with the
    # sentence) while the event's thread, channel or role is in Discord; cancelling is offered.
    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        now = timezone.now()
        refusals = [refusal for event in objs if (refusal := services.deletion_refusal(event, now=now))]
        return deleted, counts, perms_needed, [*protected, *refusals]

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except RuleError as error:  # it changed between the page and the click
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_model(self, request, obj):
        services.delete_event(obj.pk, now=timezone.now())

    def delete_queryset(self, request, queryset):
        now = timezone.now()
        for event_id in queryset.values_list("pk", flat=True):
            try:
                services.delete_event(event_id, now=now)
            except RuleError as error:  # it changed between the page and the click: that one stays
                self.message_user(request, error.message, messages.ERROR)

    def save_model(self, request, obj, form, change):
        services.save_from_admin(obj, form.draft(), changed=form.changed_data, creating=not change, now=timezone.now())

    def save_formset(self, request, form, formset, change):
        # The admin's history message reads these; the services below do the saving.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if formset.model is Reminder:
            skipped = save_reminders(form.instance, formset, creating=not change)
            if skipped:
                names = ", ".join(offset_text(offset) for offset in skipped)
                self.message_user(request, f"Skipped reminders (their time has passed): {names}.", messages.WARNING)
            return None
        now = timezone.now()
        for registration in formset.deleted_forms:
            instance = registration.instance
            services.remove_registration(instance.event_id, instance.member_id, now=now)
        return None


def save_reminders(event: Event, formset, *, creating: bool) -> tuple:
    """Set the reminders the inline holds; returns those skipped because their time has passed."""
    offsets = {
        reminder_form.cleaned_data["offset"]
        for reminder_form in formset.forms
        if reminder_form.cleaned_data.get("offset") and reminder_form not in formset.deleted_forms
    }
    if creating and not offsets:
        offsets = set(services.DEFAULT_REMINDER_OFFSETS)
    return services.set_reminders(event, offsets, now=timezone.now())


def roster_response(events, filename: str) -> HttpResponse:
    """Registrations of ``events``, going first then the waitlist in order, times in the guild's zone."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(ROSTER_COLUMNS)
    rows = (
        Registration.objects.filter(event_id__in=list(events.values_list("pk", flat=True)))
        .select_related("member", "event__guild", "option")
        .annotate(rank=ROSTER_ORDER)
        .order_by("event__starts_at", "event_id", "rank", "sequence", "id")
    )
    for registration in rows.iterator(chunk_size=2000):
        event, member = registration.event, registration.member
        local = registration.responded_at.astimezone(ZoneInfo(event.guild.timezone))
        names = (csv_safe(member.username), csv_safe(member.display_name))
        writer.writerow(
            [
                event.id,
                csv_safe(event.title),
                member.id,
                *names,
                registration.status,
                local.isoformat(timespec="seconds"),
                csv_safe(registration.option.label) if registration.option_id else "",
            ]
        )
    return response
