"""Balances: per member, type and year, what is used, pending and left.

Nothing is stored: a balance adds up the member's requests of the type (a request belongs
to the year of its dates; a request never spans a new year). Unused days move to the next
year up to the type's carry-over cap, year after year from the member's first request.

- allowance: the type's days a year (None: unlimited);
- carried: what the year before left, at most ``carry_over_days``;
- used: approved requests; pending: requests waiting for approval;
- remaining: allowance + carried - used - pending (None when unlimited), what may still
  be asked for. A cancelled or declined request counts nowhere, so cancelling approved
  leave gives its days back.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import ExtractYear

from leave.models import LeaveRequest, LeaveType

ZERO = Decimal(0)
COUNTED = (LeaveRequest.Status.APPROVED, LeaveRequest.Status.PENDING)


@dataclass(frozen=True)
class Balance:
    leave_type: LeaveType
    year: int
    allowance: Decimal | None
    carried: Decimal
    used: Decimal
    pending: Decimal

    @property
    def remaining(self) -> Decimal | None:
        if self.allowance is None:
            return None
        return self.allowance + self.carried - self.used - self.pending


def _by_year(member_id: int, leave_type: LeaveType, up_to: int) -> dict[int, dict[str, Decimal]]:
    rows = (
        LeaveRequest.objects.filter(member_id=member_id, leave_type=leave_type, status__in=COUNTED)
        .annotate(year=ExtractYear("start"))
        .filter(year__lte=up_to)
        .values("year", "status")
        .annotate(days=Sum("days"))
    )
    found: dict[int, dict[str, Decimal]] = {}
    for row in rows:
        found.setdefault(row["year"], {})[row["status"]] = Decimal(row["days"] or 0)
    return found


def balance(member_id: int, leave_type: LeaveType, year: int) -> Balance:
    """The member's balance of ``leave_type`` in ``year`` (one query)."""
    years = _by_year(member_id, leave_type, year)
    allowance = leave_type.allowance_days
    carried = ZERO
    if allowance is not None and leave_type.carry_over_days > 0 and years:
        cap = leave_type.carry_over_days
        for past in range(min(years), year):
            days = years.get(past, {})
            left = allowance + carried - days.get(LeaveRequest.Status.APPROVED, ZERO)
            carried = min(cap, max(ZERO, left))
    this = years.get(year, {})
    return Balance(
        leave_type=leave_type,
        year=year,
        allowance=allowance,
        carried=carried,
        used=this.get(LeaveRequest.Status.APPROVED, ZERO),
        pending=this.get(LeaveRequest.Status.PENDING, ZERO),
    )
