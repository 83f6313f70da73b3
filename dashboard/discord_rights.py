"""What Discord says of a member's permissions, for ``core.permissions.guilds_organised_by``.

At login the adapter reads ``/users/@me/guilds`` with the member's access token; every
``RIGHTS_MAX_AGE_S`` after that, ``FreshOrganiserRights`` reads it again with the stored
token (refreshing it when Discord says it expired). When Discord cannot be asked, the
permission bits count as none: only the organiser role and the flag still grant (fail
closed). Bits count only inside a membership the bot knows (``core.permissions``).
"""

from __future__ import annotations

import logging
import time

import requests
from django.conf import settings
from django.utils import timezone

from core.permissions import SESSION_DISCORD_PERMISSIONS, SESSION_MEMBER_ID, forget_organised

log = logging.getLogger(__name__)
STASH = "_muster_discord_login"


def fetch_permissions(access_token: str) -> dict[str, int] | None:
    """``{guild id: permission bits}`` from ``/users/@me/guilds``; None when Discord refuses the token."""
    try:
        response = requests.get(
            f"{settings.DISCORD_API_BASE}/users/@me/guilds",
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=settings.DISCORD_REQUEST_TIMEOUT_S,
        )
    except requests.RequestException as exc:
        log.warning("Discord's guild list could not be read (%s); permission bits count as none", type(exc).__name__)
        return {}
    if response.status_code == 401:
        return None
    if response.status_code != 200:
        log.warning("Discord answered %s for the guild list; permission bits count as none", response.status_code)
        return {}
    return {str(guild["id"]): int(guild["permissions"]) for guild in response.json()}


def stash_login(request, member_id: int, permissions: dict[str, int] | None) -> None:
    """Keep what the callback learnt until ``remember_login`` (the session may be flushed between)."""
    setattr(request, STASH, (member_id, permissions or {}))


def remember_login(request) -> int | None:
    """Write the stashed member id and permissions into the (new) session; the member id, if any."""
    stashed = getattr(request, STASH, None)
    if stashed is None:
        return None
    member_id, permissions = stashed
    request.session[SESSION_MEMBER_ID] = member_id
    request.session[SESSION_DISCORD_PERMISSIONS] = {"at": time.time(), "guilds": permissions}
    forget_organised(request.session)
    return member_id


def refresh_permissions(request) -> None:
    """Ask Discord again with the member's stored token; a refused token is refreshed once."""
    from allauth.socialaccount.models import SocialToken

    token = SocialToken.objects.filter(account__user=request.user, account__provider="discord").first()
    permissions = None
    if token is not None:
        permissions = fetch_permissions(token.token)
        if permissions is None and token.token_secret and _refresh(request, token):
            permissions = fetch_permissions(token.token)
    request.session[SESSION_DISCORD_PERMISSIONS] = {"at": time.time(), "guilds": permissions or {}}
    forget_organised(request.session)


def _refresh(request, token) -> bool:
    """Trade the refresh token for a new pair (kept); False when Discord refuses."""
    from allauth.socialaccount.adapter import get_adapter

    app = token.app or get_adapter(request).get_app(request, provider="discord")
    client_id, secret = app.client_id, app.secret
    try:
        response = requests.post(
            f"{settings.DISCORD_API_BASE}/oauth2/token",
            data={"grant_type": "refresh_token", "refresh_token": token.token_secret},
            auth=(client_id or "", secret or ""),
            timeout=settings.DISCORD_REQUEST_TIMEOUT_S,
        )
    except requests.RequestException:
        return False
    if response.status_code != 200:
        return False
    data = response.json()
    token.token, token.token_secret = data["access_token"], data.get("refresh_token", "")
    token.expires_at = timezone.now() + timezone.timedelta(seconds=int(data.get("expires_in", 0)))
    token.save(update_fields=["token", "token_secret", "expires_at"])
    return True
