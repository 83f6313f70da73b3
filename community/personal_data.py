"""The community app's holdings of a member's data (core.personal_data)."""

from __future__ import annotations

from core.personal_data import UNLINK, Holding, register

register(Holding("community.CommandUse", "Custom commands you used", ("member",)))
register(Holding("community.CustomCommand", "Custom commands you made", ("created_by",), forget=UNLINK))
register(Holding("community.ScheduledMessage", "Scheduled messages you made", ("created_by",), forget=UNLINK))
register(Holding("community.RosterEntry", "Your lines in the club's roster (by your Discord id)", ("discord_id",)))
register(Holding("community.Roster", "Rosters you imported", ("imported_by",), forget=UNLINK))
