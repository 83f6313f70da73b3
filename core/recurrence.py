"""Repetitions on the wall clock: what scheduled messages and event series share.

A repetition is a python-dateutil ``rrule`` run over *naive local* times from a local
start; each time is placed in the zone afterwards (``placed``), so an 18:00 weekly event
stays at 18:00 across DST. A time the clocks skip that day (02:30 when they jump from
02:00 to 03:00) lands at the same offset after the jump (03:30); a time that happens
twice takes the first.

``parse_rule`` reads what an organiser types ("every 2 weeks on tue,thu until
2027-06-30", "monthly on the last friday for 10 times") into a ``Rule``; ``Rule.rrule_text``
is the RFC 5545 RRULE stored with it, which ``expand`` reads back.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import takewhile
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from core.errors import RuleError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
RRULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
ORDINALS = {"1st": 1, "first": 1, "2nd": 2, "second": 2, "3rd": 3, "third": 3, "4th": 4, "fourth": 4, "last": -1}
FREQUENCIES = ("daily", "weekly", "monthly")
UNITS = {"day": "daily", "days": "daily", "week": "weekly", "weeks": "weekly", "month": "monthly", "months": "monthly"}
MAX_COUNT = 500
MAX_INTERVAL = 52
RULE_HELP = (
    'Write e.g. "weekly on tue,thu", "every 2 weeks on mon", "monthly on the 15th", '
    '"monthly on the last fri", optionally ending "until 2027-06-30" or "for 10 times".'
)


def weekday_index(word: str) -> int:
    """ "thu" or "thursday" -> 3; ``RuleError`` for anything else."""
    index = next((i for i, name in enumerate(WEEKDAYS) if word.startswith(name)), None)
    if index is None or not WEEKDAYS[index].startswith(word[:3]) or len(word) < 3:
        raise RuleError(f"{word!r} is not a day of the week (mon, tue, wed, thu, fri, sat, sun).")
    return index


def is_weekday(word: str) -> bool:
    try:
        weekday_index(word)
    except RuleError:
        return False
    return True


def placed(local: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time in ``zone`` as a UTC instant: skipped times move past the gap, repeated take the first."""
    return local.replace(tzinfo=zone).astimezone(UTC)


def local_of(moment: datetime, zone: ZoneInfo) -> datetime:
    """An aware instant as the naive wall-clock time ``rrule`` runs over."""
    return moment.astimezone(zone).replace(tzinfo=None)


def instants_after(rule: rrule, zone: ZoneInfo, after: datetime) -> Iterator[datetime]:
    """The rule's times strictly after ``after``, as increasing UTC instants."""
    last = None
    # Start a day early in wall-clock time (a naive comparison near a DST change could miss one).
    for local in rule.xafter(local_of(after, zone) - timedelta(days=1), inc=True):
        moment = placed(local, zone)
        if moment > after and (last is None or moment > last):
            last = moment
            yield moment


@dataclass(frozen=True)
class Rule:
    """A repetition as typed: frequency, every how many, which days, and its end."""

    freq: str  # "daily", "weekly" or "monthly"
    interval: int = 1
    weekdays: tuple[int, ...] = ()  # weekly: the days; monthly with month_week: the one day
    month_day: int | None = None  # monthly on the 15th
    month_week: int | None = None  # 1 to 4, or -1 for the last
    until: date | None = None  # the last day (inclusive) in the series' zone
    count: int | None = None

    def rrule_text(self) -> str:
        """The RFC 5545 RRULE, e.g. "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;UNTIL=20270630T235959"."""
        parts = [f"FREQ={self.freq.upper()}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.month_week is not None:
            parts.append(f"BYDAY={self.month_week}{RRULE_DAYS[self.weekdays[0]]}")
        elif self.weekdays:
            parts.append("BYDAY=" + ",".join(RRULE_DAYS[d] for d in self.weekdays))
        if self.month_day is not None:
            parts.append(f"BYMONTHDAY={self.month_day}")
        if self.until is not None:
            parts.append(f"UNTIL={datetime.combine(self.until, time(23, 59, 59)):%Y%m%dT%H%M%S}")
        if self.count is not None:
            parts.append(f"COUNT={self.count}")
        return ";".join(parts)

    def describe(self) -> str:
        """How the rule reads back: "every 2 weeks on tue, thu until 2027-06-30"."""
        unit = {"daily": "day", "weekly": "week", "monthly": "month"}[self.freq]
        text = self.freq if self.interval == 1 else f"every {self.interval} {unit}s"
        if self.month_week is not None:
            ordinal = next(k for k, v in ORDINALS.items() if v == self.month_week)
            text += f" on the {ordinal} {WEEKDAYS[self.weekdays[0]]}"
        elif self.weekdays:
            text += " on " + ", ".join(WEEKDAYS[d] for d in self.weekdays)
        if self.month_day is not None:
            text += f" on the {_ordinal(self.month_day)}"
        if self.until is not None:
            text += f" until {self.until.isoformat()}"
        if self.count is not None:
            text += f" for {self.count} times"
        return text


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def parse_rule(text: str | None) -> Rule:
    """What an organiser typed as a ``Rule``; ``RuleError`` naming the words not understood."""
    original = (text or "").strip()
    words = [w for w in re.sub(r"[,;]", " ", original.lower()).split() if w not in ("on", "the", "and", "of")]
    if not words:
        raise RuleError(f"Say how the event repeats. {RULE_HELP}")
    words, until, count = _end(words, original)
    freq, interval, words = _frequency(words, original)
    weekdays, month_day, month_week = (), None, None
    if freq == "weekly":
        weekdays = tuple(sorted({_day_or_refuse(w, original) for w in words}))
    elif freq == "monthly" and words:
        if len(words) == 2 and words[0] in ORDINALS and is_weekday(words[1]):
            weekdays, month_week = (weekday_index(words[1]),), ORDINALS[words[0]]
        elif len(words) == 1 and re.fullmatch(r"([1-9]|[12]\d|3[01])(st|nd|rd|th)?", words[0]):
            month_day = int(re.match(r"\d+", words[0]).group())
        else:
            raise _not_understood(" ".join(words), original)
    elif words:
        raise _not_understood(" ".join(words), original)
    return Rule(freq, interval, weekdays, month_day, month_week, until, count)


def _end(words: list[str], original: str) -> tuple[list[str], date | None, int | None]:
    """Take "until <date>", "for N times", "count N" or "N times" off the end."""
    until = count = None
    if "until" in words:
        at = words.index("until")
        if len(words) != at + 2:
            raise RuleError(f'"until" takes one date, e.g. "until 2027-06-30" (in {original!r}).')
        try:
            until = date.fromisoformat(words[at + 1])
        except ValueError:
            raise RuleError(f"{words[at + 1]!r} is not a date; write it as 2027-06-30.") from None
        words = words[:at]
    tail = " ".join(words)
    found = re.search(r"(?:^| )(?:for )?(\d+) (?:times|occurrences)$|(?:^| )count (\d+)$", tail)
    if found:
        count = int(found.group(1) or found.group(2))
        words = tail[: found.start()].split()
        if not 1 <= count <= MAX_COUNT:
            raise RuleError(f"A series has between 1 and {MAX_COUNT} occurrences; {count} is not.")
    if until is not None and count is not None:
        raise RuleError("Give an end date or a number of times, not both.")
    return words, until, count


def _frequency(words: list[str], original: str) -> tuple[str, int, list[str]]:
    head, rest = words[0], words[1:]
    if head in FREQUENCIES:
        return head, 1, rest
    if head == "every" and rest and rest[0] in UNITS:
        return UNITS[rest[0]], 1, rest[1:]
    if head == "every" and len(rest) >= 2 and rest[0].isdigit() and rest[1] in UNITS:
        interval = int(rest[0])
        if not 1 <= interval <= MAX_INTERVAL:
            raise RuleError(f"Repeat every 1 to {MAX_INTERVAL} {rest[1]}; {interval} is not.")
        return UNITS[rest[1]], interval, rest[2:]
    if head == "every" and rest and is_weekday(rest[0]):
        return "weekly", 1, rest
    raise _not_understood(head if head != "every" else " ".join(words[:2]), original)


def _day_or_refuse(word: str, original: str) -> int:
    if not is_weekday(word):
        raise _not_understood(word, original)
    return weekday_index(word)


def _not_understood(part: str, original: str) -> RuleError:
    return RuleError(f"I did not understand {part!r} in {original!r}. {RULE_HELP}")


def compile_rule(rrule_text: str, first_start: datetime, zone: ZoneInfo) -> rrule:
    """The stored RRULE over naive local times from ``first_start``'s wall clock."""
    return rrulestr(rrule_text, dtstart=local_of(first_start, zone))


def expand(rrule_text: str, first_start: datetime, zone: ZoneInfo, *, after: datetime, until: datetime) -> list:
    """The series' starts in (``after``, ``until``] as UTC instants, DST-correct."""
    found = []
    for moment in instants_after(compile_rule(rrule_text, first_start, zone), zone, after):
        if moment > until:
            break
        found.append(moment)
    return found


def occurs_after(rrule_text: str, first_start: datetime, zone: ZoneInfo, moment: datetime) -> bool:
    """Whether the series has any start after ``moment`` (False: it has run out)."""
    return next(instants_after(compile_rule(rrule_text, first_start, zone), zone, moment), None) is not None


def count_before(rrule_text: str, first_start: datetime, zone: ZoneInfo, moment: datetime) -> int:
    """How many of the series' starts come before ``moment`` (for a split of a counted series)."""
    rule = compile_rule(rrule_text, first_start, zone)
    starts = instants_after(rule, zone, first_start - timedelta(microseconds=1))
    # Stop at the first start at or after ``moment``: a series without an end never runs out.
    return sum(1 for _ in takewhile(lambda start: start < moment, starts))


def with_end(rrule_text: str, *, until_local: datetime | None = None, count: int | None = None) -> str:
    """The RRULE with its end replaced: UNTIL a naive local time, or COUNT."""
    parts = [p for p in rrule_text.split(";") if not p.startswith(("UNTIL=", "COUNT="))]
    if until_local is not None:
        parts.append(f"UNTIL={until_local:%Y%m%dT%H%M%S}")
    if count is not None:
        parts.append(f"COUNT={count}")
    return ";".join(parts)


def end_count(rrule_text: str) -> int | None:
    found = re.search(r"(?:^|;)COUNT=(\d+)", rrule_text)
    return int(found.group(1)) if found else None
