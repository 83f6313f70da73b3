"""Export targets (a guild's spreadsheet and what goes in it), their runs, and row digests."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.timezone import now

from core.models import Guild, Member


class ExportTarget(models.Model):
    class Cadence(models.TextChoices):
        EVERY_5 = "5", "Every 5 minutes"
        EVERY_15 = "15", "Every 15 minutes"
        EVERY_60 = "60", "Every hour"
        ON_CHANGE = "change", "After each change (at most once a minute)"

    class Removed(models.TextChoices):
        MARK = "mark", 'Mark them "removed" in the Status column'
        DELETE = "delete", "Delete their rows"

    guild = models.ForeignKey(Guild, on_delete=models.CASCADE, related_name="export_targets")
    spreadsheet_id = models.CharField(max_length=100, help_text="From the spreadsheet's URL: /spreadsheets/d/<id>/")
    datasets = models.JSONField(default=list, help_text="Names of the datasets exported, one tab each.")
    events = models.ManyToManyField(
        "events.Event", blank=True, related_name="+", help_text="Blank: every event from the day it was connected on."
    )
    cadence = models.CharField(max_length=6, choices=Cadence.choices, default=Cadence.EVERY_15)
    removed_rows = models.CharField(max_length=6, choices=Removed.choices, default=Removed.MARK)
    configured_by = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", help_text="Told of errors by DM."
    )
    created_at = models.DateTimeField(default=now)
    # Scheduling and the claim (compare-and-set on claimed_until).
    next_run_at = models.DateTimeField(default=now)
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_fingerprint = models.TextField(blank=True, editable=False)
    last_run_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)
    # Cells in the spreadsheet's other tabs (people's), as last counted: the cell-limit check.
    other_cells = models.PositiveBigIntegerField(default=0, editable=False)
    # Counts successful runs; a DM about an error is sent once per distinct error per epoch.
    error_epoch = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["guild", "spreadsheet_id"], name="exporttarget_one_per_spreadsheet"),
        ]
        indexes = [models.Index(fields=["next_run_at"])]

    def __str__(self) -> str:
        return f"{self.spreadsheet_id} ({self.guild})"

    @property
    def url(self) -> str:
        return f"https://docs.google.com/spreadsheets/d/{self.spreadsheet_id}/edit"

    def interval(self) -> timedelta:
        if self.cadence == self.Cadence.ON_CHANGE:
            return timedelta(seconds=settings.SHEETS_DEBOUNCE_S)
        return timedelta(minutes=int(self.cadence))


class ExportRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        WRITTEN = "written", "Written"
        UNCHANGED = "unchanged", "Nothing to write"
        FAILED = "failed", "Failed"

    target = models.ForeignKey(ExportTarget, on_delete=models.CASCADE, related_name="runs")
    trigger = models.CharField(max_length=10, help_text="beat, now (/export now), admin")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(default=now)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows_added = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_marked = models.PositiveIntegerField(default=0, help_text='Marked "removed" or "cancelled", or deleted.')
    cells_written = models.PositiveIntegerField(default=0)
    read_requests = models.PositiveSmallIntegerField(default=0)
    write_requests = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    notices = models.TextField(blank=True, help_text="What Muster did about people's changes (a renamed header).")

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["target", "-started_at"])]

    def __str__(self) -> str:
        return f"run {self.id} of {self.target_id}: {self.status}"


class ExportedRow(models.Model):
    """What Muster last wrote in one row of a tab, as a digest: equal digest, no write."""

    target = models.ForeignKey(ExportTarget, on_delete=models.CASCADE, related_name="rows")
    dataset = models.CharField(max_length=40)
    muster_id = models.CharField(max_length=80)
    digest = models.CharField(max_length=32)
    status = models.CharField(max_length=12, blank=True, help_text='"", "cancelled" or "removed" as last written.')

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["target", "dataset", "muster_id"], name="exportedrow_one_per_row"),
        ]

    def __str__(self) -> str:
        return f"{self.dataset} {self.muster_id}"
