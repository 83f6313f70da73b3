"""Sites in the admin: checked against Jira when saved (errors in one sentence), health, who is linked."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jira_sync.models import JiraSite
from tests.factories import SuperuserFactory
from tests.jira_sync.conftest import API_USER, TOKEN_ENV, make_link

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser_client(client):
    client.force_login(SuperuserFactory())
    return client


def form(cast, jira, **changes) -> dict:
    data = {
        "guild": cast.guild.id,
        "name": "Acme Jira",
        "base_url": jira.url,
        "auth": "service_account",
        "service_email": API_USER,
        "token_env": TOKEN_ENV,
        "link_issue_key": "OPS-1",
        "jql_filter": "project in (OPS, WEB)",
        "timezone": "Europe/Paris",
        "poll_interval_minutes": 10,
        "active": "on",
        "links-TOTAL_FORMS": 0,
        "links-INITIAL_FORMS": 0,
    }
    return {**data, **changes}


def errors(response) -> list[str]:
    return [str(e) for e in response.context["adminform"].form.non_field_errors()] + [
        f"{name}: {e}"
        for name, errs in response.context["adminform"].form.errors.items()
        if name != "__all__"
        for e in errs
    ]


def test_a_site_is_saved_after_a_dry_run_search_of_its_jql(cast, jira, monkeypatch, organiser_client):
    monkeypatch.setenv(TOKEN_ENV, "sandbox-jira-test-token")
    response = organiser_client.post(reverse("admin:jira_sync_jirasite_add"), form(cast, jira))
    assert response.status_code == 302
    assert JiraSite.objects.get().jql_filter == "project in (OPS, WEB)"
    assert jira.counters() == {"POST search/jql": 1}


def test_bad_jql_a_missing_token_and_a_short_interval_are_form_errors(cast, jira, monkeypatch, organiser_client):
    add = reverse("admin:jira_sync_jirasite_add")
    response = organiser_client.post(add, form(cast, jira))
    assert errors(response) == [
        f"The environment variable {TOKEN_ENV} (for the site's API token) is not set in this process."
    ]
    monkeypatch.setenv(TOKEN_ENV, "sandbox-jira-test-token")
    response = organiser_client.post(add, form(cast, jira, jql_filter="project = NOPE"))
    assert errors(response) == [
        "Jira refused the check: 400: Jira refused the query — The value 'NOPE' does not exist for the field 'project'."
    ]
    response = organiser_client.post(add, form(cast, jira, poll_interval_minutes=1))
    assert errors(response) == ["poll_interval_minutes: Ensure this value is greater than or equal to 2."]
    monkeypatch.setenv(TOKEN_ENV, "wrong")
    response = organiser_client.post(add, form(cast, jira))
    assert errors(response) == ["Jira refused the check: 401: the API token was rejected — it may have expired."]
    assert JiraSite.objects.count() == 0


def test_the_list_shows_health_and_the_site_shows_who_is_linked_never_their_issues(cast, site, organiser_client):
    JiraSite.objects.filter(id=site.id).update(
        last_error="401: the API token was rejected — it may have expired", failing_since="2026-12-02T10:00:00Z"
    )
    make_link(site, cast.member.member, "0a5d2f346baa9455e3e70682")
    listing = organiser_client.get(reverse("admin:jira_sync_jirasite_changelist")).content.decode()
    assert "failing since 2026-12-02 10:00 UTC" in listing
    assert "401: the API token was rejected — it may have expired" in listing
    page = organiser_client.get(reverse("admin:jira_sync_jirasite_change", args=[site.id])).content.decode()
    assert "Alice" in page and "Someone" in page
    assert "access_token" not in page
