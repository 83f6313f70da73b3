"""The leave app's holdings of a member's data (core.personal_data)."""

from __future__ import annotations

from datetime import datetime

from core.personal_data import Holding, register
from leave.models import LeaveRequest


def forget_requests(member_id: int, now: datetime) -> int:
    """A member's own requests go; a decision they made on another's request stays, unlinked."""
    deleted, _ = LeaveRequest.objects.filter(member_id=member_id).delete()
    return deleted + LeaveRequest.objects.filter(decided_by_id=member_id).update(decided_by=None)


register(Holding("leave.LeaveRequest", "Leave requests", ("member", "decided_by"), forget=forget_requests))
