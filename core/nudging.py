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

Other apps add rules without core importing them (quiet hours of their own, say)::

    # someapp/apps.py
    def ready(self):
        nudging.register(rules.in_quiet_hours)

A rule takes the (guild id, member id) pairs asked about and the moment, and returns the
pairs it refuses; a pair is nudgeable when no rule refuses it.

Away (leave, a public holiday) is a rule with a reason people read, and with a memory
(``leave/apps.py``: ``nudging.register_away(leave.away)``):

- ``register_away(provider)``: a provider takes the pairs and the moment and returns
  ``{pair: reason}`` for those away ("on leave until Friday 12 December"). Every pair a
  provider names is refused by ``nudgeable``/``may_nudge`` too; ``away(pairs, at=...)``
  gives the reasons (one query per provider), for a digest that shows who is on leave.
- ``hold(...)``: a sender refused for a member who is away records what it held back, once
  per key (``core.models.HeldNudge``); ``register_held_kind(kind, singular, plural)`` gives
  each kind its phrases. On the member's first day back, ``core.away_summary`` sends them
  one DM: "While you were away: 3 Jira issues became due and an event asked for your
  answer", with the held lines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q

from core.models import GuildMember, HeldNudge, Member

Pair = tuple[int, int]  # (guild id, member id)
Rule = Callable[[frozenset[Pair], datetime], set[Pair]]
Away = Callable[[frozenset[Pair], datetime], dict[Pair, str]]

# Discord refused a DM because the member's DMs are closed: no nudges for this long after.
DMS_CLOSED_FOR = timedelta(days=30)

_rules: list[Rule] = []
_away: list[Away] = []
# kind -> (singular, plural with "{n}"), for the "While you were away" summary.
_held_kinds: dict[str, tuple[str, str]] = {}
TEXT_LENGTH = 150  # a held line, cut to this (the summary shows ten of them in one DM)


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
    for rule in [*BUILT_IN, *_rules, *([_is_away] if _away else [])]:
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


# Away: leave, public holidays (providers other apps register).


def register_away(provider: Away) -> Away:
    """Add a provider of who is away at a moment, with a short reason people read ("on leave
    until Friday 12 December", "on a public holiday: Christmas Day"). Every pair it names is
    also refused by ``nudgeable``/``may_nudge``. Once; usable as a decorator."""
    if provider not in _away:
        _away.append(provider)
    return provider


def unregister_away(provider: Away) -> None:
    """Take a provider away again (a test's, say)."""
    if provider in _away:
        _away.remove(provider)


def away(pairs: Iterable[Pair], *, at: datetime) -> dict[Pair, str]:
    """The pairs away at ``at``, each with its reason (one query per provider; the first
    provider naming a pair gives its reason)."""
    asked = frozenset((int(guild_id), int(member_id)) for guild_id, member_id in pairs)
    found: dict[Pair, str] = {}
    for provider in list(_away):
        left = asked - found.keys()
        if not left:
            break
        for pair, reason in provider(frozenset(left), at).items():
            if pair in left:
                found[pair] = reason
    return found


def _is_away(pairs: frozenset[Pair], at: datetime) -> set[Pair]:
    return set(away(pairs, at=at))


def register_held_kind(kind: str, singular: str, plural: str) -> None:
    """Name what a sender holds, for the summary: ``register_held_kind("jira_due", "a Jira
    issue became due", "{n} Jira issues became due")``. Registering it again with the same
    phrases does nothing; other phrases for a kind already taken are a programming error."""
    if "{n}" not in plural:
        raise ValueError(f"the plural of {kind} must hold {{n}}: {plural!r}")
    if _held_kinds.get(kind, (singular, plural)) != (singular, plural):
        raise ValueError(f"the held kind {kind} is registered twice with other phrases")
    _held_kinds[kind] = (singular, plural)


def held_phrase(kind: str, n: int) -> str:
    """ "a Jira issue became due", "3 Jira issues became due" (a kind no longer registered: its name)."""
    singular, plural = _held_kinds.get(kind, (f"1 {kind}", f"{{n}} {kind}"))
    return singular if n == 1 else plural.format(n=n)


@dataclass(frozen=True)
class Held:
    """One thing a sender holds back: ``hold``'s arguments, for ``hold_many``."""

    guild_id: int
    member_id: int
    kind: str
    key: str
    text: str


def hold(guild_id: int, member_id: int, *, at: datetime, kind: str, key: str, text: str) -> bool:
    """A sender refused because the member is away records what it held back: once per
    ``key`` (a unique constraint, per member and guild, until the summary took it: a later
    absence may hold the same key again), and only if ``away()`` names the
    member at ``at``. True when it is held (now or before), False when they are not away
    (nothing is written). ``kind`` is one registered with ``register_held_kind``; ``text``
    is one line for the summary ("Picnic on Saturday 13 December asked for your answer")."""
    return bool(hold_many([Held(guild_id, member_id, kind, key, text)], at=at))


def hold_many(items: Iterable[Held], *, at: datetime) -> int:
    """``hold`` for many (a beat tick's): one ``away`` call and one insert; returns how many
    of ``items`` are held (new or already recorded)."""
    items = list(items)
    for item in items:
        if item.kind not in _held_kinds:
            raise ValueError(f"{item.kind} is not a held kind: register it with register_held_kind")
    if not items:
        return 0
    gone = away({(item.guild_id, item.member_id) for item in items}, at=at)
    held = [item for item in items if (int(item.guild_id), int(item.member_id)) in gone]
    once: dict[tuple[int, int, str], Held] = {}
    for item in held:  # the same key twice in one call (two nudge times of one event) is one row
        once.setdefault((int(item.guild_id), int(item.member_id), item.key[:200]), item)
    rows = [
        HeldNudge(
            guild_id=item.guild_id,
            member_id=item.member_id,
            kind=item.kind,
            key=item.key[:200],
            text=_one_line(item.text),
            held_at=at,
        )
        for item in once.values()
    ]
    HeldNudge.objects.bulk_create(rows, ignore_conflicts=True)
    return len(held)


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= TEXT_LENGTH else line[: TEXT_LENGTH - 1].rstrip() + "…"
