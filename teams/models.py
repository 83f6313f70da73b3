"""Teams: an event's going members split into teams, each with an optional role, thread or
text channel, and voice channel in Discord that follow its members.

A member is in at most one team of an event (``TeamMember``'s unique event and member).
"""

from __future__ import annotations

from datetime import timedelta

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
    renamed = models.BooleanField(default=False, help_text="Its role and channels take the new name at the next sync.")
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
    told_at = models.DateTimeField(null=True, blank=True, help_text="When the member was DMed this team.")

    class Meta:
        ordering = ("team", "added_at", "id")
        constraints = [models.UniqueConstraint(fields=("event", "member"), name="one_team_per_member_per_event")]

    def __str__(self) -> str:
        return f"{self.member_id} in {self.team_id}"


class RoomKind(models.TextChoices):
    NONE = "none", "No thread or channel"
    THREAD = "thread", "A private thread under the event's channel"
    CHANNEL = "channel", "A private text channel"


DEFAULT_CLEANUP = timedelta(days=2)


class TeamSpaces(models.Model):
    """What an event's teams get in Discord, and the state of their sync (one row per event with teams).

    Written when the event's first team is made (nothing in Discord by default). The sync of
    one event runs one at a time: ``sync_claimed_at`` is its compare-and-set claim, ``resync``
    asks the holder for another pass. ``problem`` is what stopped it (a missing permission),
    told once to ``requested_by`` per new problem (``problems`` names the outbox key).
    """

    event = models.OneToOneField("events.Event", on_delete=models.CASCADE, primary_key=True, related_name="team_spaces")
    guild = models.ForeignKey(Guild, on_delete=models.CASCADE, related_name="+")
    role = models.BooleanField(default=False, help_text="Each team gets a pingable role named after it.")
    room = models.CharField(max_length=10, choices=RoomKind.choices, default=RoomKind.NONE)
    voice = models.BooleanField(default=False, help_text="Each team gets a private voice channel.")
    category_id = models.BigIntegerField(null=True, blank=True, help_text="The teams' channels' category.")
    cleanup_after = models.DurationField(
        default=DEFAULT_CLEANUP, help_text="After the event's end; a warning is posted a day before."
    )
    requested_by = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", help_text="Told of problems."
    )
    warned_at = models.DateTimeField(null=True, blank=True, help_text="When the day-before warning was written.")
    closed_at = models.DateTimeField(null=True, blank=True, help_text="When everything was cleaned up.")
    problem = models.CharField(max_length=300, blank=True, help_text="Why it is stuck, for organisers.")
    problem_at = models.DateTimeField(null=True, blank=True)
    problems = models.PositiveIntegerField(default=0, help_text="Problems reported so far (each told once).")
    synced_at = models.DateTimeField(null=True, blank=True)
    sync_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    resync = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name_plural = "team spaces"

    def __str__(self) -> str:
        return f"Teams of event {self.event_id}"

    @property
    def wanted(self) -> bool:
        return self.role or self.voice or self.room != RoomKind.NONE


class TeamCreating(models.Model):
    """A create Muster asked Discord for and has not heard back from: adopted by name, never made twice."""

    class Kind(models.TextChoices):
        ROLE = "role"
        ROOM = "room"
        VOICE = "voice"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    since = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=("team", "kind"), name="team_create_once")]

    def __str__(self) -> str:
        return f"{self.kind} of {self.team_id}"


class TeamPlace(models.Model):
    """A member let into a team's role, room or voice channel, written once Discord said yes."""

    class Place(models.TextChoices):
        ROLE = "role"
        ROOM = "room"
        VOICE = "voice"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="places")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    place = models.CharField(max_length=8, choices=Place.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=("team", "member", "place"), name="team_place_once")]

    def __str__(self) -> str:
        return f"{self.member_id} in {self.place} of {self.team_id}"


class TeamLeftover(models.Model):
    """Something a deleted team (or a renamed space) left in Discord, for the sync to delete."""

    class Kind(models.TextChoices):
        ROLE = "role"
        CHANNEL = "channel"

    spaces = models.ForeignKey(TeamSpaces, on_delete=models.CASCADE, related_name="leftovers")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    role_or_channel_id = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=("kind", "role_or_channel_id"), name="team_leftover_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.role_or_channel_id}"


class Preference(models.Model):
    """What a member tells organisers for balancing teams (``/team preference``), per guild."""

    guild = models.ForeignKey(Guild, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="team_preferences")
    skill = models.PositiveSmallIntegerField(null=True, blank=True, help_text="A rating, 0 to 10000.")
    role = models.CharField(max_length=40, blank=True, help_text="A preferred role (driver, support...).")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=("guild", "member"), name="team_preference_once")]

    def __str__(self) -> str:
        return f"{self.member_id} in {self.guild_id}"
