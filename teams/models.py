"""Teams: an event's going members split into teams, each with an optional role, thread or
text channel, and voice channel in Discord that follow its members.

A member is in at most one team of an event (``TeamMember``'s unique event and member).
"""

from __future__ import annotations

from django.db import models

from core.models import Guild, Member


class Team(models.Model):
    """One team of one event."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="teams")
    guild = models.ForeignKey(Guild, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=80)
    position = models.PositiveSmallIntegerField(default=0, help_text="The team's place in lists.")
    captain = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", help_text="A member of the team."
    )
    role_id = models.BigIntegerField(null=True, blank=True, unique=True, help_text="The team's role, once made.")
    thread_id = models.BigIntegerField(
        null=True, blank=True, unique=True, help_text="The team's private thread or text channel, once made."
    )
    voice_channel_id = models.BigIntegerField(
        null=True, blank=True, unique=True, help_text="The team's voice channel, once made."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("event", "position", "id")
        constraints = [models.UniqueConstraint(fields=("event", "name"), name="team_name_once_per_event")]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    """A member's place in a team; ``event`` repeats the team's so one member is in one team per event."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="team_memberships")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("team", "added_at", "id")
        constraints = [models.UniqueConstraint(fields=("event", "member"), name="one_team_per_member_per_event")]

    def __str__(self) -> str:
        return f"{self.member_id} in {self.team_id}"
