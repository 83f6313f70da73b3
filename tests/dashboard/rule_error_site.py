"""A second admin site whose one action breaks a rule, as a service's RuleError does.

No shipped action can be made to raise a RuleError on demand (they raise one only in a
race, when a row goes away between the list and the lock), so this site carries an action
that calls a real service with input it refuses.
"""

from datetime import timedelta

from django.contrib import admin
from django.urls import path

from core.admin import GuildScopedAdmin
from events import services
from events.models import Event

site = admin.AdminSite(name="rule_error_admin")


class EventsWithARefusingAction(GuildScopedAdmin):
    actions = ["set_negative_reminders"]

    @admin.action(description="Remind a day after the start")
    def set_negative_reminders(self, request, queryset):
        for event in queryset:
            services.set_reminders(event, {-timedelta(days=1)}, now=event.created_at)


site.register(Event, EventsWithARefusingAction)
urlpatterns = [path("admin/", site.urls)]
