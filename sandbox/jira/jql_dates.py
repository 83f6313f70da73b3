"""JQL date values: absolute dates, relative periods and the day functions.

Jira reads an absolute date in the searching user's time zone and a period ("-2d",
"-1w 2d", "15m") relative to now, so both need the clock and the user's zone.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sandbox.jira.jql import JQLError

ABSOLUTE_FORMATS = ["%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d", "%Y-%m-%d"]
PERIOD = re.compile(r"^([+-])?\s*((?:\d+\s*[wdhm]\s*)+)$")
PERIOD_PART = re.compile(r"(\d+)\s*([wdhm])")
UNITS = {"w": timedelta(weeks=1), "d": timedelta(days=1), "h": timedelta(hours=1), "m": timedelta(minutes=1)}
DAY_FUNCTIONS = {"now", "startofday", "endofday"}


def invalid_date(text: str, field: str) -> JQLError:
    """Jira's message for a date it cannot read."""
    return JQLError(
        f"Date value '{text}' for field '{field}' is invalid. Valid formats include: "
        "'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', "
        "or a period format e.g. '-5d', '4w 2d'."
    )


def parse_period(text: str) -> timedelta | None:
    """``"-1w 2d"`` -> -9 days; None when ``text`` is not a period."""
    match = PERIOD.match(text.strip())
    if not match:
        return None
    total = sum((int(n) * UNITS[unit] for n, unit in PERIOD_PART.findall(match.group(2))), timedelta())
    return -total if match.group(1) == "-" else total


def parse_date_value(text: str, field: str, now: datetime, tz: ZoneInfo) -> datetime:
    """An absolute date in ``tz`` or a period relative to ``now``, as an aware datetime."""
    for fmt in ABSOLUTE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).replace(tzinfo=tz)
        except ValueError:
            continue
    period = parse_period(text)
    if period is None:
        raise invalid_date(text, field)
    return now + period


def day_function(name: str, args: tuple[str, ...], now: datetime, tz: ZoneInfo) -> datetime:
    """now(), startOfDay([inc]) and endOfDay([inc]); ``inc`` is a period, days by default."""
    fn = name.lower()
    if fn == "now":
        if args:
            raise JQLError("Function 'now' expected '0' arguments but received '1'.")
        return now
    shift = timedelta()
    if args:
        text = args[0].strip()
        shift = parse_period(text + "d" if re.fullmatch(r"[+-]?\d+", text) else text)
        if shift is None:
            raise JQLError(f"Function '{name}' could not parse the increment '{args[0]}'.")
    local = now.astimezone(tz) + shift
    if fn == "startofday":
        return datetime.combine(local.date(), time(0, 0), tzinfo=tz)
    return datetime.combine(local.date(), time(23, 59, 59, 999000), tzinfo=tz)
