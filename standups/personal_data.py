"""The standups app's holdings of a member's data (core.personal_data)."""

from __future__ import annotations

from core.personal_data import UNLINK, Holding, register

register(Holding("standups.Checkin", "Your standup answers and days", ("member",)))
register(Holding("standups.Participant", "Standups you were added to", ("member",)))
register(Holding("standups.Standup", "Standups you created", ("created_by",), forget=UNLINK))
