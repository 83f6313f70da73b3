"""Cell values: how input is read (RAW / USER_ENTERED) and how values are rendered back.

The sandbox keeps what Sheets keeps for plain data (strings, numbers, booleans) and stores
formulas without evaluating them: a formula cell reads back as its formula text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sandbox.sheets.errors import invalid
from sandbox.sheets.numfmt import format_with, is_date

NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
INPUT_OPTIONS = {"RAW", "USER_ENTERED"}
RENDER_OPTIONS = {"FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA"}


@dataclass(frozen=True)
class Formula:
    text: str


Value = str | int | float | bool | Formula


def read_input(raw, option: str) -> Value | None:
    """A value from a request as Sheets stores it; None means "leave the cell alone".

    An empty string clears the cell (the caller removes it).
    """
    if raw is None:
        return None
    if isinstance(raw, bool | int | float):
        return raw
    if not isinstance(raw, str):
        raise invalid(f"Invalid values: {raw!r} is not a string, number or boolean.")
    if option == "RAW" or raw == "":
        return raw
    if raw.startswith("'"):  # a leading apostrophe forces text, as in the Sheets UI
        return raw[1:]
    if raw.startswith("="):
        return Formula(raw)
    if raw.upper() in ("TRUE", "FALSE"):
        return raw.upper() == "TRUE"
    if NUMBER.match(raw.strip()):
        number = float(raw)
        return int(number) if number.is_integer() and abs(number) < 1e15 else number
    return raw


def render(value: Value, option: str, fmt: dict | None = None, date_time: str = "SERIAL_NUMBER"):
    """A stored value as ``valueRenderOption`` asks for it, in its cell's format ``fmt``
    (a ``CellFormat``). ``date_time`` is ``dateTimeRenderOption``: with ``FORMATTED_STRING``
    an unformatted read shows date-times as their format does (ignored for
    ``FORMATTED_VALUE``, as Google documents).
    """
    if isinstance(value, Formula):
        return value.text
    number_format = fmt.get("numberFormat") if fmt else None
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if option == "FORMATTED_VALUE":
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if is_number:
            shown = format_with(value, number_format) if number_format else None
            return format_number(value) if shown is None else shown
        return value
    if is_number and date_time == "FORMATTED_STRING" and is_date(number_format):
        return format_with(value, number_format)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def format_number(value: int | float) -> str:
    """Sheets' automatic number format: integers plainly, others with up to 15 digits."""
    if isinstance(value, int) or (value.is_integer() and abs(value) < 1e15):
        return str(int(value))
    text = f"{value:.15g}"
    return text.upper() if "e" in text else text
