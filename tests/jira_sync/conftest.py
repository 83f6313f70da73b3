"""A Jira stand-in per test (frozen clock), a site connected to it, and members linked on it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sandbox.jira import create_app
from sandbox.jira.control import JiraControl
from sandbox.runner import ServerThread

# A Wednesday; Europe/Paris is UTC+1 (winter time).
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
API_USER, API_TOKEN = "muster@example.org", "sandbox-jira-test-token"
TOKEN_ENV = "JIRA_TEST_SITE_TOKEN"


@pytest.fixture
def jira():
    """The stand-in (no seeded issues; 20 users) and its control client."""
    server = ServerThread(create_app(user=API_USER, token=API_TOKEN, issues=0, now=NOW)).start()
    control = JiraControl(server.url)
    control.url = server.url
    yield control
    server.stop()


@pytest.fixture
def users(jira):
    """The stand-in's seeded people (not the API user), by position."""
    return [u for u in jira.users() if u["emailAddress"] != API_USER]


@pytest.fixture
def site(cast, jira, monkeypatch):
    from jira_sync.models import JiraSite

    monkeypatch.setenv(TOKEN_ENV, API_TOKEN)
    return JiraSite.objects.create(
        guild=cast.guild,
        name="Acme Jira",
        base_url=jira.url,
        service_email=API_USER,
        token_env=TOKEN_ENV,
        link_issue_key="OPS-1",
        timezone="Europe/Paris",
        notify_member=cast.organiser.member,
        next_poll_at=NOW,
        next_sweep_at=NOW,
    )


def make_link(site, member, account_id, **settings):
    from jira_sync.models import JiraLink

    return JiraLink.objects.create(site=site, member=member, account_id=account_id, display_name="Someone", **settings)
