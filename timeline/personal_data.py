"""The timeline app's holdings of a member's data (core.personal_data)."""

from __future__ import annotations

from core.personal_data import UNLINK, Holding, register

register(Holding("timeline.Item_people", "Timeline items naming you", ("member",)))
register(Holding("timeline.Item", "Timeline items you added", ("created_by",), forget=UNLINK))
register(Holding("timeline.Shift", "Timelines you shifted", ("by",), forget=UNLINK))
