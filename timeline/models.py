"""The event-day timeline: items at times of an event (stints, rounds, talks, departures).

An ``Item`` is at an offset from the event's start (``offset``, so it follows the event when
it moves) or at an absolute time; ``due_at`` is always the moment it starts, kept current by
the services (an edit, ``/timeline shift``, the event moving). Its alert goes to the members
named (``people``) and the team's members by DM, and/or as a post in the event's thread or
the team's thread.

Exactly once per time: ``alerted_for`` is the ``due_at`` whose alert was sent, claimed with
a compare-and-set UPDATE (``alerted_for`` distinct from ``due_at`` -> ``due_at``), and the
outbox keys name the item and that time. An item moved after its alert has a new
``due_at``: it re-arms, and is alerted once more at its new time. ``prealerted_for`` does
the same for the "starts in N minutes" pre-alert (``prealert_at`` = ``due_at`` - N).
"""

from __future__ import annotations

from django.db import models
from django.utils.timezone import now


class Item(models.Model):
    class Post(models.TextChoices):
        NONE = "", "No post"
        EVENT = "event", "In the event's thread"
        TEAM = "team", "In the team's thread"

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="timeline_items")
    guild = models.ForeignKey("core.Guild", on_delete=models.CASCADE, related_name="timeline_items")
    title = models.CharField(max_length=100)
    message = models.TextField(max_length=1000, blank=True, help_text="Said in the alert.")
    offset = models.DurationField(null=True, blank=True, help_text="From the event's start; blank: at due_at.")
    due_at = models.DateTimeField(help_text="When it starts (the event's start plus the offset, or as given).")
    people = models.ManyToManyField("core.Member", blank=True, related_name="timeline_items")
    team = models.ForeignKey(
        "teams.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="timeline_items"
    )
    dm = models.BooleanField(default=True, help_text="DM the members named and the team's members.")
    post_in = models.CharField(max_length=8, choices=Post.choices, default=Post.NONE, blank=True)
    prealert = models.DurationField(null=True, blank=True, help_text='A "starts in …" alert this long before.')
    prealert_at = models.DateTimeField(null=True, blank=True, editable=False)
    alerted_for = models.DateTimeField(null=True, blank=True, editable=False, help_text="The time alerted.")
    prealerted_for = models.DateTimeField(null=True, blank=True, editable=False)
    claim = models.CharField(max_length=32, blank=True, editable=False, help_text="The tick that claimed it last.")
    dms_opened_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When its members' DM channels were asked to be opened ahead."
    )
    created_by = models.ForeignKey(
        "core.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="timeline_items_created"
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["event", "due_at", "id"]
        indexes = [models.Index(fields=["due_at"]), models.Index(fields=["prealert_at"])]

    def __str__(self) -> str:
        return self.title


class Shift(models.Model):
    """One ``/timeline shift``: the items after ``at`` moved by ``minutes``; names the notices' keys."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="timeline_shifts")
    guild = models.ForeignKey("core.Guild", on_delete=models.CASCADE, related_name="timeline_shifts")
    minutes = models.IntegerField()
    at = models.DateTimeField()
    moved = models.PositiveIntegerField(default=0)
    by = models.ForeignKey("core.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.minutes:+d} min at {self.at:%Y-%m-%d %H:%M}"
