"""Leave: each guild's leave types and settings, its holiday calendar, and members' requests.

Balances are not stored: ``leave.balances`` adds up the requests (a request's ``days`` is
fixed when it is made, weekends and public holidays left out), so a cancelled request gives
its days back by its status alone.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import models
from django.utils.timezone import now

from core.models import Guild, Member

# The leave types a guild starts with (leave.services.setup): yearly allowance None is unlimited.
DEFAULT_TYPES = (
    {"name": "Vacation", "allowance_days": Decimal(25), "carry_over_days": Decimal(5), "position": 0},
    {"name": "Sick", "allowance_days": None, "auto_approve": True, "position": 1},
    {"name": "Personal", "allowance_days": Decimal(3), "position": 2},
    {"name": "Off-duty", "allowance_days": None, "position": 3},
)


class LeaveSettings(models.Model):
    """One row per guild, made on first use."""

    guild = models.OneToOneField(Guild, on_delete=models.CASCADE, related_name="leave_settings")
    approver_role_id = models.BigIntegerField(
        null=True, blank=True, help_text="Members with this role approve leave; blank: the guild's organisers."
    )
    channel_id = models.BigIntegerField(
        null=True, blank=True, help_text='Where the daily "Away today" post goes; blank: no post.'
    )
    away_post_hour = models.PositiveSmallIntegerField(
        default=9, help_text="The hour (the guild's time zone) the Away today post goes out, 0-23."
    )
    away_posted_on = models.DateField(
        null=True, blank=True, editable=False, help_text="The guild's local day of the last Away today post."
    )
    holiday_country = models.CharField(
        max_length=3, blank=True, help_text="A country code of the holidays package (GB, FR, US): its public holidays."
    )
    holiday_subdivision = models.CharField(
        max_length=10, blank=True, help_text="A subdivision of that country (ENG, BY, CA), or blank."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "leave settings"

    def __str__(self) -> str:
        return f"Leave settings of {self.guild}"


class LeaveType(models.Model):
    guild = models.ForeignKey(Guild, on_delete=models.CASCADE, related_name="leave_types")
    name = models.CharField(max_length=40)
    allowance_days = models.DecimalField(
        max_digits=5, decimal_places=1, null=True, blank=True, help_text="Days a year; blank: unlimited."
    )
    needs_approval = models.BooleanField(default=True)
    auto_approve = models.BooleanField(default=False, help_text="Approved at once (sick leave, say).")
    half_days = models.BooleanField(default=True, help_text="Members may take a morning or an afternoon.")
    carry_over_days = models.DecimalField(
        max_digits=5, decimal_places=1, default=Decimal(0), help_text="At most this many unused days move to next year."
    )
    negative_allowed = models.BooleanField(default=False, help_text="Requests may go beyond the allowance.")
    active = models.BooleanField(default=True, help_text="Inactive types take no new requests.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["guild", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["guild", "name"], name="leavetype_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def unlimited(self) -> bool:
        return self.allowance_days is None

    @property
    def approves_itself(self) -> bool:
        return self.auto_approve or not self.needs_approval


class Holiday(models.Model):
    """A day off an organiser added to the guild's calendar (the country's come from the holidays package)."""

    guild = models.ForeignKey(Guild, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["guild", "date"]
        constraints = [models.UniqueConstraint(fields=["guild", "date"], name="holiday_unique_date")]

    def __str__(self) -> str:
        return f"{self.name} ({self.date:%Y-%m-%d})"


class LeaveRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        CANCELLED = "cancelled", "Cancelled"

    class Half(models.TextChoices):
        FULL = "", "Whole days"
        MORNING = "morning", "Morning"
        AFTERNOON = "afternoon", "Afternoon"

    guild = models.ForeignKey(Guild, on_delete=models.CASCADE, related_name="leave_requests")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="leave_requests")
    leave_type = models.ForeignKey(LeaveType, on_delete=models.PROTECT, related_name="requests")
    start = models.DateField()
    end = models.DateField()
    half = models.CharField(max_length=10, choices=Half.choices, blank=True, default=Half.FULL)
    days = models.DecimalField(
        max_digits=5, decimal_places=1, help_text="Working days taken (weekends and holidays not counted)."
    )
    note = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="Who approved or declined"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=300, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start", "-id"]
        indexes = [
            models.Index(fields=["guild", "status", "start"]),
            models.Index(fields=["member", "status", "start"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="leaverequest_dates_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.leave_type} {self.start:%Y-%m-%d} to {self.end:%Y-%m-%d} ({self.status})"

    def span_text(self) -> str:
        """'Friday 12 December 2026 (morning)', 'Monday 7 to Friday 11 December 2026'."""
        if self.half:
            return f"{day_text(self.start)} ({self.half})"
        if self.start == self.end:
            return day_text(self.start)
        return f"{day_text(self.start)} to {day_text(self.end)}"


def day_text(day: date) -> str:
    """'Friday 12 December 2026'."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def days_text(days: Decimal | None) -> str:
    """'1 day', '2.5 days', 'unlimited'."""
    if days is None:
        return "unlimited"
    days = Decimal(days)
    shown = f"{int(days)}" if days == days.to_integral() else f"{days.normalize():f}"
    return f"{shown} day" if days == 1 else f"{shown} days"
