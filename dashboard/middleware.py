"""Discord's view of a member's permissions, at most five minutes old while they use the site."""

from __future__ import annotations

import time

from core.permissions import RIGHTS_MAX_AGE_S, SESSION_DISCORD_PERMISSIONS, SESSION_MEMBER_ID

from . import discord_rights


class FreshOrganiserRights:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and SESSION_MEMBER_ID in request.session:
            seen = (request.session.get(SESSION_DISCORD_PERMISSIONS) or {}).get("at", 0)
            if not 0 <= time.time() - seen < RIGHTS_MAX_AGE_S:
                discord_rights.refresh_permissions(request)
        return self.get_response(request)
