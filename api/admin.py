"""API tokens in the admin: create one (the token is shown once, in the confirmation), revoke."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils import timezone

from api import tokens
from api.models import SCOPES, ApiToken
from core.admin import GuildScopedAdmin
from core.errors import RuleError


class ApiTokenForm(forms.ModelForm):
    scope_choices = forms.MultipleChoiceField(
        label="Scopes",
        choices=[(scope, scope) for scope in SCOPES],
        widget=forms.CheckboxSelectMultiple,
        help_text="read: GET; write: POST, PATCH, PUT and DELETE.",
    )
    lifetime = forms.CharField(initial="90d", help_text="How long it lasts: 1d to 365d.", label="Expires in")

    class Meta:
        model = ApiToken
        fields = ("guild", "name")

    def clean_lifetime(self):
        try:
            return tokens.parse_lifetime(self.cleaned_data["lifetime"])
        except RuleError as error:
            raise forms.ValidationError(error.message) from None


@admin.register(ApiToken)
class ApiTokenAdmin(GuildScopedAdmin):
    # Organisers make tokens for their guild (shown once), revoke them, and delete old ones.
    # Neither the token nor its digest is ever a field here: only the public prefix.
    list_display = ("name", "guild", "prefix", "scopes", "expires_at", "revoked_at", "last_used_at")
    list_filter = ("guild", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "prefix")
    readonly_fields = ("guild", "name", "prefix", "scopes", "expires_at", "revoked_at", "last_used_at", "created_by")
    actions = ["revoke_tokens"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ApiTokenForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("guild", "name", "scope_choices", "lifetime")
        return (*self.readonly_fields, "created_at")

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        ask = tokens.TokenRequest(
            guild=data["guild"], name=data["name"], scopes=tuple(data["scope_choices"]), lifetime=data["lifetime"]
        )
        row, token = tokens.create_token(ask, now=timezone.now(), created_by_id=request.user.pk)
        obj.pk, obj._state.adding = row.pk, False
        self.message_user(
            request,
            f"The token, shown this once (copy it now; Muster keeps only its hash): {token}",
            messages.WARNING,
        )

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    @admin.action(description="Revoke the selected tokens")
    def revoke_tokens(self, request, queryset):
        now = timezone.now()
        revoked = sum(tokens.revoke(token_id, now=now) for token_id in queryset.values_list("id", flat=True))
        self.message_user(request, f"Revoked {revoked} token{'s' if revoked != 1 else ''}.", messages.SUCCESS)
