"""Rides and rooms in the admin: their own lists, inlines on the event, the logistics CSV.

The event admin (events) shows carpool's inlines, annotations and Logistics column through
``core.hooks.event_admin``; carpool never imports events. Changes of seats go through the
services (``assign``, ``leave``) so capacity and the DMs hold as in Discord.
"""

from __future__ import annotations

import csv
from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from carpool import logistics, services
from carpool.models import Area, BedClaim, Nudge, Ride, RideRequest, Room, Seat
from core import hooks
from core.admin import GuildScopedAdmin, GuildScopedInline, scope_to_guilds
from core.errors import RuleError
from core.models import Member
from core.spreadsheet import csv_safe

GOING = "going"  # events' Registration.Status.GOING, read through the ORM only
CSV_COLUMNS = ["event_id", "event", "kind", "leg_or_night", "member_id", "username", "display_name", "detail"]


class RideAdminForm(forms.ModelForm):
    """Seats and notes change through ``services.change_ride`` (never below the seats taken);
    *Put a member in this car* moves a going member here through ``services.assign``."""

    move_here = forms.ModelChoiceField(
        queryset=Member.objects.none(),
        required=False,
        label="Put a member in this car",
        help_text="A going member, moved from any other car on this leg and locked here (as /ride assign).",
    )

    class Meta:
        model = Ride
        fields = ("seats", "notes")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ride = self.instance
        if ride.pk:
            going = Member.objects.filter(registrations__event_id=ride.event_id, registrations__status=GOING)
            seated = Seat.objects.filter(ride=ride).values("member_id")
            self.fields["move_here"].queryset = (
                going.exclude(id=ride.driver_id).exclude(id__in=seated).order_by("username")
            )

    def clean(self):
        data = super().clean()
        if self.errors or not (set(self.changed_data) - {"move_here"}):
            return data
        try:
            services.check_ride_change(
                self.instance, seats=data["seats"], notes=data.get("notes") or "", now=timezone.now()
            )
        except RuleError as error:
            raise forms.ValidationError(error.message) from None
        return data


class NudgeAdminForm(forms.ModelForm):
    class Meta:
        model = Nudge
        fields = ("event", "offset")

    def clean(self):
        data = super().clean()
        if not self.errors and data["offset"] <= timedelta(0):
            raise forms.ValidationError("The nudge goes before the start: its offset must be positive.")
        return data


@admin.register(Area)
class AreaAdmin(GuildScopedAdmin):
    # An organiser's list of where rides start from: theirs to add, rename and remove.
    list_display = ("name", "guild")
    list_filter = ("guild",)
    search_fields = ("name",)


class SeatInline(GuildScopedInline, admin.TabularInline):
    model = Seat
    extra = 0
    fields = ("member", "places", "locked", "created_at")
    readonly_fields = ("member", "places", "created_at")
    verbose_name_plural = "Passengers (delete to free a seat: the driver is told, the next request takes it)"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ride)
class RideAdmin(GuildScopedAdmin):
    # Drivers offer rides in Discord; organisers change seats and notes, free a seat or cancel
    # (the action tells passengers). Deleting a ride would skip those DMs: operators only.
    organiser_may_add = organiser_may_delete = False
    list_display = ("id", "event", "driver", "direction", "area", "departs_at", "seats", "status")
    list_filter = ("status", "direction")
    search_fields = ("area", "event__title", "driver__username", "=id")
    list_select_related = ("event", "driver")
    fields = (
        *("event", "driver", "direction", "area", "departs_at", "seats", "notes", "move_here"),
        *("pair", "status", "created_at"),
    )
    readonly_fields = ("event", "driver", "direction", "area", "departs_at", "pair", "status", "created_at")
    form = RideAdminForm
    inlines = [SeatInline]
    actions = ["cancel_rides"]

    def has_add_permission(self, request):
        return False  # drivers offer rides in Discord (/ride offer)

    def save_model(self, request, obj, form, change):
        if set(form.changed_data) - {"move_here"}:
            services.change_ride(obj.pk, seats=obj.seats, notes=obj.notes, now=timezone.now())
        member = form.cleaned_data.get("move_here")
        if member is not None:
            try:
                services.assign(obj.pk, member.id, guild_id=None, now=timezone.now(), lock=True)
            except RuleError as error:
                self.message_user(request, f"{member}: {error.message}", messages.ERROR)
            else:
                self.message_user(request, f"{member} is in this car now; both are told by DM.", messages.SUCCESS)

    def save_formset(self, request, form, formset, change):
        now = timezone.now()
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for seat_form in formset.forms:
            seat = seat_form.instance
            try:
                if seat_form in formset.deleted_forms:
                    Seat.objects.filter(id=seat.id).update(locked=False)
                    services.leave_ride(seat.ride_id, seat.member_id, guild_id=None, now=now)
                elif "locked" in seat_form.changed_data:
                    Seat.objects.filter(id=seat.id).update(locked=seat_form.cleaned_data["locked"])
            except RuleError as error:
                self.message_user(request, error.message, messages.ERROR)

    @admin.action(description="Cancel the selected rides (passengers are told and matched again)")
    def cancel_rides(self, request, queryset):
        now = timezone.now()
        for ride in queryset.filter(status=Ride.Status.OPEN):
            try:
                services.cancel_ride(ride.id, ride.driver_id, guild_id=None, now=now)
            except RuleError as error:
                self.message_user(request, f"Ride {ride.id}: {error.message}", messages.WARNING)
        self.message_user(request, "Cancelled; passengers will be told by DM.", messages.SUCCESS)

    def get_urls(self):
        view = self.admin_site.admin_view(self.logistics_view)
        return [path("logistics/<int:event_id>.csv", view, name="carpool_logistics_csv"), *super().get_urls()]

    def logistics_view(self, request, event_id: int):
        # Scoped like every admin page: another guild's event is not found.
        events = services.event_model()._default_manager.all()
        guild_ids = self.organised(request)
        if guild_ids is not None:
            events = scope_to_guilds(events, guild_ids)
        event = get_object_or_404(events, pk=event_id)
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        return logistics_csv(event)


@admin.register(RideRequest)
class RideRequestAdmin(GuildScopedAdmin):
    # Members ask in Discord and the matching seats them: organisers look.
    organiser_read_only = True
    list_display = ("member", "event", "direction", "area", "party", "status", "created_at")
    list_filter = ("status", "direction")
    list_select_related = ("event", "member")
    raw_id_fields = ("event", "member")


class BedClaimInline(GuildScopedInline, admin.TabularInline):
    model = BedClaim
    extra = 0
    fields = ("member", "night", "created_at")
    readonly_fields = ("member", "night", "created_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Room)
class RoomAdmin(GuildScopedAdmin):
    # Hosts offer rooms in Discord; organisers fix the place, beds or nights, or free a bed.
    organiser_may_add = organiser_may_delete = False
    list_display = ("id", "event", "host", "place", "beds", "first_night", "last_night", "status")
    list_filter = ("status",)
    search_fields = ("place", "event__title", "=id")
    list_select_related = ("event", "host")
    raw_id_fields = ("event", "host")
    readonly_fields = ("status", "created_at")
    inlines = [BedClaimInline]

    def has_add_permission(self, request):
        return False  # hosts offer rooms in Discord (/room offer)


@admin.register(Nudge)
class NudgeAdmin(GuildScopedAdmin):
    # When going members without a ride or bed are nudged: the organiser's setting.
    form = NudgeAdminForm
    list_display = ("event", "offset", "due_at", "sent_at")
    raw_id_fields = ("event",)
    readonly_fields = ("due_at", "sent_at")

    def save_model(self, request, obj, form, change):
        nudge = logistics.set_nudge(obj.event, obj.offset)
        obj.pk, obj.due_at = nudge.pk, nudge.due_at


# On the event's admin page (through core.hooks.event_admin).


class RideInline(GuildScopedInline, admin.TabularInline):
    model = Ride
    fk_name = "event"
    extra = 0
    fields = ("id", "driver", "direction", "area", "departs_at", "seats", "status", "passenger_list")
    readonly_fields = fields
    verbose_name_plural = "Rides (change them on the ride's page)"
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("driver").prefetch_related("passengers__member")

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Passengers")
    def passenger_list(self, ride):
        return ", ".join(str(seat.member) for seat in ride.passengers.all()) or "—"


class RoomInline(GuildScopedInline, admin.TabularInline):
    model = Room
    extra = 0
    fields = ("id", "host", "place", "beds", "first_night", "last_night", "status", "sleeper_list")
    readonly_fields = fields
    verbose_name_plural = "Rooms (change them on the room's page)"
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("host").prefetch_related("claims__member")

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Sleepers")
    def sleeper_list(self, room):
        return ", ".join(sorted({str(claim.member) for claim in room.claims.all()})) or "—"


def _sum(queryset, field: str):
    total = queryset.filter(event=OuterRef("pk")).order_by().values("event").annotate(n=Sum(field)).values("n")
    return Coalesce(Subquery(total, output_field=IntegerField()), 0)


def _count(queryset):
    total = queryset.filter(event=OuterRef("pk")).order_by().values("event").annotate(n=Count("id")).values("n")
    return Coalesce(Subquery(total, output_field=IntegerField()), 0)


def admin_extras() -> hooks.AdminExtras:
    open_rides = Ride.objects.filter(status=Ride.Status.OPEN)
    annotations = {
        "carpool_seats": _sum(open_rides, "seats"),
        "carpool_taken": _sum(Seat.objects.filter(ride__status=Ride.Status.OPEN), "places"),
        "carpool_waiting": _count(RideRequest.objects.filter(status=RideRequest.Status.OPEN)),
        "carpool_beds": _count(BedClaim.objects.filter(room__status=Room.Status.OPEN)),
    }
    return hooks.AdminExtras(inlines=[RideInline, RoomInline], annotations=annotations, summaries=[summary])


def summary(event) -> list:
    parts = []
    if event.needs_rides:
        seats, taken = getattr(event, "carpool_seats", 0), getattr(event, "carpool_taken", 0)
        parts.append(f"seats {taken}/{seats}, {getattr(event, 'carpool_waiting', 0)} waiting")
    if event.needs_rooms:
        parts.append(f"{getattr(event, 'carpool_beds', 0)} bed-nights claimed")
    url = reverse("admin:carpool_logistics_csv", args=[event.pk])
    parts.append(format_html('<a href="{}">CSV</a>', url))
    return parts


def logistics_csv(event) -> HttpResponse:
    """One event's logistics: rides and passengers, requests, rooms and sleepers, who lacks what."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="logistics-event-{event.pk}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    members = {}

    def row(kind, leg_or_night, member, detail):
        if member is not None and not hasattr(member, "username"):
            member = members.get(member)
        names = (csv_safe(member.username), csv_safe(member.display_name)) if member else ("", "")
        member_id = member.id if member else ""
        writer.writerow([event.id, csv_safe(event.title), kind, leg_or_night, member_id, *names, csv_safe(detail)])

    rides = Ride.objects.filter(event=event, status=Ride.Status.OPEN).select_related("driver")
    for ride in rides.prefetch_related("passengers__member").order_by("direction", "departs_at", "id"):
        row("driver", ride.direction, ride.driver, f"ride {ride.id} from {ride.area} at {ride.departs_at.isoformat()}")
        for seat in ride.passengers.all():
            row("passenger", ride.direction, seat.member, f"ride {ride.id}, {seat.places} seat(s)")
    requests = RideRequest.objects.filter(event=event, status=RideRequest.Status.OPEN).select_related("member")
    for request in requests:
        row("waiting", request.direction, request.member, f"from {request.area}, party of {request.party}")
    open_rooms = Room.objects.filter(event=event, status=Room.Status.OPEN).select_related("host")
    sleepers = Prefetch("claims", queryset=BedClaim.objects.select_related("member"))
    for room in open_rooms.prefetch_related(sleepers):  # a constant number of queries however many rooms
        row("host", f"{room.first_night}..{room.last_night}", room.host, f"room {room.id}: {room.place}")
        for claim in room.claims.all():
            row("sleeper", claim.night.isoformat(), claim.member, f"room {room.id}")
    report = logistics.report(event)
    going = Member.objects.filter(registrations__event=event, registrations__status=logistics.GOING)
    members.update((member.id, member) for member in going)  # a join, not a list of ids: one query on SQLite too
    for leg, missing in report.no_ride.items():
        for member_id in missing:
            row("no ride", leg, member_id, "")
    for night, missing in report.no_bed.items():
        for member_id in missing:
            row("no bed", night.isoformat(), member_id, "")
    return response
