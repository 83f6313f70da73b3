"""May I nudge this member now? The one rule every unsolicited DM asks.

A nudge is a DM the member did not ask for at that moment: an event's "you have not
answered" nudge, carpool's "you have no ride yet", Jira's reminders and digests. (A
reminder of an event the member registered for answers their own click, so it is not a
nudge.) Every sender asks ``may_nudge`` for one member or ``nudgeable`` for many (a beat
tick: one query per rule, whatever the number of members), so a rule added here applies to
all of them at once.

Today's rules (``BUILT_IN``):

- the member is in the guild now (a membership not left);
- they did not turn off DMs from Muster (``Member.dm_reminders``);
- Discord did not refuse a DM to them lately (``Member.dms_closed_at``, within
  ``DMS_CLOSED_FOR``: members reopen their DMs, and a DM that arrives clears the mark).

Other apps add rules without core importing them (approved leave, say)::

    # desk/apps.py
    def ready(self):
        nudging.register(leave.on_leave)

A rule takes the (guild id, member id) pairs asked about and the moment, and returns the
pairs it refuses; a pair is nudgeable when no rule refuses it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.db.models import Q

from core.models import GuildMember, Member

Pair = tuple[int, int]  # (guild id, member id)
Rule = Callable[[frozenset[Pair], datetime], set[Pair]]

# Discord refused a DM because the member's DMs are closed: no nudges for this long after.
DMS_CLOSED_FOR = timedelta(days=30)

_rules: list[Rule] = []


def register(rule: Rule) -> Rule:
    """Add a rule (once; registering it again does nothing). Usable as a decorator."""
    if rule not in _rules:
        _rules.append(rule)
    return rule


def unregister(rule: Rule) -> None:
    """Take a rule away again (a test's rule, say)."""
    if rule in _rules:
        _rules.remove(rule)


def nudgeable(pairs: Iterable[Pair], *, at: datetime) -> set[Pair]:
    """The (guild id, member id) pairs that may be nudged at ``at``: one query per rule."""
    asked = frozenset((int(guild_id), int(member_id)) for guild_id, member_id in pairs)
    allowed = set(asked)
    for rule in [*BUILT_IN, *_rules]:
        if not allowed:
            break
        allowed -= rule(frozenset(allowed), at)
    return allowed


def nudgeable_members(guild_id: int, member_ids: Iterable[int], *, at: datetime) -> set[int]:
    """``nudgeable`` for the members of one guild: the ids that may be nudged."""
    return {member_id for _, member_id in nudgeable(((guild_id, m) for m in member_ids), at=at)}


def may_nudge(guild_id: int, member_id: int, *, at: datetime) -> bool:
    """Whether ``member_id`` may get an unsolicited DM about ``guild_id`` at ``at``."""
    return bool(nudgeable([(guild_id, member_id)], at=at))


def _not_in_guild(pairs: frozenset[Pair], at: datetime) -> set[Pair]:
    guilds, members = {g for g, _ in pairs}, {m for _, m in pairs}
    current = GuildMember.objects.filter(guild_id__in=guilds, member_id__in=members, left_at__isnull=True)
    return pairs - set(current.values_list("guild_id", "member_id"))


def _dms_refused(pairs: frozenset[Pair], at: datetime) -> set[Pair]:
    members = {m for _, m in pairs}
    closed = Q(dm_reminders=False) | Q(dms_closed_at__gt=at - DMS_CLOSED_FOR)
    refused = set(Member.objects.filter(closed, id__in=members).values_list("id", flat=True))
    return {pair for pair in pairs if pair[1] in refused}


BUILT_IN: tuple[Rule, ...] = (_not_in_guild, _dms_refused)
