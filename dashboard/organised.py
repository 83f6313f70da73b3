"""The guild a dashboard page is about, when the user organises it (404 otherwise).

A stand-in for the shared scoping helper (``dashboard.scoping``) until it is merged: the
same rule, ``core.permissions.guilds_organised_by``, so another guild's id answers 404
exactly like an id that does not exist.
"""

from __future__ import annotations

from django.http import Http404

from core.models import Guild
from core.permissions import guilds_organised_by


def organised_guild_or_404(request, guild_id: int) -> Guild:
    """The active guild ``guild_id`` if the request's user organises it; else 404."""
    organised = guilds_organised_by(request)
    if organised is not None and guild_id not in organised:
        raise Http404("No such guild.")
    guild = Guild.objects.filter(id=guild_id, active=True).first()
    if guild is None:
        raise Http404("No such guild.")
    return guild
