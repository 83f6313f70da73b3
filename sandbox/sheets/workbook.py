"""Spreadsheets and their sheets (tabs): grid properties and sparse cell values."""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field

from sandbox.sheets.a1 import A1Error, A1Range, format_range, parse_range
from sandbox.sheets.errors import ApiError, invalid
from sandbox.sheets.grid import Grid

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
    cells: Grid = field(default_factory=Grid)
    protected_ranges: list[dict] = field(default_factory=list)  # ProtectedRange resources

    def copy(self) -> Sheet:
        """An independent copy, for a batchUpdate to work on until every request has applied."""
        return dataclasses.replace(
            self, cells=self.cells.copy(), protected_ranges=[dict(p) for p in self.protected_ranges]
        )

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

    def values(self) -> list[list]:
        """All values as rows, empty cells "", trailing empty rows and cells trimmed (for read-back)."""
        out = []
        for row in self.cells.values:
            row = list(row or ())
            while row and row[-1] is None:
                row.pop()
            out.append(["" if v is None else v for v in row])
        while out and not out[-1]:
            out.pop()
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
    metadata: list = field(default_factory=list)  # metadata.Metadata, every location

    def draft(self) -> Spreadsheet:
        """An independent copy for a batchUpdate to apply to; ``adopt`` it once all applied."""
        return dataclasses.replace(
            self,
            sheets=[s.copy() for s in self.sheets],
            metadata=[m.clone() for m in self.metadata],
        )

    def adopt(self, draft: Spreadsheet) -> None:
        for name in ("title", "sheets", "locale", "time_zone", "metadata"):
            setattr(self, name, getattr(draft, name))
        for sheet in self.sheets:
            sheet.cells.settle()

    def role_of(self, email: str) -> str | None:
        """``"editor"``, ``"reader"`` or None (no access) for the account ``email``."""
        if email == self.owner:
            return "editor"
        return self.shared.get(email)

    def resource(self, project: str | None = None) -> dict:
        """The ``Spreadsheet`` resource without grid data, with the developer metadata and
        protected ranges the caller's ``project`` may see (None: everything).
        """
        body = {
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
            "sheets": [self.sheet_resource(s, project) for s in sorted(self.sheets, key=lambda s: s.index)],
        }
        on_book = [m.resource() for m in self.metadata if m.location_type == "SPREADSHEET" and m.visible_to(project)]
        if on_book:
            body["developerMetadata"] = on_book
        body["spreadsheetUrl"] = f"https://docs.google.com/spreadsheets/d/{self.spreadsheet_id}/edit"
        return body

    def sheet_resource(self, sheet: Sheet, project: str | None = None) -> dict:
        """A ``Sheet``: properties, protected ranges, the sheet's own developer metadata."""
        body = {"properties": sheet.properties()}
        if sheet.protected_ranges:
            body["protectedRanges"] = copy.deepcopy(sheet.protected_ranges)
        on_sheet = [
            m.resource()
            for m in self.metadata
            if m.location_type == "SHEET" and m.sheet_id == sheet.sheet_id and m.visible_to(project)
        ]
        if on_sheet:
            body["developerMetadata"] = on_sheet
        return body

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
