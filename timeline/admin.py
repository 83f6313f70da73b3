"""Timeline items and shifts in the admin: organisers look; they add, change, shift and remove
items with ``/timeline`` or on the dashboard's Timeline page (through the services, which
keep the times and the alerts' claims consistent)."""

from __future__ import annotations

from django.contrib import admin

from core.admin import GuildScopedAdmin
from timeline.models import Item, Shift


@admin.register(Item)
class ItemAdmin(GuildScopedAdmin):
    organiser_read_only = True  # /timeline or the dashboard: the rules live in the services
    organiser_may_add = False
    organiser_may_delete = False
    list_display = ("id", "event", "title", "due_at", "team", "dm", "post_in", "alerted_for")
    list_select_related = ("event", "team")
    list_filter = ("post_in", "dm")
    raw_id_fields = ("event", "team", "people", "created_by")
    readonly_fields = ("due_at", "offset", "prealert", "alerted_for", "prealerted_for", "created_at", "updated_at")


@admin.register(Shift)
class ShiftAdmin(GuildScopedAdmin):
    organiser_read_only = True
    organiser_may_add = False
    organiser_may_delete = False
    list_display = ("at", "event", "minutes", "moved", "by")
    list_select_related = ("event", "by")
    raw_id_fields = ("event", "by")
