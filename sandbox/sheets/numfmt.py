"""Number formats (``CellFormat.numberFormat``): how a number in a formatted cell reads back.

Date-times are serial numbers, days since 1899-12-30 (the fraction is the time of day), as
Google documents for ``dateTimeRenderOption=SERIAL_NUMBER``. A ``DATE``, ``TIME`` or
``DATE_TIME`` format without a pattern uses the en_US defaults Sheets shows
(``M/d/yyyy``, ``h:mm:ss AM/PM``, ``M/d/yyyy H:mm:ss``). Patterns follow Google's date and
number format tokens (``yyyy``, ``mm``, ``mmm``, ``d``, ``dddd``, ``h``, ``hh``, ``ss``,
``am/pm``, quoted text; ``0``, ``#``, ``,``, ``.``, ``%``, ``E+``).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

EPOCH = datetime(1899, 12, 30)
TYPES = {"TEXT", "NUMBER", "PERCENT", "CURRENCY", "DATE", "TIME", "DATE_TIME", "SCIENTIFIC"}
DATE_TYPES = {"DATE", "TIME", "DATE_TIME"}
DEFAULT_PATTERNS = {
    "DATE": "M/d/yyyy",
    "TIME": "h:mm:ss am/pm",
    "DATE_TIME": "M/d/yyyy H:mm:ss",
    "NUMBER": "#,##0.00",
    "PERCENT": "0.00%",
    "CURRENCY": '"$"#,##0.00',
    "SCIENTIFIC": "0.00E+00",
}
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
DATE_TOKEN = re.compile(r'"[^"]*"|\\.|am/pm|a/p|y+|m+|d+|h+|s+|\.0+|.', re.IGNORECASE)


def serial_to_datetime(serial: float) -> datetime:
    """The naive date-time a serial number stands for, to the nearest second."""
    return EPOCH + timedelta(seconds=round(serial * 86400))


def is_date(number_format: dict | None) -> bool:
    return bool(number_format) and number_format.get("type") in DATE_TYPES


def format_with(value: int | float, number_format: dict) -> str | None:
    """``value`` as ``number_format`` shows it; None when the format leaves it as a plain number."""
    kind = number_format.get("type")
    pattern = number_format.get("pattern") or DEFAULT_PATTERNS.get(kind)
    if kind == "TEXT" or not pattern:
        return None
    if kind in DATE_TYPES:
        return format_date(value, pattern)
    return format_number_pattern(value, pattern)


def format_date(serial: float, pattern: str) -> str:
    moment = serial_to_datetime(serial)
    tokens = DATE_TOKEN.findall(pattern)
    twelve_hour = any(t.lower() in ("am/pm", "a/p") for t in tokens)
    out = []
    for i, token in enumerate(tokens):
        low = token.lower()
        if token.startswith('"'):
            out.append(token[1:-1])
        elif token.startswith("\\"):
            out.append(token[1:])
        elif low == "am/pm":
            out.append("AM" if moment.hour < 12 else "PM")
        elif low == "a/p":
            out.append("A" if moment.hour < 12 else "P")
        elif low[0] == "y":
            out.append(f"{moment.year % 100:02d}" if len(token) <= 2 else f"{moment.year:04d}")
        elif low[0] == "m":
            if len(token) <= 2 and _is_minute(tokens, i):
                out.append(f"{moment.minute:0{len(token)}d}")
            else:
                out.append(_month(moment, len(token)))
        elif low[0] == "d":
            if len(token) <= 2:
                out.append(f"{moment.day:0{len(token)}d}")
            else:
                name = DAYS[moment.weekday()]
                out.append(name[:3] if len(token) == 3 else name)
        elif low[0] == "h":
            hour = moment.hour % 12 or 12 if twelve_hour else moment.hour
            out.append(f"{hour:0{min(len(token), 2)}d}")
        elif low[0] == "s":
            out.append(f"{moment.second:0{min(len(token), 2)}d}")
        elif token.startswith(".0"):
            out.append("." + "0" * (len(token) - 1))  # whole seconds only
        else:
            out.append(token)
    return "".join(out)


def _is_minute(tokens: list[str], i: int) -> bool:
    """``m``/``mm`` is minutes after an hour or before a second, else the month."""
    for token in reversed(tokens[:i]):
        low = token.lower()
        if low[0] in "ydhms" and low not in ("am/pm", "a/p"):
            if low[0] == "h":
                return True
            break
    for token in tokens[i + 1 :]:
        low = token.lower()
        if low[0] in "ydhms" and low not in ("am/pm", "a/p"):
            return low[0] == "s"
    return False


def _month(moment: datetime, width: int) -> str:
    if width == 1:
        return str(moment.month)
    if width == 2:
        return f"{moment.month:02d}"
    name = MONTHS[moment.month - 1]
    return {3: name[:3], 5: name[0]}.get(width, name)


def format_number_pattern(value: float, pattern: str) -> str:
    section = pattern.split(";")[0]
    literal = re.sub(r'"([^"]*)"|\\(.)', lambda m: m.group(1) or m.group(2), section)
    numeric = re.search(r"[#0][#0,]*(\.[0#]+)?(E[+-]0+)?", literal)
    if numeric is None:
        return literal
    body = numeric.group(0)
    prefix, suffix = literal[: numeric.start()], literal[numeric.end() :]
    if "%" in literal:
        value *= 100
    decimals = len(numeric.group(1) or "") - 1 if numeric.group(1) else 0
    if numeric.group(2):
        text = f"{abs(value):.{decimals}E}"
        mantissa, exponent = text.split("E")
        digits = len(numeric.group(2)) - 2
        text = f"{mantissa}E{exponent[0]}{int(exponent[1:]):0{digits}d}"
    else:
        grouping = "," if "," in body.split(".")[0] else ""
        text = f"{abs(value):{grouping}.{decimals}f}"
    sign = "-" if value < 0 and float(text.replace(",", "").split("E")[0]) != 0 else ""
    return f"{sign}{prefix}{text}{suffix}"
