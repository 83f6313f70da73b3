"""The event post's teams (subscribed to ``core.hooks.event_post_extras``)."""

from __future__ import annotations

from core import hooks
from teams import services
from teams.discord import messages


def post_extras(event_id: int, now) -> hooks.PostExtras | None:
    """Footer lines naming each team and its members; nothing when the event has no teams."""
    teams = services.teams_with_members(event_id)
    if not teams:
        return None
    return hooks.PostExtras(footer=messages.footer_lines(teams))
