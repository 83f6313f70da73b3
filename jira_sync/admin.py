"""Jira sites in the admin: their connection (checked by a dry-run search on save), health, and who is linked.

Organisers see who is linked (member and Jira name), never their issues or tokens.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin

from core.admin import GuildScopedAdmin, GuildScopedInline
from core.errors import RuleError
from jira_sync.models import JiraLink, JiraSite
from jira_sync.sites import check_site

ENV_FIELDS = ("token_env", "oauth_client_id_env", "oauth_client_secret_env")
MUSTERS_OWN = "JIRA_TOKEN_KEY"  # the key Muster encrypts members' OAuth tokens with

CONNECTION = (
    "service_email",
    "token_env",
    "link_issue_key",
    "oauth_client_id_env",
    "oauth_client_secret_env",
    "cloud_id",
    "jql_filter",
    "base_url",
    "auth",
)


class JiraSiteForm(forms.ModelForm):
    base_url = forms.URLField(assume_scheme="https", help_text="https://your-site.atlassian.net")

    class Meta:
        model = JiraSite
        fields = (
            "guild",
            "name",
            "base_url",
            "auth",
            "service_email",
            "token_env",
            "link_issue_key",
            "oauth_client_id_env",
            "oauth_client_secret_env",
            "cloud_id",
            "jql_filter",
            "timezone",
            "poll_interval_minutes",
            "notify_member",
            "active",
        )

    # Set by JiraSiteAdmin.get_form: an organiser names only Jira variables their guild may use.
    by_organiser = False

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if self.by_organiser:
            self._check_variables(data)
            if self.errors:
                return data  # nothing is sent to the site with a variable it may not use
        if data["auth"] == JiraSite.Auth.OAUTH and not (
            data.get("oauth_client_id_env") and data.get("oauth_client_secret_env") and data.get("cloud_id")
        ):
            raise forms.ValidationError(
                "An OAuth site needs the variables holding the app's client id and secret, and the site's cloud id."
            )
        if data["auth"] == JiraSite.Auth.SERVICE_ACCOUNT and not data.get("link_issue_key"):
            raise forms.ValidationError("A service-account site needs a link issue (members comment their code on it).")
        if not (data.get("service_email") and data.get("token_env")):
            raise forms.ValidationError(
                "Polling reads Jira as a service account: give its email and the variable holding its API token."
            )
        if self.instance.pk is None or any(name in self.changed_data for name in CONNECTION):
            site = JiraSite(**{name: data.get(name) or "" for name in CONNECTION})
            try:
                check_site(site)
            except RuleError as error:
                raise forms.ValidationError(error.message) from None
        return data

    def _check_variables(self, data) -> None:
        """A site sends its token to its base URL: an organiser may name no variable but a
        Jira one (``JIRA_…``), never Muster's own key, never one another guild's site uses."""
        for name in ENV_FIELDS:
            variable = data.get(name) or ""
            if not variable:
                continue
            if not variable.startswith("JIRA_") or variable == MUSTERS_OWN:
                self.add_error(name, f"{variable} is not a Jira variable: name one starting with JIRA_ that holds it.")
                continue
            sites = JiraSite.objects.exclude(guild=self._guild(data)).exclude(pk=self.instance.pk)
            if any(sites.filter(**{field: variable}).exists() for field in ENV_FIELDS):
                self.add_error(name, f"{variable} belongs to another server's site: ask the operator for your own.")

    def _guild(self, data):
        """The site's guild: the admin's chosen one, or the instance's when the form has no guild
        field (the dashboard's form, where it is the URL's guild)."""
        return data["guild"] if "guild" in self.fields else self.instance.guild


class JiraLinkInline(GuildScopedInline, admin.TabularInline):
    model = JiraLink
    extra = 0
    fields = ("member", "display_name", "status", "linked_at", "last_reminder_at")
    readonly_fields = fields
    can_delete = True

    def has_add_permission(self, request, obj=None):
        return False  # links are verified by Jira, never typed


@admin.register(JiraSite)
class JiraSiteAdmin(GuildScopedAdmin):
    # Organisers connect, change and remove their guild's sites, and unlink a member.
    form = JiraSiteForm
    list_display = ("name", "guild", "auth", "health", "last_success_at", "last_error", "requests_last_cycle")
    list_filter = ("guild", "auth", "active")
    readonly_fields = ("health", "last_success_at", "last_error", "failing_since", "requests_last_cycle", "watermark")
    inlines = [JiraLinkInline]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.by_organiser = self.organised(request) is not None  # a class made for this request
        return form

    @admin.display(description="Health")
    def health(self, site: JiraSite) -> str:
        if not site.active:
            return "inactive"
        if site.failing_since:
            return f"failing since {site.failing_since:%Y-%m-%d %H:%M} UTC"
        return "ok" if site.last_success_at else "not polled yet"
