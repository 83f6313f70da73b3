"""A1 notation: ``Sheet1!A1:D10``, ``'My tab'!A:C``, ``Sheet1!2:5``, ``A1`` and bare sheet names.

Rows and columns are 0-based here with exclusive ends; ``None`` means open (to the grid's edge).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CELL = re.compile(r"^([A-Za-z]*)(\d*)$")


@dataclass(frozen=True)
class A1Range:
    sheet: str | None  # None: the first sheet
    start_row: int | None
    start_col: int | None
    end_row: int | None
    end_col: int | None


class A1Error(ValueError):
    """``str(error)`` is Google's message, ``Unable to parse range: ...``."""


def column_index(letters: str) -> int:
    """``"A"`` -> 0, ``"Z"`` -> 25, ``"AA"`` -> 26."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def column_letters(index: int) -> str:
    """0 -> ``"A"``, 26 -> ``"AA"``."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def quote_sheet(title: str) -> str:
    """A sheet title as it appears in a range: quoted unless it is a plain word."""
    # a title that could be read as a cell reference ("AB12") must be quoted
    looks_like_cell = re.fullmatch(r"[A-Za-z]{1,3}\d+", title)
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", title) and not looks_like_cell:
        return title
    return "'" + title.replace("'", "''") + "'"


def split_sheet(text: str) -> tuple[str | None, str | None]:
    """``"'My tab'!A:C"`` -> (``"My tab"``, ``"A:C"``); ``"Sheet1"`` -> (``"Sheet1"``, None)."""
    if text.startswith("'"):
        i, title = 1, []
        while i < len(text):
            if text[i] == "'":
                if text[i + 1 : i + 2] == "'":
                    title.append("'")
                    i += 2
                    continue
                break
            title.append(text[i])
            i += 1
        else:
            raise A1Error(f"Unable to parse range: {text}")
        rest = text[i + 1 :]
        if rest == "":
            return "".join(title), None
        if not rest.startswith("!"):
            raise A1Error(f"Unable to parse range: {text}")
        return "".join(title), rest[1:]
    if "!" in text:
        sheet, _, cells = text.rpartition("!")
        return sheet, cells
    return None, text


def parse_range(text: str, sheet_titles: list[str]) -> A1Range:
    """Parse ``text``; a bare word names a sheet when one has that title, else it is cells."""
    sheet, cells = split_sheet(text.strip())
    if sheet is None and cells in sheet_titles:
        return A1Range(cells, None, None, None, None)
    if cells is None or cells == "":
        if cells == "":
            raise A1Error(f"Unable to parse range: {text}")
        return A1Range(sheet, None, None, None, None)
    first, sep, second = cells.partition(":")
    if not sep:
        col, row = _cell(first, text)
        if col is None or row is None:
            raise A1Error(f"Unable to parse range: {text}")
        return A1Range(sheet, row, col, row + 1, col + 1)
    (c1, r1), (c2, r2) = _cell(first, text), _cell(second, text)
    if (c1 is None) != (c2 is None) or (r1 is None and r2 is not None):
        raise A1Error(f"Unable to parse range: {text}")
    if c1 is None and r1 is None:
        raise A1Error(f"Unable to parse range: {text}")
    start_col, end_col = (None, None) if c1 is None else (min(c1, c2), max(c1, c2) + 1)
    if r1 is None:
        start_row, end_row = None, None
    elif r2 is None:  # "A5:C" runs from row 5 to the bottom of the grid
        start_row, end_row = r1, None
    else:
        start_row, end_row = min(r1, r2), max(r1, r2) + 1
    return A1Range(sheet, start_row, start_col, end_row, end_col)


def _cell(part: str, text: str) -> tuple[int | None, int | None]:
    match = CELL.match(part)
    if not match or not part or (match.group(2) and int(match.group(2)) == 0):
        raise A1Error(f"Unable to parse range: {text}")
    letters, digits = match.groups()
    return (column_index(letters) if letters else None, int(digits) - 1 if digits else None)


def format_range(title: str, start_row: int, start_col: int, end_row: int, end_col: int) -> str:
    """A bounded range in Google's canonical form, e.g. ``'My tab'!A1:C3`` or ``Sheet1!B2``."""
    first = f"{column_letters(start_col)}{start_row + 1}"
    last = f"{column_letters(end_col - 1)}{end_row}"
    cells = first if first == last else f"{first}:{last}"
    return f"{quote_sheet(title)}!{cells}"
