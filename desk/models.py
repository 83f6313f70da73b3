"""Tasks of a guild's team desk: who does what by when, their comments, the board, members' choices."""

from __future__ import annotations

from datetime import timedelta

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.timezone import now


class DeskSettings(models.Model):
    """A guild's desk: who manages tasks besides organisers, and when its own digest goes."""

    guild = models.OneToOneField("core.Guild", on_delete=models.CASCADE, related_name="desk_settings")
    manager_role_id = models.BigIntegerField(
        null=True, blank=True, help_text="Members with this Discord role may assign and edit anyone's tasks."
    )
    digest_hour = models.PositiveSmallIntegerField(
        default=9,
        validators=[MaxValueValidator(23)],
        help_text="The hour (each member's own clock) of the overdue-tasks digest of members without a Jira digest.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "desk settings"

    def __str__(self) -> str:
        return f"Desk settings of {self.guild}"


class Task(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"

    class Priority(models.TextChoices):
        LOW = "low", "Low"
        NORMAL = "normal", "Normal"
        HIGH = "high", "High"

    guild = models.ForeignKey("core.Guild", on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=200)
    details = models.TextField(blank=True, max_length=2000)
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        "core.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks_created"
    )
    assignee = models.ForeignKey(
        "core.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks_assigned"
    )
    assigned_at = models.DateTimeField(null=True, blank=True, editable=False)
    due_at = models.DateTimeField(null=True, blank=True)
    # The due reminder: when it goes (from the assignee's choice), claimed by compare-and-set.
    remind_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)
    done_at = models.DateTimeField(null=True, blank=True, editable=False)
    done_by = models.ForeignKey("core.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["guild", "status", "assignee"])]

    def __str__(self) -> str:
        return f"#{self.id} {self.title}"

    def overdue(self, at) -> bool:
        return self.status == self.Status.OPEN and self.due_at is not None and self.due_at <= at


class TaskComment(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey("core.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(max_length=1000)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"comment on #{self.task_id}"


class Reminding(models.TextChoices):
    DAY = "1d", "1 day before"
    HOUR = "1h", "1 hour before"
    NONE = "none", "No reminder"


LEAD = {Reminding.DAY: timedelta(days=1), Reminding.HOUR: timedelta(hours=1)}


class MemberPrefs(models.Model):
    """A member's choices for their tasks in one guild (/task settings)."""

    guild = models.ForeignKey("core.Guild", on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey("core.Member", on_delete=models.CASCADE, related_name="desk_prefs")
    reminder = models.CharField(max_length=4, choices=Reminding.choices, default=Reminding.DAY)

    class Meta:
        verbose_name_plural = "member preferences"
        constraints = [models.UniqueConstraint(fields=["guild", "member"], name="desk_prefs_one_per_member")]

    def __str__(self) -> str:
        return f"{self.member} in {self.guild}: {self.get_reminder_display()}"


class TaskBoard(models.Model):
    """The board message of a guild's open tasks; ``version`` grows each time it moves to a channel."""

    guild = models.OneToOneField("core.Guild", on_delete=models.CASCADE, related_name="task_board")
    channel_id = models.BigIntegerField()
    message_id = models.BigIntegerField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Task board of {self.guild}"

    @property
    def post_key(self) -> str:
        return f"desk:board:{self.guild_id}:{self.version}"


class DigestDay(models.Model):
    """The overdue-tasks section was sent to a member for a local date (in ``outbox_key``'s DM): once a day."""

    guild = models.ForeignKey("core.Guild", on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey("core.Member", on_delete=models.CASCADE, related_name="+")
    local_date = models.DateField()
    outbox_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["guild", "member", "local_date"], name="desk_digest_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"digest of {self.member_id} on {self.local_date}"
