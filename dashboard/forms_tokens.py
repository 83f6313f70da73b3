"""The form that asks for a new API token; ``api.tokens`` holds the rules."""

from __future__ import annotations

from django import forms

from api import tokens
from api.models import SCOPES
from core.errors import RuleError
from dashboard.event_forms import OnceForm


class TokenForm(OnceForm):
    name = forms.CharField(max_length=100, help_text="What will use it: the script or service.")
    scopes = forms.MultipleChoiceField(
        choices=[(scope, scope) for scope in SCOPES],
        widget=forms.CheckboxSelectMultiple,
        initial=["read"],
        help_text="read: GET; write: POST, PATCH, PUT and DELETE.",
    )
    lifetime = forms.CharField(initial="90d", label="Expires in", help_text="1d to 365d.")

    def clean_lifetime(self):
        try:
            return tokens.parse_lifetime(self.cleaned_data["lifetime"])
        except RuleError as error:
            raise forms.ValidationError(error.message) from None
