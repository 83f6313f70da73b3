"""How a dataset's typed values become Sheets cells (``CellData`` of the Sheets API v4).

Text is a ``stringValue``, which Sheets never parses: a nickname such as ``=IMPORTXML(...)``
or ``+33 6 12`` stays text. Whole numbers are ``numberValue``s. Times are serial
date-times in the guild's zone (days since 1899-12-30, the day fraction the wall-clock
time) with a date-time number format, so people can sort and filter them.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from zoneinfo import ZoneInfo

from core.datasets import DATETIME, INTEGER, Column, Value

EPOCH = datetime(1899, 12, 30)
DATETIME_FORMAT = {"type": "DATE_TIME", "pattern": "yyyy-mm-dd hh:mm"}
# What Muster sets in each cell it owns, and nothing else (notes, colours, validation stay).
FIELDS = "userEnteredValue,userEnteredFormat.numberFormat"


def serial(moment: datetime, zone: ZoneInfo) -> float:
    """The spreadsheet serial number of ``moment`` as a wall clock in ``zone`` shows it."""
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no place in a sheet: give it a time zone")
    local = moment.astimezone(zone).replace(tzinfo=None)
    delta = local - EPOCH
    return delta.days + (delta.seconds + delta.microseconds / 1_000_000) / 86_400


def cell(kind: str, value: Value, zone: ZoneInfo) -> dict:
    """The ``CellData`` for one value of a column of ``kind``; ``{}`` clears the cell."""
    if value is None or value == "":
        return {}
    if kind == DATETIME:
        return {
            "userEnteredValue": {"numberValue": serial(value, zone)},
            "userEnteredFormat": {"numberFormat": DATETIME_FORMAT},
        }
    if kind == INTEGER:
        return {"userEnteredValue": {"numberValue": int(value)}}
    return {"userEnteredValue": {"stringValue": str(value)}}


def text(value: str) -> dict:
    return cell("text", value, ZoneInfo("UTC"))


def row_cells(columns: tuple[Column, ...], values: dict[str, Value], zone: ZoneInfo) -> list[dict]:
    """One ``CellData`` per column, in the columns' order."""
    return [cell(column.kind, values.get(column.name), zone) for column in columns]


def digest(cells: list[dict]) -> str:
    """A stable hash of what Muster writes in a row: equal digests, nothing to write."""
    return hashlib.blake2b(
        json.dumps(cells, sort_keys=True, separators=(",", ":")).encode(), digest_size=16
    ).hexdigest()


def cell_text(data: dict) -> str:
    """What a read ``CellData`` holds, as text (the Muster ID and header cells Muster reads)."""
    entered = data.get("userEnteredValue") or {}
    if "stringValue" in entered:
        return entered["stringValue"]
    if "numberValue" in entered:
        number = entered["numberValue"]
        return str(int(number)) if float(number).is_integer() else str(number)
    if "formulaValue" in entered:
        return entered["formulaValue"]
    return data.get("formattedValue", "")
