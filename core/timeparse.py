"""Reading the times members type: event and poll forms, options of slash commands.

Times are wall-clock times in the member's zone (else the guild's). A time that does not
exist (clocks jumped forward over it), happens twice (clocks went back) or is already
past is refused with a message that says what was understood, so the member can fix it.

Accepted: ``2026-06-01 18:30``, ``2026-06-01T18:30``, ``01.06.2026 18:30``, ``today 18:30``,
``tomorrow 6pm``, ``friday 19:00``, each optionally followed by an explicit offset
(``+02:00``, ``Z``, ``UTC``) that settles an ambiguous time.
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

_TIME = r"(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?\s*(?P<ampm>am|pm)?"
_OFFSET = r"(?:\s*(?P<offset>z|utc|[+-]\d{2}:?\d{2}))?"
_PATTERNS = (
    re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})(?:t|\s+)" + _TIME + _OFFSET),
    re.compile(r"(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})\s+" + _TIME + _OFFSET),
    re.compile(r"(?P<word>today|tomorrow|" + "|".join(WEEKDAYS) + r")\s+(?:at\s+)?" + _TIME + _OFFSET),
)


class TimeParseError(RuleError, ValueError):
    """The text could not be turned into one future instant; the message says why."""


def member_zone(member_id: int, guild_id: int | None) -> ZoneInfo:
    """The zone a member's typed times are read in: theirs, else the guild's, else UTC."""
    member_tz = Member.objects.filter(id=member_id).values_list("timezone", flat=True).first()
    guild_tz = Guild.objects.filter(id=guild_id).values_list("timezone", flat=True).first()
    return ZoneInfo(member_tz or guild_tz or "UTC")


def read_time(text: str | None, zone: ZoneInfo, *, now: datetime, field: str) -> datetime | None:
    """``parse_local_time`` for an optional input: None when nothing was typed."""
    if not text or not text.strip():
        return None
    return parse_local_time(text, zone, now=now, field=field)


@dataclass(frozen=True)
class Understood:
    local: datetime  # naive wall-clock time, as read
    offset: timezone | None  # an explicit offset typed by the member


def describe(moment: datetime, zone: ZoneInfo) -> str:
    """'Sunday 1 June 2026 18:30 (Europe/Paris)': how a time is echoed back to a member."""
    local = moment.astimezone(zone) if moment.tzinfo else moment
    return f"{local:%A} {local.day} {local:%B %Y %H:%M} ({zone.key})"


def parse_local_time(text: str, zone: ZoneInfo, *, now: datetime, field: str = "time") -> datetime:
    """Return the aware instant ``text`` means in ``zone``, refusing gaps, folds and the past."""
    understood = _read(text.strip(), zone, now, field)
    if understood.offset is not None:
        moment = understood.local.replace(tzinfo=understood.offset)
    else:
        moment = _resolve_in_zone(understood.local, zone, field)
    if moment <= now:
        raise TimeParseError(f"The {field} {_shown(moment, zone, text)} is in the past.")
    if moment > now + MAX_AHEAD:
        raise TimeParseError(f"The {field} {text.strip()!r} is more than ten years ahead; check the year.")
    return moment.astimezone(UTC)


def _shown(moment: datetime, zone: ZoneInfo, text: str) -> str:
    """``describe``, or the text as typed for a moment at the calendar's ends (year 1, 9999)."""
    try:
        return describe(moment, zone)
    except OverflowError:
        return repr(text.strip())


def _read(text: str, zone: ZoneInfo, now: datetime, field: str) -> Understood:
    for pattern in _PATTERNS:
        match = pattern.fullmatch(text.lower())
        if match:
            break
    else:
        raise TimeParseError(
            f"I could not read the {field} {text!r}. Write it like 2026-06-01 18:30, "
            "today 18:30, tomorrow 6pm or friday 19:00."
        )
    parts = match.groupdict()
    hour, minute = int(parts["hour"]), int(parts["minute"] or 0)
    if parts["ampm"]:
        if not 1 <= hour <= 12:
            raise TimeParseError(f"In the {field} {text!r}, {hour}{parts['ampm']} is not a time of day.")
        hour = hour % 12 + (12 if parts["ampm"] == "pm" else 0)
    try:
        clock = time(hour, minute)
    except ValueError:
        raise TimeParseError(f"In the {field} {text!r}, {hour:02d}:{minute:02d} is not a time of day.") from None
    if parts.get("word"):
        day = _day_from_word(parts["word"], now.astimezone(zone).date())
    else:
        try:
            day = date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
        except ValueError:
            raise TimeParseError(f"In the {field} {text!r}, the date does not exist.") from None
    return Understood(datetime.combine(day, clock), _offset(parts["offset"]))


def _day_from_word(word: str, today: date) -> date:
    if word == "today":
        return today
    if word == "tomorrow":
        return today + timedelta(days=1)
    ahead = (WEEKDAYS.index(word) - today.weekday()) % 7
    return today + timedelta(days=ahead)


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
        if not match or int(match[1]) == 0:
            raise TimeParseError(f"I could not read the reminder {part!r}: write 30m, 1h, 2d or 1w.")
        offset = timedelta(**{_OFFSET_UNITS[match[2]]: int(match[1])})
        if offset > MAX_REMINDER_OFFSET:
            raise TimeParseError(f"A reminder goes at most 8 weeks before the start: {part!r} is longer.")
        offsets.append(offset)
    if len(set(offsets)) > MAX_REMINDERS:
        raise TimeParseError(f"At most {MAX_REMINDERS} reminders per event.")
    return sorted(set(offsets))
