"""The teams app's holdings of a member's data (core.personal_data)."""

from __future__ import annotations

from datetime import datetime

from core.personal_data import UNLINK, Holding, register
from teams import spaces
from teams.models import TeamMember


def forget_memberships(member_id: int, now: datetime) -> int:
    """The member leaves their teams; each event's sync follows (what Discord still holds of
    them goes with the team's role and channels at the cleanup)."""
    events = set(TeamMember.objects.filter(member_id=member_id).values_list("event_id", flat=True))
    deleted, _ = TeamMember.objects.filter(member_id=member_id).delete()
    for event_id in events:
        spaces.request_sync(event_id)
    return deleted


register(Holding("teams.TeamMember", "Teams you are in", ("member",), forget=forget_memberships))
register(Holding("teams.Team", "Teams you captain", ("captain",), forget=UNLINK))
register(Holding("teams.TeamPlace", "Team roles and channels you were let into", ("member",)))
register(Holding("teams.Preference", "Your team preferences (skill, role)", ("member",)))
register(Holding("teams.TeamSpaces", "Team spaces you asked for", ("requested_by",), forget=UNLINK))
