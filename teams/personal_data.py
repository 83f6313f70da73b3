"""The teams app's holdings of a member's data (core.personal_data)."""

from __future__ import annotations

from core.personal_data import UNLINK, Holding, register

register(Holding("teams.TeamMember", "Team places", ("member",)))
register(Holding("teams.Team", "Teams captained", ("captain",), forget=UNLINK))
