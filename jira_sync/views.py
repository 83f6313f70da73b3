"""The web half of linking: /jira/connect/<token> (and the OAuth callback, jira_sync.oauth)."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.errors import RuleError
from jira_sync import linking
from jira_sync.discord.messages import issue_url
from jira_sync.models import JiraSite


def _session_key(request) -> str:
    if not request.session.session_key:
        request.session.save()
    return request.session.session_key


@require_GET
def connect(request, token: str):
    """The page a /jira link URL opens: the first browser to open it owns it."""
    try:
        attempt = linking.open_link(token, _session_key(request), timezone.now())
    except RuleError as exc:
        return render(request, "jira_sync/connect.html", {"refusal": exc.message}, status=400)
    site = attempt.site
    if site.auth == JiraSite.Auth.OAUTH:
        from django.shortcuts import redirect

        from jira_sync import oauth

        return redirect(oauth.authorize_url(attempt))
    context = {"site": site, "code": attempt.code, "issue_url": issue_url(site, site.link_issue_key)}
    return render(request, "jira_sync/connect.html", context)
