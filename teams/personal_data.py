"""The teams app's holdings of a member's data (core.personal_data)."""

from __future__ import annotations

from datetime import datetime

from core.personal_data import UNLINK, Holding, register
from teams import spaces
from teams.models import TeamMember, TeamPlace


def forget_memberships(member_id: int, now: datetime) -> int:
    """The member leaves their teams; each event's sync follows and takes their team roles and
    channels away (``keep_places_for_the_sync``)."""
    events = set(TeamMember.objects.filter(member_id=member_id).values_list("event_id", flat=True))
    deleted, _ = TeamMember.objects.filter(member_id=member_id).delete()
    for event_id in events:
        spaces.request_sync(event_id)
    return deleted


def keep_places_for_the_sync(member_id: int, now: datetime) -> int:
    """Nothing deleted now: a place is what tells the sync to take the role, thread or channel
    back in Discord (deleted here, the member would keep it until the event's cleanup). The
    sync deletes each place as Discord lets the member out, or the cleanup with the rest.
    Counted as forgotten (the member is told of them): they go within the sync's run."""
    places = list(TeamPlace.objects.filter(member_id=member_id).values_list("team__event_id", flat=True))
    for event_id in set(places):
        spaces.request_sync(event_id)
    return len(places)


register(Holding("teams.TeamMember", "Teams you are in", ("member",), forget=forget_memberships))
register(Holding("teams.Team", "Teams you captain", ("captain",), forget=UNLINK))
register(
    Holding(
        "teams.TeamPlace", "Team roles and channels you were let into", ("member",), forget=keep_places_for_the_sync
    )
)
register(Holding("teams.Preference", "Your team preferences (skill, role)", ("member",)))
register(Holding("teams.TeamSpaces", "Team spaces you asked for", ("requested_by",), forget=UNLINK))
