"""Results of events, the seasons they count towards, and check-in.

An event has at most one ``ResultSheet`` (what the organisers posted, with its message in
the event's channel) holding ``ResultEntry`` rows: a position (ties share one), a team of
the event, a member or a free name, points and a note. A ``Season`` is named by the
organisers, or follows an event series; standings sum the points of its sheets.

Check-in is used on an event once an organiser turns it on (a ``CheckInWindow``); each
going member checks in at most once (``CheckIn``'s unique event and member).
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower
from django.utils.timezone import now

from core.models import Guild, Member

NAME_MAX = 80
NOTE_MAX = 200
POINTS_MIN, POINTS_MAX = -100_000, 100_000


class TieBreak(models.TextChoices):
    """How members or teams level on points are told apart, in the order the season lists them."""

    WINS = "wins", "Most wins"
    BEST = "best", "Best single result (most points in one event)"
    HEAD_TO_HEAD = "h2h", "Head-to-head (finished ahead of the others more often)"


DEFAULT_TIE_BREAKS = [TieBreak.WINS.value, TieBreak.BEST.value]


class Season(models.Model):
    """Events counted together: those tagged with the season's name, or the occurrences of a series."""

    guild = models.ForeignKey(Guild, on_delete=models.CASCADE, related_name="seasons")
    name = models.CharField(max_length=NAME_MAX)
    series = models.OneToOneField(
        "events.Series",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="season",
        help_text="Results of this series' events count towards this season unless another is named.",
    )
    tie_breaks = models.JSONField(
        default=list, blank=True, help_text="In order: wins, best, h2h. Still level after them: a shared place."
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("guild", "name")
        constraints = [models.UniqueConstraint(Lower("name"), "guild", name="season_name_once_per_guild")]

    def __str__(self) -> str:
        return self.name

    def tie_break_labels(self) -> list[str]:
        return [TieBreak(value).label for value in self.tie_breaks if value in TieBreak.values]


class ResultSheet(models.Model):
    """An event's results, and where they are shown; ``version`` grows when they move to another channel."""

    event = models.OneToOneField("events.Event", on_delete=models.CASCADE, related_name="result_sheet")
    guild = models.ForeignKey(Guild, on_delete=models.CASCADE, related_name="result_sheets")
    season = models.ForeignKey(Season, on_delete=models.SET_NULL, null=True, blank=True, related_name="sheets")
    channel_id = models.BigIntegerField(help_text="Where the results are posted.")
    message_id = models.BigIntegerField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    posted_by = models.ForeignKey(Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "id")

    def __str__(self) -> str:
        return f"Results of {self.event}"

    @property
    def post_key(self) -> str:
        return f"results:sheet:{self.id}:post:{self.version}"


class ResultEntry(models.Model):
    """One line of an event's results: a team of the event, a member, or a free name."""

    sheet = models.ForeignKey(ResultSheet, on_delete=models.CASCADE, related_name="entries")
    position = models.PositiveSmallIntegerField()
    team = models.ForeignKey("teams.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    name = models.CharField(max_length=NAME_MAX, help_text="As shown: the team's or member's name, or a free name.")
    points = models.IntegerField(default=0)
    note = models.CharField(max_length=NOTE_MAX, blank=True)

    class Meta:
        ordering = ("sheet", "position", "id")
        verbose_name_plural = "result entries"

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"


class CheckInWindow(models.Model):
    """Check-in is used on this event; ``*_drawn_at``: the post was redrawn as the window opened, closed."""

    event = models.OneToOneField("events.Event", on_delete=models.CASCADE, related_name="check_in_window")
    guild = models.ForeignKey(Guild, on_delete=models.CASCADE, related_name="+")
    enabled_by = models.ForeignKey(Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    opened_drawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_drawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=now)

    class Meta:
        indexes = [models.Index(fields=["closed_drawn_at"], name="checkin_window_live")]

    def __str__(self) -> str:
        return f"Check-in of {self.event}"


class CheckIn(models.Model):
    """A member checked in to an event (once)."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="check_ins")
    guild = models.ForeignKey(Guild, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="check_ins")
    checked_in_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ("event", "checked_in_at", "id")
        constraints = [models.UniqueConstraint(fields=("event", "member"), name="check_in_once_per_member")]

    def __str__(self) -> str:
        return f"{self.member_id} at {self.event_id}"
