"""Reading the times members type: event and poll forms, options of slash commands.

Times are wall-clock times in the member's zone (else the guild's). A time that does not
exist (clocks jumped forward over it), happens twice (clocks went back) or is already
past is refused with a message that says what was understood, so the member can fix it.

A small grammar, rather than a general parser that would guess:

- a date and a time of day, in either order: ``2026-06-01 18:30``, ``2026-06-01T18:30``,
  ``01.06.2026 18:30``, ``today 18:30``, ``tomorrow at noon``, ``friday 19:00``,
  ``next friday 7pm``, ``dec 5 18:30``, ``5 december 6:30pm``, ``5/12 6pm`` (day or month
  first as the guild's *date order* says), ``7pm tomorrow``;
- a time of day alone (``18:30``, ``noon``): its next occurrence;
- ``in 2 hours``, ``in 30 minutes``, ``in 3 days``, ``in a week``: from now.

A date without a year is its next occurrence, a weekday is the coming one (``next
friday``: the first Friday after today). Each may end with an explicit offset (``+02:00``,
``Z``, ``UTC``) that settles an ambiguous time. Callers echo how the time was read
(:func:`describe`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from core.errors import RuleError
from core.models import Guild, Member

# Beyond this a time is a typo (2062 for 2026), and near year 9999 it would not convert to UTC.
MAX_AHEAD = timedelta(days=3653)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
EXAMPLES = "2026-06-01 18:30, tomorrow 6pm, next friday 19:00, dec 5 18:30 or in 2 hours"

_CLOCK = (
    r"(?:(?P<hour>\d{1,2})(?:[:h](?P<minute>\d{2}))?\s*(?P<ampm>am|pm)?"
    r"|(?P<named>noon|midday|midnight))"
)
_DATE_THEN_TIME = re.compile(r"(?P<date>.+?)\s+(?:at\s+)?" + _CLOCK)
_TIME_THEN_DATE = re.compile(_CLOCK + r"\s+(?:on\s+)?(?P<date>.+)")
_TIME_ALONE = re.compile(r"(?:at\s+)?" + _CLOCK)
_OFFSET = re.compile(r"(?P<rest>.*?)\s*(?P<offset>\bz|\butc|[+-]\d{2}:?\d{2})")
_RELATIVE = re.compile(r"in\s+(?P<count>\d{1,4}|an?)\s*(?P<unit>[a-z]+)")
_RELATIVE_UNITS = {
    "minutes": ("m", "min", "mins", "minute", "minutes"),
    "hours": ("h", "hr", "hrs", "hour", "hours"),
    "days": ("d", "day", "days"),
    "weeks": ("w", "week", "weeks"),
}
_ISO_DATE = re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})")
_DOTTED_DATE = re.compile(r"(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})")
_SLASHED_DATE = re.compile(r"(?P<first>\d{1,2})/(?P<second>\d{1,2})(?:/(?P<year>\d{4}|\d{2}))?")
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_MONTH = r"(?P<month>[a-z]{3,9})\.?"
_YEAR = r"(?:,?\s+(?P<year>\d{4}))?"
_NAMED_DATES = (
    re.compile(_MONTH + r"\s+" + _DAY + _YEAR),
    re.compile(_DAY + r"\s+(?:of\s+)?" + _MONTH + _YEAR),
)
_WEEKDAY = re.compile(r"(?:(?P<which>next|this)\s+)?(?P<name>[a-z]{3,9})")


class TimeParseError(RuleError, ValueError):
    """The text could not be turned into one future instant; the message says why."""


def member_zone(member_id: int, guild_id: int | None) -> ZoneInfo:
    """The zone a member's typed times are read in: theirs, else the guild's, else UTC."""
    member_tz = Member.objects.filter(id=member_id).values_list("timezone", flat=True).first()
    guild_tz = Guild.objects.filter(id=guild_id).values_list("timezone", flat=True).first()
    return ZoneInfo(member_tz or guild_tz or "UTC")


def day_first(guild_id: int | None) -> bool:
    """Whether the guild reads ``5/12`` as 5 December (its *date order*; day first by default)."""
    order = Guild.objects.filter(id=guild_id).values_list("date_order", flat=True).first()
    return order != Guild.DateOrder.MONTH_FIRST


def read_time(
    text: str | None, zone: ZoneInfo, *, now: datetime, field: str, day_first: bool = True
) -> datetime | None:
    """``parse_local_time`` for an optional input: None when nothing was typed."""
    if not text or not text.strip():
        return None
    return parse_local_time(text, zone, now=now, field=field, day_first=day_first)


def parse_local_date(text: str, zone: ZoneInfo, *, now: datetime, field: str = "date", day_first: bool = True) -> date:
    """The day ``text`` names in ``zone`` (a date without a time: leave, a due day), read
    like the date part of an event time: ``2026-12-24``, ``24.12.2026``, ``today``,
    ``tomorrow``, ``friday``, ``dec 24``, ``24/12``. A date without a year is its next
    occurrence (today included); a date given in full is returned as typed, past or not."""
    typed = text.strip()
    normal = re.sub(r"\s+", " ", typed.lower())
    ctx = _Context(typed, zone, now, field, day_first)
    today = now.astimezone(zone).date()
    day = _read_date(normal, today, ctx) if normal else None
    if day is None:
        raise TimeParseError(
            f"I could not read the {field} {typed!r}. Write it like 2026-12-24, 24 december, tomorrow or friday."
        )
    if day.day < today and day.next_year:
        try:
            return day.day.replace(year=day.day.year + 1)
        except ValueError:  # 29 February
            return day.day
    return day.day


@dataclass(frozen=True)
class Understood:
    local: datetime  # naive wall-clock time, as read
    offset: timezone | None  # an explicit offset typed by the member


def describe(moment: datetime, zone: ZoneInfo) -> str:
    """'Sunday 1 June 2026 18:30 (Europe/Paris)': how a time is echoed back to a member."""
    local = moment.astimezone(zone) if moment.tzinfo else moment
    return f"{local:%A} {local.day} {local:%B %Y %H:%M} ({zone.key})"


def parse_local_time(
    text: str, zone: ZoneInfo, *, now: datetime, field: str = "time", day_first: bool = True
) -> datetime:
    """Return the aware instant ``text`` means in ``zone``, refusing gaps, folds and the past."""
    typed = text.strip()
    normal = re.sub(r"\s+", " ", re.sub(r"(\d)t(\d)", r"\1 \2", typed.lower()))
    relative = _RELATIVE.fullmatch(normal)
    if relative:
        moment = _from_now(relative, now, typed, field)
    else:
        understood = _read(normal, _Context(typed, zone, now, field, day_first))
        if understood.offset is not None:
            moment = understood.local.replace(tzinfo=understood.offset)
        else:
            moment = _resolve_in_zone(understood.local, zone, field)
    if moment <= now:
        raise TimeParseError(f"The {field} {_shown(moment, zone, text)} is in the past.")
    if moment > now + MAX_AHEAD:
        raise TimeParseError(f"The {field} {typed!r} is more than ten years ahead; check the year.")
    return moment.astimezone(UTC)


def _shown(moment: datetime, zone: ZoneInfo, text: str) -> str:
    """``describe``, or the text as typed for a moment at the calendar's ends (year 1, 9999)."""
    try:
        return describe(moment, zone)
    except OverflowError:
        return repr(text.strip())


@dataclass(frozen=True)
class _Context:
    typed: str  # as the member typed it, for messages
    zone: ZoneInfo
    now: datetime
    field: str
    day_first: bool

    def unreadable(self) -> TimeParseError:
        return TimeParseError(f"I could not read the {self.field} {self.typed!r}. Write it like {EXAMPLES}.")


def _from_now(match: re.Match, now: datetime, typed: str, field: str) -> datetime:
    unit = next((name for name, words in _RELATIVE_UNITS.items() if match["unit"] in words), None)
    if unit is None:
        raise TimeParseError(f"I could not read the {field} {typed!r}. Write it like {EXAMPLES}.")
    count = 1 if match["count"] in ("a", "an") else int(match["count"])
    if count == 0:
        raise TimeParseError(f"The {field} {typed!r} is now, not later: give a time ahead.")
    return (now + timedelta(**{unit: count})).astimezone(UTC).replace(second=0, microsecond=0)


def _read(text: str, ctx: _Context) -> Understood:
    offset = None
    with_offset = _OFFSET.fullmatch(text)
    if with_offset and with_offset["rest"]:
        text, offset = with_offset["rest"], _offset(with_offset["offset"])
    today = ctx.now.astimezone(ctx.zone).date()
    for pattern in (_DATE_THEN_TIME, _TIME_THEN_DATE):
        match = pattern.fullmatch(text)
        if match:
            day = _read_date(match["date"], today, ctx)
            if day is not None:
                clock = _read_clock(match, ctx)
                return Understood(_roll(day, clock, ctx), offset)
    match = _TIME_ALONE.fullmatch(text)
    if match:
        clock = _read_clock(match, ctx)
        return Understood(_roll(_Day(today, rolls=timedelta(days=1)), clock, ctx), offset)
    if _read_date(text, today, ctx) is not None:
        raise TimeParseError(
            f"In the {ctx.field} {ctx.typed!r}, I read the day but not the time of day: add one, like 19:00 or 7pm."
        )
    raise ctx.unreadable()


def _read_clock(match: re.Match, ctx: _Context) -> time:
    named = match["named"]
    if named:
        return time(0, 0) if named == "midnight" else time(12, 0)
    hour, minute, ampm = int(match["hour"]), int(match["minute"] or 0), match["ampm"]
    if ampm:
        if not 1 <= hour <= 12:
            raise TimeParseError(f"In the {ctx.field} {ctx.typed!r}, {hour}{ampm} is not a time of day.")
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    try:
        return time(hour, minute)
    except ValueError:
        raise TimeParseError(
            f"In the {ctx.field} {ctx.typed!r}, {hour:02d}:{minute:02d} is not a time of day."
        ) from None


@dataclass(frozen=True)
class _Day:
    day: date
    rolls: timedelta | None = None  # how far to move it when the time has passed today (or this year)
    next_year: bool = False


def _roll(day: _Day, clock: time, ctx: _Context) -> datetime:
    """The date and time, moved to their next occurrence when the date was not given in full."""
    local = datetime.combine(day.day, clock)
    now_local = ctx.now.astimezone(ctx.zone).replace(tzinfo=None)
    if local > now_local:
        return local
    if day.rolls is not None:
        return local + day.rolls
    if day.next_year:
        try:
            return local.replace(year=local.year + 1)
        except ValueError:  # 29 February
            return local
    return local


def _read_date(text: str, today: date, ctx: _Context) -> _Day | None:
    """The day ``text`` names, or None when it names none; refuses a date that does not exist."""
    if text in ("today", "tonight"):
        return _Day(today)
    if text == "tomorrow":
        return _Day(today + timedelta(days=1))
    weekday = _WEEKDAY.fullmatch(text)
    if weekday and _weekday_index(weekday["name"]) is not None:
        ahead = (_weekday_index(weekday["name"]) - today.weekday()) % 7
        if weekday["which"] == "next" and ahead == 0:
            ahead = 7
        return _Day(today + timedelta(days=ahead), rolls=timedelta(days=7) if ahead == 0 else None)
    for pattern in (_ISO_DATE, _DOTTED_DATE):
        match = pattern.fullmatch(text)
        if match:
            return _Day(_date(int(match["year"]), int(match["month"]), int(match["day"]), ctx))
    match = _SLASHED_DATE.fullmatch(text)
    if match:
        first, second = int(match["first"]), int(match["second"])
        day, month = (first, second) if ctx.day_first else (second, first)
        return _with_year(match["year"], month, day, today, ctx)
    for pattern in _NAMED_DATES:
        match = pattern.fullmatch(text)
        if match and _month_index(match["month"]) is not None:
            return _with_year(match["year"], _month_index(match["month"]), int(match["day"]), today, ctx)
    return None


def _with_year(year: str | None, month: int, day: int, today: date, ctx: _Context) -> _Day:
    if year is None:
        return _Day(_date(today.year, month, day, ctx, leap_ok=True), next_year=True)
    full = int(year) + (2000 if len(year) == 2 else 0)
    return _Day(_date(full, month, day, ctx))


def _date(year: int, month: int, day: int, ctx: _Context, *, leap_ok: bool = False) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        if leap_ok and (month, day) == (2, 29):
            return date(year + 4 - year % 4, 2, 29)
        raise TimeParseError(f"In the {ctx.field} {ctx.typed!r}, the date does not exist.") from None


def _weekday_index(name: str) -> int | None:
    for index, weekday in enumerate(WEEKDAYS):
        if name == weekday or (len(name) >= 3 and weekday.startswith(name)):
            return index
    return None


def _month_index(name: str) -> int | None:
    for index, month in enumerate(MONTHS, 1):
        if name == month or (len(name) >= 3 and month.startswith(name)):
            return index
    return None


def _offset(text: str | None) -> timezone | None:
    if text is None:
        return None
    if text in ("z", "utc"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 14 or minutes > 59:
        raise TimeParseError(f"{text} is not a UTC offset.")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _resolve_in_zone(local: datetime, zone: ZoneInfo, field: str) -> datetime:
    earlier, later = local.replace(tzinfo=zone, fold=0), local.replace(tzinfo=zone, fold=1)
    if earlier.utcoffset() == later.utcoffset():
        return earlier
    # zoneinfo gives the two offsets around a transition; a wall time that does not
    # survive a round trip through UTC was skipped, one that does happens twice.
    round_trip = earlier.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    shown = f"{local:%A} {local.day} {local:%B %Y %H:%M} ({zone.key})"
    if round_trip != local:
        raise TimeParseError(
            f"The {field} {shown} does not exist: the clocks go forward that night. "
            "Pick a time an hour later or earlier."
        )
    first, second = (_format_offset(earlier), _format_offset(later))
    raise TimeParseError(
        f"The {field} {shown} happens twice: the clocks go back that night. "
        f"Add the offset you mean: {local:%Y-%m-%d %H:%M} {first} (the first) "
        f"or {local:%Y-%m-%d %H:%M} {second} (the second)."
    )


def _format_offset(moment: datetime) -> str:
    total = int(moment.utcoffset().total_seconds()) // 60
    sign = "-" if total < 0 else "+"
    return f"{sign}{abs(total) // 60:02d}:{abs(total) % 60:02d}"


_OFFSET_UNITS = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days", "w": "weeks"}
MAX_REMINDERS = 5
MAX_REMINDER_OFFSET = timedelta(weeks=8)


def parse_offsets(text: str) -> list[timedelta]:
    """Reminder offsets typed as ``1h``, ``30m, 1d``: how long before the start each DM goes."""
    offsets = []
    for part in filter(None, (p.strip().lower() for p in re.split(r"[,\s]+", text))):
        match = re.fullmatch(r"(\d{1,4})\s*(m|min|h|d|w)", part)
        if not match:
            raise TimeParseError(f"I could not read the reminder {part!r}: write 30m, 1h, 2d or 1w.")
        if int(match[1]) == 0:
            raise TimeParseError(f"The reminder {part!r} is zero: it must be at least 1m before the start.")
        offset = timedelta(**{_OFFSET_UNITS[match[2]]: int(match[1])})
        if offset > MAX_REMINDER_OFFSET:
            raise TimeParseError(f"A reminder goes at most 8 weeks before the start: {part!r} is longer.")
        offsets.append(offset)
    if len(set(offsets)) > MAX_REMINDERS:
        raise TimeParseError(f"At most {MAX_REMINDERS} reminders per event.")
    return sorted(set(offsets))
