"""Linking on OAuth 2.0 (3LO) sites: the member signs in with Atlassian, Jira says who they are.

The one-time /jira/connect page redirects to Atlassian's authorize URL (audience
api.atlassian.com, scopes ``read:jira-user read:jira-work offline_access``, PKCE S256, a
``state`` tied to the one-time link and to the browser session that opened it). The
callback exchanges the code, checks that the site's cloud id is among the token's
accessible resources, reads ``/myself`` with the member's own token and stores that
accountId. Tokens are encrypted at rest; refresh tokens rotate, one refresh at a time per
link (a row lock), and ``invalid_grant`` marks the link "reconnect" and DMs the member.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.db import transaction

from core import outbox
from core.errors import RuleError
from core.markup import escape
from jira_sync import crypto
from jira_sync.client import Credentials, JiraClient, JiraFailure, read_only_session, request_timeout
from jira_sync.credentials import from_env
from jira_sync.linking import store_link
from jira_sync.models import JiraLink, JiraSite, LinkAttempt

log = logging.getLogger(__name__)

SCOPES = "read:jira-user read:jira-work offline_access"
# From the click on /jira link to the end of Atlassian's consent.
SIGN_IN_TTL = timedelta(minutes=20)
NOT_THIS_BROWSER = "This sign-in did not start in this browser. Run /jira link in Discord and open the new link here."
STALE = "This sign-in is no longer valid. Run /jira link in Discord for a new link."


def redirect_uri() -> str:
    return f"{settings.MUSTER_PUBLIC_URL.rstrip('/')}/jira/oauth/callback"


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def authorize_url(attempt: LinkAttempt) -> str:
    """Where the connect page sends the browser; records the state and the PKCE verifier (sealed)."""
    verifier = secrets.token_urlsafe(64)
    attempt.state = secrets.token_urlsafe(32)
    attempt.pkce_verifier = crypto.seal(verifier)
    attempt.save(update_fields=["state", "pkce_verifier"])
    query = {
        "audience": "api.atlassian.com",
        "client_id": from_env(attempt.site.oauth_client_id_env, "OAuth client id"),
        "scope": SCOPES,
        "redirect_uri": redirect_uri(),
        "state": attempt.state,
        "response_type": "code",
        "prompt": "consent",
        "code_challenge": _challenge(verifier),
        "code_challenge_method": "S256",
    }
    return f"{settings.ATLASSIAN_AUTH_URL.rstrip('/')}/authorize?{urlencode(query)}"


def _token_request(site: JiraSite, grant: dict) -> dict:
    """POST the token endpoint (through the read-only transport); JiraFailure carries Atlassian's ``error``."""
    body = {
        **grant,
        "client_id": from_env(site.oauth_client_id_env, "OAuth client id"),
        "client_secret": from_env(site.oauth_client_secret_env, "OAuth client secret"),
    }
    try:
        response = read_only_session().post(
            f"{settings.ATLASSIAN_AUTH_URL.rstrip('/')}/oauth/token", json=body, timeout=request_timeout()
        )
    except requests.RequestException:
        raise JiraFailure("Atlassian did not answer in time") from None
    if response.status_code != 200:
        try:
            error = response.json().get("error") or ""
        except ValueError:
            error = ""
        raise JiraFailure(error or f"{response.status_code}: Atlassian refused the token request", response.status_code)
    return response.json()


def _sealed_tokens(tokens: dict, now: datetime) -> dict:
    return {
        "access_token": crypto.seal(tokens["access_token"]),
        "refresh_token": crypto.seal(tokens.get("refresh_token") or ""),
        "access_expires_at": now + timedelta(seconds=int(tokens.get("expires_in") or 3600)),
    }


def complete(state: str, code: str, session_key: str, now: datetime) -> JiraLink:
    """The callback: the state must be this browser's open sign-in; the accountId comes from /myself."""
    attempt = (
        LinkAttempt.objects.select_related("site").filter(state=state).exclude(state="").first() if state else None
    )
    if attempt is None or attempt.session_key != session_key:
        raise RuleError(NOT_THIS_BROWSER)
    if attempt.used_at is not None or attempt.created_at + SIGN_IN_TTL <= now:
        raise RuleError(STALE)
    site = attempt.site
    try:
        tokens = _token_request(
            site,
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri(),
                "code_verifier": crypto.unseal(attempt.pkce_verifier),
            },
        )
        access = tokens["access_token"]
        resources = _accessible_resources(access)
        if site.cloud_id not in {r.get("id") for r in resources}:
            raise RuleError(f"That Atlassian account cannot reach {site.name}: sign in with your account on that site.")
        me = JiraClient(Credentials(server=_gateway(site), bearer=access)).myself()
    except JiraFailure as exc:
        log.info("oauth link of member %s on site %s failed: %s", attempt.member_id, site.id, exc.sentence)
        raise RuleError("Atlassian did not confirm the sign-in. Run /jira link in Discord and try again.") from None
    return _store(attempt, me, tokens, now)


def _gateway(site: JiraSite) -> str:
    return f"{settings.ATLASSIAN_API_URL.rstrip('/')}/ex/jira/{site.cloud_id}"


def _accessible_resources(access: str) -> list[dict]:
    url = f"{settings.ATLASSIAN_API_URL.rstrip('/')}/oauth/token/accessible-resources"
    try:
        response = read_only_session().get(
            url, headers={"Authorization": f"Bearer {access}"}, timeout=request_timeout()
        )
    except requests.RequestException:
        raise JiraFailure("Atlassian did not answer in time") from None
    if response.status_code != 200:
        raise JiraFailure(f"{response.status_code}: accessible-resources refused", response.status_code)
    return response.json()


def _store(attempt: LinkAttempt, me: dict, tokens: dict, now: datetime) -> JiraLink:
    account_id, name = me["accountId"], me.get("displayName") or ""
    with transaction.atomic():
        if not LinkAttempt.objects.filter(id=attempt.id, used_at__isnull=True).update(used_at=now):
            raise RuleError(STALE)
        link = store_link(attempt, account_id, name, now, **_sealed_tokens(tokens, now))
        outbox.enqueue(
            key=f"jira:link:{attempt.id}",
            member_id=attempt.member_id,
            guild_id=attempt.site.guild_id,
            payload={"content": f"Your Jira account **{escape(name)}** is now linked on {escape(attempt.site.name)}."},
        )
    return link


def refresh(link_id: int, now: datetime) -> bool:
    """Rotate a link's tokens, one refresh at a time (row lock); invalid_grant: "reconnect" and a DM.

    Returns whether the link still holds a live grant. The refresh is also the daily check
    that the member has not revoked Muster's access in their Atlassian account.
    """
    with transaction.atomic():
        link = JiraLink.objects.select_for_update().select_related("site").filter(id=link_id).first()
        if link is None or link.status != JiraLink.Status.ACTIVE or not link.refresh_token:
            return False
        token = crypto.unseal(link.refresh_token)
        try:
            if not token:
                raise JiraFailure("invalid_grant")
            tokens = _token_request(link.site, {"grant_type": "refresh_token", "refresh_token": token})
        except JiraFailure as exc:
            if exc.sentence != "invalid_grant":
                log.warning("refreshing link %s failed: %s", link.id, exc.sentence)
                return True  # Atlassian had trouble; the grant may well be fine
            _reconnect(link, now)
            return False
        JiraLink.objects.filter(id=link.id).update(**_sealed_tokens(tokens, now))
        return True


def _reconnect(link: JiraLink, now: datetime) -> None:
    JiraLink.objects.filter(id=link.id).update(
        status=JiraLink.Status.RECONNECT, access_token="", refresh_token="", access_expires_at=None
    )
    outbox.enqueue(
        key=f"jira:reconnect:{link.id}:{now.date().isoformat()}",
        member_id=link.member_id,
        guild_id=link.site.guild_id,
        payload={
            "content": f"Your Jira link on {escape(link.site.name)} stopped working (access was revoked or expired). "
            "Run /jira link to connect again; until then you get no Jira reminders."
        },
    )


def links_to_refresh(now: datetime) -> list[int]:
    """OAuth links last refreshed a day ago or more: each grant is checked (and rotated) once a day."""
    day_old = now - timedelta(hours=23)  # tokens last an hour: expired 23 h ago = refreshed a day ago
    return list(
        JiraLink.objects.filter(
            status=JiraLink.Status.ACTIVE, site__auth=JiraSite.Auth.OAUTH, access_expires_at__lte=day_old
        )
        .exclude(refresh_token="")
        .values_list("id", flat=True)
    )
