"""Who Muster serves: Discord guilds, their members, and process heartbeats.

Discord ids (snowflakes) are stored as 64-bit integers and used as primary keys, so a
payload's id is the row's id and no lookup table is needed.
"""

from __future__ import annotations

from django.db import models
from django.utils.timezone import now

from core.timezones import validate_timezone


class Guild(models.Model):
    id = models.BigIntegerField(primary_key=True, help_text="Discord guild (server) id")
    name = models.CharField(max_length=100)
    timezone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_timezone],
        help_text="Used for members who have not set their own time zone.",
    )
    organiser_role_id = models.BigIntegerField(
        null=True, blank=True, help_text="Members with this Discord role may organise."
    )
    announcement_channel_id = models.BigIntegerField(
        null=True, blank=True, help_text="Where events are posted when no channel is given."
    )
    active = models.BooleanField(default=True, help_text="False once the bot has left the guild.")
    joined_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Member(models.Model):
    """A Discord user, across every guild Muster shares with them."""

    id = models.BigIntegerField(primary_key=True, help_text="Discord user id")
    username = models.CharField(max_length=32)
    display_name = models.CharField(max_length=100, blank=True)
    timezone = models.CharField(
        max_length=64, blank=True, validators=[validate_timezone], help_text="Blank: the guild's."
    )
    dm_reminders = models.BooleanField(default=True, help_text="Receive reminders by direct message.")
    dms_closed_at = models.DateTimeField(
        null=True, blank=True, help_text="When Discord last refused a DM because the member closed them."
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.username


class GuildMember(models.Model):
    guild = models.ForeignKey(Guild, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="memberships")
    nickname = models.CharField(max_length=32, blank=True)
    role_ids = models.JSONField(default=list, blank=True, help_text="Discord role ids, as integers.")
    is_organiser = models.BooleanField(
        default=False, help_text="May organise even without the guild's organiser role."
    )
    joined_at = models.DateTimeField(default=now)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["guild", "member"], name="guildmember_unique_membership"),
        ]
        indexes = [models.Index(fields=["guild", "left_at"])]

    def __str__(self) -> str:
        return f"{self.member} in {self.guild}"


class Heartbeat(models.Model):
    """The last time a periodic process proved it was alive (beat, for /healthz)."""

    name = models.CharField(max_length=50, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.seen_at:%Y-%m-%d %H:%M:%S}"
