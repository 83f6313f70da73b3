"""Custom commands and scheduled messages: what organisers make Muster say, and when.

A response (a custom command's answer, a scheduled message's post) is text up to 2,000
characters or one embed (``embed``: title, description, colour, up to 5 fields, an image
URL); ``community.responses`` checks and renders both.
"""

from __future__ import annotations

from django.db import models
from django.utils.timezone import now

from core.timezones import validate_timezone


class CustomCommand(models.Model):
    """A guild's own command: ``/custom run name:<name>``, and ``/<name>`` once registered."""

    guild = models.ForeignKey("core.Guild", on_delete=models.CASCADE, related_name="custom_commands")
    name = models.CharField(max_length=32, help_text="1 to 32 lowercase letters, digits, - or _")
    description = models.CharField(max_length=100, help_text="Shown in Discord's command list")
    content = models.TextField(blank=True, max_length=2000, help_text="The text answer (or leave empty for an embed)")
    embed = models.JSONField(
        default=dict, blank=True, help_text="title, description, colour, fields [{name, value}], image_url"
    )
    private = models.BooleanField(default=False, help_text="Answer only the member who ran it")
    allowed_role_ids = models.JSONField(default=list, blank=True, help_text="Only these roles may run it (empty: all)")
    mention_role_ids = models.JSONField(
        default=list, blank=True, help_text="Roles the answer may ping; every other mention stays silent"
    )
    cooldown_seconds = models.PositiveIntegerField(default=0, help_text="Per member, between two uses")
    slash_command = models.BooleanField(default=False, help_text="Also register it as the guild command /<name>")
    slash_registered_at = models.DateTimeField(null=True, blank=True, editable=False)
    slash_error = models.TextField(blank=True, editable=False, help_text="Why /<name> is not registered")
    created_by = models.ForeignKey(
        "core.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="custom_commands"
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["guild", "name"]
        constraints = [models.UniqueConstraint(fields=["guild", "name"], name="customcommand_unique_name")]

    def __str__(self) -> str:
        return f"/{self.name}"


class CommandUse(models.Model):
    """A member's last use of a custom command: the cooldown, claimed with a compare-and-set."""

    command = models.ForeignKey(CustomCommand, on_delete=models.CASCADE, related_name="uses")
    member = models.ForeignKey("core.Member", on_delete=models.CASCADE, related_name="+")
    used_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["command", "member"], name="commanduse_one_per_member")]

    def __str__(self) -> str:
        return f"{self.member_id} used {self.command_id} at {self.used_at:%Y-%m-%d %H:%M:%S}"


class GuildCommandSync(models.Model):
    """The debounced registration of a guild's custom slash commands (one row per guild).

    ``due_at`` is set when a change needs registering and cleared by the task that claims
    it, so changes made while one is due coalesce into one bulk overwrite.
    """

    guild = models.OneToOneField("core.Guild", primary_key=True, on_delete=models.CASCADE, related_name="+")
    due_at = models.DateTimeField(null=True, blank=True)
    running_since = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    registered = models.PositiveSmallIntegerField(default=0, help_text="Custom commands registered by the last sync")
    last_error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Failed attempts since the last success")

    def __str__(self) -> str:
        return f"slash commands of guild {self.guild_id}"


class ScheduledMessage(models.Model):
    """A message that posts itself: once, or on a recurrence in its time zone."""

    class Repeat(models.TextChoices):
        ONCE = "once", "Once"
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"
        MONTHLY = "monthly", "Monthly"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        FINISHED = "finished", "Finished"

    guild = models.ForeignKey("core.Guild", on_delete=models.CASCADE, related_name="scheduled_messages")
    channel_id = models.BigIntegerField(help_text="Where it posts")
    content = models.TextField(blank=True, max_length=2000)
    embed = models.JSONField(default=dict, blank=True)
    mention_role_ids = models.JSONField(default=list, blank=True, help_text="Roles the post may ping")
    timezone = models.CharField(max_length=64, validators=[validate_timezone], help_text="Wall-clock times are here")
    starts_at = models.DateTimeField(help_text="The first occurrence")
    repeat = models.CharField(max_length=8, choices=Repeat.choices, default=Repeat.ONCE)
    weekdays = models.JSONField(default=list, blank=True, help_text="Weekly: 0 = Monday … 6 = Sunday")
    month_week = models.SmallIntegerField(
        null=True, blank=True, help_text='Monthly: 1 to 4 for "2nd Tuesday", -1 for "last"; empty: the day of the month'
    )
    ends_on = models.DateField(null=True, blank=True, help_text="Last day it may post (in its time zone)")
    grace_minutes = models.PositiveIntegerField(
        default=60, help_text="After an outage, occurrences missed by more than this are skipped"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    paused_reason = models.CharField(max_length=300, blank=True)
    pauses = models.PositiveIntegerField(default=0, editable=False, help_text="How often it was paused (DM keys)")
    next_occurrence_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        "core.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="scheduled_messages"
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["guild", "next_occurrence_at"]
        indexes = [models.Index(fields=["status", "next_occurrence_at"])]

    def __str__(self) -> str:
        return f"schedule {self.id} in <#{self.channel_id}>"


class Occurrence(models.Model):
    """One occurrence of a schedule, recorded once (the unique constraint): sent or skipped."""

    class Outcome(models.TextChoices):
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Skipped (missed by more than the grace window)"
        HELD = "held", "Not sent (the channel is unavailable)"

    schedule = models.ForeignKey(ScheduledMessage, on_delete=models.CASCADE, related_name="occurrences")
    occurs_at = models.DateTimeField()
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    recorded_at = models.DateTimeField(default=now)
    outbound = models.ForeignKey(
        "core.OutboundMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-occurs_at"]
        constraints = [models.UniqueConstraint(fields=["schedule", "occurs_at"], name="occurrence_once")]

    def __str__(self) -> str:
        return f"{self.schedule_id} at {self.occurs_at:%Y-%m-%d %H:%M} ({self.outcome})"


class Roster(models.Model):
    """A guild's roster as last imported from its club's list (``community.roster``), with the
    "Member" role the apply step hands out and what Discord said of the guild's roles."""

    guild = models.OneToOneField("core.Guild", on_delete=models.CASCADE, primary_key=True, related_name="roster")
    member_role_id = models.BigIntegerField(
        null=True, blank=True, help_text="The role the apply step adds to members on the roster (none: no apply)."
    )
    source = models.CharField(max_length=200, blank=True, help_text="The file imported last.")
    imported_at = models.DateTimeField(null=True, blank=True)
    imported_by = models.ForeignKey("core.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    role_names = models.JSONField(default=dict, blank=True, help_text="Role id -> name, as Discord said last.")
    roles_read_at = models.DateTimeField(null=True, blank=True)
    applying_since = models.DateTimeField(null=True, blank=True, editable=False, help_text="The apply's claim.")
    applied_at = models.DateTimeField(null=True, blank=True)
    last_apply = models.JSONField(default=dict, blank=True, help_text="added, removed, left, problem.")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Roster of {self.guild_id}"


class RosterEntry(models.Model):
    """One line of the imported roster: a Discord id or username, an external id, roles."""

    guild = models.ForeignKey("core.Guild", on_delete=models.CASCADE, related_name="roster_entries")
    line = models.PositiveIntegerField(help_text="Its line in the file.")
    discord_id = models.BigIntegerField(null=True, blank=True)
    username = models.CharField(max_length=32, blank=True, help_text="Lowercase, as Discord usernames are.")
    external_id = models.CharField(max_length=100, blank=True)
    roles = models.JSONField(default=list, blank=True, help_text="Role names or ids, as the roster says.")

    class Meta:
        ordering = ["guild", "line"]
        indexes = [models.Index(fields=["guild", "discord_id"]), models.Index(fields=["guild", "username"])]

    def __str__(self) -> str:
        return self.username or str(self.discord_id)
