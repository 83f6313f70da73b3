"""The admin's event form: the same rules as the service, shown as form errors."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from events.models import Event, Registration
from events.services import TIME_FIELDS, EventRuleError, validate_event


class EventAdminForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = ("guild", "title", "description", "location", "starts_at", "ends_at", "capacity",
                  "signup_deadline", "channel_id", "created_by")  # fmt: skip

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        changed = TIME_FIELDS if self.instance.pk is None else set(self.changed_data)
        try:
            validate_event(
                title=data.get("title") or "", capacity=data.get("capacity"), starts_at=data["starts_at"],
                ends_at=data.get("ends_at"), signup_deadline=data.get("signup_deadline"),
                now=timezone.now(), changed=changed,
            )  # fmt: skip
        except EventRuleError as error:
            raise forms.ValidationError(str(error)) from None
        if self.instance.pk and data.get("capacity") is not None:
            going = self.instance.registrations.filter(status=Registration.Status.GOING).count()
            if data["capacity"] < going:
                raise forms.ValidationError(
                    f"{going} members are already going; the capacity cannot be lower than that."
                )
        return data
