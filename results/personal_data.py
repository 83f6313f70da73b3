"""Results' holdings of a member's data (core.personal_data).

Check-ins are the member's and go. Result entries belong to the guild's record of its events:
Forget me keeps the line (a place and its points) but not who it was.
"""

from __future__ import annotations

from datetime import datetime

from core.personal_data import UNLINK, Holding, register
from results.models import ResultEntry

FORGOTTEN = "(a former member)"


def forget_entries(member_id: int, now: datetime) -> int:
    return ResultEntry.objects.filter(member_id=member_id).update(member=None, name=FORGOTTEN)


register(Holding("results.CheckIn", "Events you checked in to", ("member",)))
register(Holding("results.ResultEntry", "Your places in events' results", ("member",), forget=forget_entries))
register(Holding("results.ResultSheet", "Results you posted", ("posted_by",), forget=UNLINK))
register(Holding("results.CheckInWindow", "Check-ins you turned on", ("enabled_by",), forget=UNLINK))
