"""A site's connection: its credentials and the checks run when an organiser saves it."""

from __future__ import annotations

from core.errors import RuleError
from jira_sync.client import Credentials, JiraClient, JiraFailure
from jira_sync.credentials import from_env
from jira_sync.models import JiraSite


def client_for(site: JiraSite) -> JiraClient:
    """The site's read-only client, as its service account (polling and link comments)."""
    if not site.service_email or not site.token_env:
        raise JiraFailure("the site has no service account (email and token variable) to poll with")
    try:
        token = from_env(site.token_env, "API token")
    except RuleError as exc:
        raise JiraFailure(exc.message.rstrip(".")) from None
    return JiraClient(Credentials(server=site.base_url.rstrip("/"), email=site.service_email, api_token=token))


def check_site(site: JiraSite) -> None:
    """Dry-run the site's JQL filter (or a trivial search) with its credentials; RuleError in one sentence."""
    from_env(site.token_env, "API token")  # a RuleError naming the variable when it is not set
    try:
        client_for(site).check_jql(site.jql_filter.strip() or "updated >= -1d")
    except JiraFailure as exc:
        raise RuleError(f"Jira refused the check: {exc.sentence.rstrip('.')}.") from None


def check_jql(site: JiraSite, jql: str) -> None:
    """Dry-run a subscription's JQL on the site; RuleError with Jira's reason in one sentence."""
    try:
        client_for(site).check_jql(jql)
    except JiraFailure as exc:
        raise RuleError(f"Jira refused that JQL: {exc.sentence.rstrip('.')}.") from None
