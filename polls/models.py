"""Polls, their options and the votes cast on them.

A vote is stored against a ``voter`` key rather than only a member: the member id for an
open poll, a keyed hash for an anonymous one, so the database itself cannot say who
voted for what in an anonymous poll while still enforcing one vote per member.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.utils.timezone import now

from core.models import Guild, Member
from core.personal_data import ANONYMOUS_VOTER_PREFIX


@dataclass(frozen=True)
class Tally:
    option_id: int
    position: int
    label: str
    votes: int
    starts_at: datetime | None = None  # a date poll's candidate time


class Poll(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    class Kind(models.TextChoices):
        QUESTION = "question", "Question"
        DATES = "dates", "Date poll"

    guild = models.ForeignKey(Guild, on_delete=models.CASCADE, related_name="polls")
    question = models.CharField(max_length=200)
    multiple_choice = models.BooleanField(default=False)
    anonymous = models.BooleanField(default=False, help_text="Nobody, organisers included, sees who voted.")
    closes_at = models.DateTimeField(null=True, blank=True, help_text="Blank: closed by hand.")
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    channel_id = models.BigIntegerField(null=True, blank=True)
    message_id = models.BigIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="created_polls"
    )
    created_at = models.DateTimeField(default=now)
    # A date poll: its options are candidate times; deciding it (an organiser's pick, or the
    # most votes when it closes) creates the event through core.hooks.date_poll_decided.
    # ``event`` is the unique link to what was created: a poll makes at most one event.
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.QUESTION)
    event_duration = models.DurationField(null=True, blank=True, help_text="A date poll's event length.")
    event_capacity = models.PositiveIntegerField(null=True, blank=True, help_text="A date poll's event capacity.")
    event_location = models.CharField(max_length=200, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True, help_text="When a date poll's date was chosen.")
    decided_option = models.ForeignKey(
        "Option", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", help_text="The chosen date."
    )
    event = models.OneToOneField(
        "events.Event", on_delete=models.SET_NULL, null=True, blank=True, related_name="date_poll"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["closes_at"], condition=Q(status="open"), name="poll_open_closes_at")]

    def __str__(self) -> str:
        return self.question

    def tally(self) -> list[Tally]:
        """Votes per option, in option order (one query)."""
        options = self.options.order_by("position").annotate(n=Count("votes"))
        return [Tally(option.id, option.position, option.label, option.n, option.starts_at) for option in options]

    def voters(self, *, per_option: int = 20) -> dict[int, list[int]]:
        """The first member ids per option position, in voting order; anonymous polls have none."""
        if self.anonymous:
            return {}
        order = [F("cast_at"), F("id")]
        named = self.votes.exclude(voter__startswith=ANONYMOUS_VOTER_PREFIX)  # forgotten members' votes
        ranked = named.annotate(rank=Window(RowNumber(), partition_by=[F("option_id")], order_by=order))
        rows = ranked.filter(rank__lte=per_option).order_by("option__position", "rank")
        result: dict[int, list[int]] = {}
        for position, voter in rows.values_list("option__position", "voter"):
            result.setdefault(position, []).append(int(voter))
        return result


class Option(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=80)
    starts_at = models.DateTimeField(null=True, blank=True, help_text="A date poll's candidate time.")

    class Meta:
        ordering = ["poll", "position"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "position"], name="option_unique_position"),
        ]

    def __str__(self) -> str:
        return self.label


class Vote(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes")
    option = models.ForeignKey(Option, on_delete=models.CASCADE, related_name="votes")
    voter = models.CharField(max_length=64, help_text="Member id, or a keyed hash in anonymous polls.")
    # Copied from the poll so the database can hold single-choice polls to one vote.
    single_choice = models.BooleanField()
    # In an anonymous poll: the poll's opening, never the moment of the vote (services.vote_time).
    cast_at = models.DateTimeField(default=now, help_text="When cast; an anonymous poll's opening for its votes.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "option", "voter"], name="vote_once_per_option"),
            models.UniqueConstraint(
                fields=["poll", "voter"], condition=Q(single_choice=True), name="vote_once_per_single_poll"
            ),
        ]
        indexes = [models.Index(fields=["option"])]

    def __str__(self) -> str:
        return f"vote on {self.option_id}"
