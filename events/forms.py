"""The admin's event form: the same rules as the service, shown as form errors."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from core.errors import RuleError
from events.models import Event, Registration
from events.services import DRAFT_FIELDS, TIME_FIELDS, EventDraft, edited_draft, validate_event


class EventAdminForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = (*DRAFT_FIELDS, "guild", "channel_id", "created_by")

    def draft(self) -> EventDraft:
        """The cleaned fields as the services take them."""
        data = self.cleaned_data
        return EventDraft(**{name: data.get(name) for name in DRAFT_FIELDS}).cleaned()

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        creating = self.instance.pk is None
        going = 0 if creating else self.instance.registrations.filter(status=Registration.Status.GOING).count()
        changed = TIME_FIELDS if creating else self.changed_data
        draft = self.draft()
        if not creating:  # as the service will apply it: a moved start moves an untouched end
            edits = {name: getattr(draft, name) for name in changed if name in DRAFT_FIELDS}
            draft = edited_draft(self.instance, edits)
        try:
            validate_event(draft, now=timezone.now(), changed=changed, going=going)
        except RuleError as error:
            raise forms.ValidationError(error.message) from None
        return data
