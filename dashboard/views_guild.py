"""The guild overview: what is coming, what is open, and what needs an organiser's attention."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required

from .nav import render_guild
from .scoping import organised_guild_or_404


@login_required
def overview(request, guild_id: int):
    """Upcoming events, open polls, the logistics still missing, and problems to look at."""
    guild = organised_guild_or_404(request, guild_id)
    return render_guild(request, guild, "guild", "dashboard/guild/overview.html")
