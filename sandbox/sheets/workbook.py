"""Spreadsheets and their sheets (tabs): grid properties and sparse cell values."""

from __future__ import annotations

from dataclasses import dataclass, field

from sandbox.sheets.a1 import A1Error, A1Range, format_range, parse_range
from sandbox.sheets.cells import Value
from sandbox.sheets.errors import ApiError, invalid

DEFAULT_ROWS = 1000
DEFAULT_COLUMNS = 26


@dataclass
class Sheet:
    sheet_id: int
    title: str
    index: int
    row_count: int = DEFAULT_ROWS
    column_count: int = DEFAULT_COLUMNS
    frozen_row_count: int = 0
    frozen_column_count: int = 0
    hidden: bool = False
    cells: dict[tuple[int, int], Value] = field(default_factory=dict)

    def properties(self) -> dict:
        """``SheetProperties`` as Google returns them."""
        grid = {"rowCount": self.row_count, "columnCount": self.column_count}
        if self.frozen_row_count:
            grid["frozenRowCount"] = self.frozen_row_count
        if self.frozen_column_count:
            grid["frozenColumnCount"] = self.frozen_column_count
        props = {
            "sheetId": self.sheet_id,
            "title": self.title,
            "index": self.index,
            "sheetType": "GRID",
            "gridProperties": grid,
        }
        if self.hidden:
            props["hidden"] = True
        return props

    @property
    def cell_count(self) -> int:
        return self.row_count * self.column_count

    def values(self) -> list[list[Value]]:
        """All values as rows, trailing empty rows and cells trimmed (for read-back)."""
        if not self.cells:
            return []
        by_row: dict[int, dict[int, Value]] = {}
        for (r, c), value in self.cells.items():
            by_row.setdefault(r, {})[c] = value
        out = []
        for r in range(max(by_row) + 1):
            row = by_row.get(r, {})
            out.append([row.get(c, "") for c in range(max(row) + 1)] if row else [])
        return out


@dataclass
class Spreadsheet:
    spreadsheet_id: str
    title: str
    sheets: list[Sheet]
    locale: str = "en_US"
    time_zone: str = "Etc/GMT"
    owner: str | None = None  # the account that created it through the API (always an editor)
    shared: dict[str, str] = field(default_factory=dict)  # email -> "editor" | "reader"

    def role_of(self, email: str) -> str | None:
        """``"editor"``, ``"reader"`` or None (no access) for the account ``email``."""
        if email == self.owner:
            return "editor"
        return self.shared.get(email)

    def resource(self) -> dict:
        """The ``Spreadsheet`` resource without grid data."""
        return {
            "spreadsheetId": self.spreadsheet_id,
            "properties": {
                "title": self.title,
                "locale": self.locale,
                "autoRecalc": "ON_CHANGE",
                "timeZone": self.time_zone,
                "defaultFormat": {
                    "backgroundColor": {"red": 1, "green": 1, "blue": 1},
                    "verticalAlignment": "BOTTOM",
                    "wrapStrategy": "OVERFLOW_CELL",
                    "textFormat": {"fontFamily": "arial,sans,sans-serif", "fontSize": 10},
                },
            },
            "sheets": [{"properties": s.properties()} for s in sorted(self.sheets, key=lambda s: s.index)],
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{self.spreadsheet_id}/edit",
        }

    @property
    def cell_count(self) -> int:
        return sum(s.cell_count for s in self.sheets)

    def sheet_titled(self, title: str) -> Sheet | None:
        """The sheet with ``title`` (Sheets matches titles case-insensitively)."""
        return next((s for s in self.sheets if s.title.lower() == title.lower()), None)

    def sheet_with_id(self, sheet_id: int) -> Sheet | None:
        return next((s for s in self.sheets if s.sheet_id == sheet_id), None)

    def first_sheet(self) -> Sheet:
        return min(self.sheets, key=lambda s: s.index)

    def reindex(self) -> None:
        """Keep indexes 0..n-1 in their current order after an add, move or delete."""
        for i, sheet in enumerate(sorted(self.sheets, key=lambda s: s.index)):
            sheet.index = i


@dataclass(frozen=True)
class Rect:
    """A bounded block of one sheet: 0-based rows/columns, exclusive ends."""

    sheet: Sheet
    start_row: int
    start_col: int
    end_row: int
    end_col: int

    def a1(self) -> str:
        return format_range(self.sheet.title, self.start_row, self.start_col, self.end_row, self.end_col)


def locate(book: Spreadsheet, text: str) -> tuple[Sheet, A1Range]:
    """The sheet a range names and the parsed range; 400 when either is unknown."""
    try:
        parsed = parse_range(text, [s.title for s in book.sheets])
    except A1Error as exc:
        raise invalid(str(exc)) from None
    sheet = book.first_sheet() if parsed.sheet is None else book.sheet_titled(parsed.sheet)
    if sheet is None:
        raise invalid(f"Unable to parse range: {text}")
    return sheet, parsed


def bounded(sheet: Sheet, parsed: A1Range) -> Rect:
    """Close open ends at the grid's edge (how reads and clears see ``A:C`` or ``Sheet1``)."""
    return Rect(
        sheet,
        parsed.start_row or 0,
        parsed.start_col or 0,
        parsed.end_row if parsed.end_row is not None else sheet.row_count,
        parsed.end_col if parsed.end_col is not None else sheet.column_count,
    )


def check_inside_grid(rect: Rect, requested: str) -> None:
    """Reads may not reach past the grid: Google answers 400 ``exceeds grid limits``."""
    sheet = rect.sheet
    if rect.end_row > sheet.row_count or rect.end_col > sheet.column_count:
        raise invalid(
            f"Range ({requested}) exceeds grid limits. Max rows: {sheet.row_count}, max columns: {sheet.column_count}"
        )


def cell_limit_error(limit: int) -> ApiError:
    """Google's answer when a workbook would pass its cell limit."""
    return invalid(f"This action would increase the number of cells in the workbook above the limit of {limit} cells.")
