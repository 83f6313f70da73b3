"""The polls app's holdings of a member's data (core.personal_data).

A vote in an open poll is withdrawn (the member may vote again, and must not count twice);
a vote in a closed poll keeps the result: it stays counted, its voter replaced by a random
stand-in. Votes in anonymous polls are found by their keyed hash (``voter_key``), in the
polls of the member's guilds; only non-anonymous votes are listed and exported, as nobody
sees who voted in an anonymous poll.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime

from django.db.models import Q

from core.errors import RuleError
from core.personal_data import UNLINK, Holding, anonymous_voter, register
from polls import services
from polls.models import Poll, Vote


def named_votes(member_id: int):
    return Vote.objects.filter(voter=str(member_id), poll__anonymous=False)


def forget_votes(member_id: int, now: datetime) -> int:
    keys = Q(voter=str(member_id), poll__anonymous=False)
    anonymous = Poll.objects.filter(anonymous=True, guild__memberships__member_id=member_id).distinct()
    for poll in anonymous:
        keys |= Q(poll=poll, voter=services.voter_key(poll, member_id))
    votes = Vote.objects.filter(keys)
    changed = 0
    is_open = Q(poll__status=Poll.Status.OPEN) & (Q(poll__closes_at__isnull=True) | Q(poll__closes_at__gt=now))
    for poll_id in set(votes.filter(is_open).values_list("poll_id", flat=True)):
        with suppress(RuleError):  # closed meanwhile: re-keyed below
            changed += services.withdraw(poll_id, member_id, now=now)
    for vote_id in votes.values_list("id", flat=True):
        changed += Vote.objects.filter(id=vote_id).update(voter=anonymous_voter())
    return changed


register(Holding("polls.Vote", "Votes in polls that show voters", ("voter",), forget=forget_votes, rows=named_votes))
register(Holding("polls.Poll", "Polls you created", ("created_by",), forget=UNLINK))
