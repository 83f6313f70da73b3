"""Standups: a channel's daily questions, asked of each participant at their own local time.

A ``Standup`` says what is asked, on which weekdays, at what local time, of whom (a role,
or the members listed in ``Participant`` rows), and where the answers go. Each day a
participant is due, the beat tick claims one ``Checkin`` row (unique per standup, member
and local date): it records whether they were asked, skipped, away or unreachable, their
answers, and the moments (in UTC) of their reminder and of the end of editing. A standup
with a cutoff posts one ``Digest`` per day instead of one message per answer.
"""

from __future__ import annotations

from datetime import time

from django.db import models
from django.utils.timezone import now

DEFAULT_QUESTIONS = ["What did you do yesterday?", "What will you do today?", "Anything blocking you?"]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MON_TO_FRI = 0b0011111  # bit i: weekday i (Monday is 0) runs


def default_questions() -> list[str]:
    return list(DEFAULT_QUESTIONS)


class Standup(models.Model):
    guild = models.ForeignKey("core.Guild", on_delete=models.CASCADE, related_name="standups")
    name = models.CharField(max_length=60, blank=True, help_text="The team's name, shown in prompts and posts.")
    channel_id = models.BigIntegerField(help_text="Where the answers are posted.")
    questions = models.JSONField(default=default_questions, help_text="One to five questions (a form holds five).")
    weekdays = models.PositiveSmallIntegerField(default=MON_TO_FRI, help_text="Bit 0 Monday … bit 6 Sunday.")
    ask_at = models.TimeField(default=time(9, 0), help_text="Local time in each participant's own time zone.")
    remind_at = models.TimeField(null=True, blank=True, help_text="Reminder DM if not answered by then (local).")
    cutoff_at = models.TimeField(
        null=True,
        blank=True,
        help_text="Answers close then (local); the day's digest is posted instead of one post each.",
    )
    role_id = models.BigIntegerField(null=True, blank=True, help_text="Members holding this role take part.")
    paused = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        "core.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="standups_created"
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["guild", "id"]
        indexes = [models.Index(fields=["paused"])]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return f"{self.name} standup" if self.name else f"Standup #{self.id}"

    def runs_on(self, weekday: int) -> bool:
        return bool(self.weekdays & (1 << weekday))


class Participant(models.Model):
    """A member listed by name (besides, or instead of, a role)."""

    standup = models.ForeignKey(Standup, on_delete=models.CASCADE, related_name="participants")
    member = models.ForeignKey("core.Member", on_delete=models.CASCADE, related_name="standup_places")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["standup", "member"], name="standup_participant_unique")]

    def __str__(self) -> str:
        return f"{self.member} in {self.standup}"


class Checkin(models.Model):
    """One participant's day of one standup: claimed once by the tick (the unique constraint)."""

    class Status(models.TextChoices):
        ASKED = "asked", "Asked"
        ANSWERED = "answered", "Answered"
        SKIPPED = "skipped", "Skipped"
        AWAY = "away", "On leave"
        UNREACHABLE = "unreachable", "Not asked (DMs off)"

    standup = models.ForeignKey(Standup, on_delete=models.CASCADE, related_name="checkins")
    member = models.ForeignKey("core.Member", on_delete=models.CASCADE, related_name="standup_checkins")
    local_date = models.DateField(help_text="The day in the member's own time zone.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ASKED)
    due_at = models.DateTimeField(help_text="The ask time of that day in the member's zone (UTC).")
    asked_at = models.DateTimeField(null=True, blank=True, help_text="When the prompt was queued.")
    remind_due_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(help_text="Answers may be given and edited until then.")
    answers = models.JSONField(default=list, blank=True, help_text="[question, answer] pairs as answered.")
    answered_at = models.DateTimeField(null=True, blank=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    away_reason = models.CharField(max_length=200, blank=True)
    claim = models.CharField(max_length=32, blank=True, editable=False, help_text="The tick that claimed the row.")
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-local_date", "standup", "member"]
        constraints = [
            models.UniqueConstraint(fields=["standup", "member", "local_date"], name="standup_checkin_once_a_day")
        ]
        indexes = [
            models.Index(fields=["standup", "local_date"]),
            models.Index(fields=["status", "remind_due_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.local_date} ({self.get_status_display()})"


class Digest(models.Model):
    """A cutoff standup's day: posted once, when every participant's cutoff of that day has passed."""

    standup = models.ForeignKey(Standup, on_delete=models.CASCADE, related_name="digests")
    local_date = models.DateField()
    due_at = models.DateTimeField()
    posted_at = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        ordering = ["-local_date"]
        constraints = [models.UniqueConstraint(fields=["standup", "local_date"], name="standup_digest_once_a_day")]
        indexes = [models.Index(fields=["posted_at", "due_at"])]

    def __str__(self) -> str:
        return f"{self.standup} digest {self.local_date}"
