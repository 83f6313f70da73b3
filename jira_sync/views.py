"""The web half of linking: /jira/connect/<token> (and the OAuth callback, jira_sync.oauth)."""

from __future__ import annotations

from django.shortcuts import redirect, render
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
        from jira_sync import oauth

        try:
            return redirect(oauth.authorize_url(attempt))
        except RuleError as exc:  # the OAuth app's client id is not configured in this process
            return render(request, "jira_sync/connect.html", {"refusal": exc.message}, status=400)
    context = {"site": site, "code": attempt.code, "issue_url": issue_url(site, site.link_issue_key)}
    return render(request, "jira_sync/connect.html", context)


@require_GET
def oauth_callback(request):
    """Atlassian sends the browser back here with ``code`` and ``state`` (or ``error``)."""
    from jira_sync import oauth

    if request.GET.get("error"):
        refusal = "You did not allow Muster to read your Jira work, so nothing was linked. Run /jira link to try again."
        return render(request, "jira_sync/connect.html", {"refusal": refusal}, status=400)
    try:
        link = oauth.complete(
            request.GET.get("state", ""), request.GET.get("code", ""), _session_key(request), timezone.now()
        )
    except RuleError as exc:
        return render(request, "jira_sync/connect.html", {"refusal": exc.message}, status=400)
    return render(
        request, "jira_sync/connect.html", {"linked": link.display_name or link.account_id, "site": link.site}
    )
