"""What Muster reads of a spreadsheet before it writes, and what it makes of it.

One request (``spreadsheets.getByDataFilter`` with a field mask) returns every tab's
properties and protections, and, found by developer metadata that moves with them, each
Muster tab's header row and its ``Muster ID`` column. So people may sort the tab, insert
rows and columns (even before ``Muster ID``) or rename the tab: Muster finds its header
and its rows by id, never by position.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sheets_export.cells import cell_text

MUSTER_ID = "Muster ID"
STATUS = "Status"
SUMMARY_TAB = "Muster"
SUMMARY_DATASET = "_muster"
# Developer metadata Muster places (visibility DOCUMENT: only Muster's project reads it).
KEY_DATASET = "muster.dataset"  # on a tab: which dataset it shows
KEY_HEADER = "muster.header"  # on a tab's header row
KEY_COLUMN = "muster.column"  # on each of Muster's columns: its name

READ_FILTERS = [
    {"developerMetadataLookup": {"metadataKey": KEY_HEADER}},
    {"developerMetadataLookup": {"metadataKey": KEY_COLUMN, "metadataValue": MUSTER_ID}},
    {"developerMetadataLookup": {"metadataKey": KEY_DATASET, "metadataValue": SUMMARY_DATASET}},
]
# Only when Muster must add a tab: every tab's title and size (the filtered read returns
# only the tabs its filters match), for a free title and the cell count.
SHEETS_FIELDS = "sheets.properties(sheetId,title,gridProperties(rowCount,columnCount))"
READ_FIELDS = (
    "spreadsheetId,"
    "sheets(properties(sheetId,title,index,gridProperties(rowCount,columnCount,frozenRowCount)),"
    "protectedRanges(protectedRangeId,range,warningOnly),"
    "developerMetadata(metadataKey,metadataValue),"
    "data(startRow,startColumn,rowData(values(userEnteredValue))))"
)


@dataclass
class Tab:
    """One tab as read: its grid, and (for Muster's tabs) its header and where each id sits."""

    sheet_id: int
    title: str
    row_count: int
    column_count: int
    frozen_rows: int = 0
    protected_header: bool = False
    dataset: str | None = None
    header_row: int | None = None
    header: list[str] = field(default_factory=list)
    id_column: int | None = None
    rows_by_id: dict[str, int] = field(default_factory=dict)

    @property
    def cells(self) -> int:
        return self.row_count * self.column_count

    def column(self, name: str) -> int | None:
        """Where Muster's column ``name`` is: its header cell's position (the id column by metadata)."""
        if name == MUSTER_ID and self.id_column is not None:
            return self.id_column
        try:
            return self.header.index(name)
        except ValueError:
            return None


@dataclass
class Workbook:
    tabs: list[Tab]

    @property
    def cells(self) -> int:
        return sum(tab.cells for tab in self.tabs)

    def tab_for(self, dataset: str) -> Tab | None:
        """The tab that shows ``dataset``, by Muster's metadata on it (so a renamed tab is still found)."""
        return next((tab for tab in self.tabs if tab.dataset == dataset), None)

    def sheet_ids(self) -> set[int]:
        return {tab.sheet_id for tab in self.tabs}

    def titles(self) -> set[str]:
        return {tab.title for tab in self.tabs}


def parse(resource: dict) -> Workbook:
    """The ``Spreadsheet`` resource of the read, as tabs."""
    return Workbook([_tab(sheet) for sheet in resource.get("sheets", [])])


def _tab(sheet: dict) -> Tab:
    props = sheet.get("properties", {})
    grid = props.get("gridProperties", {})
    metadata = {m.get("metadataKey"): m.get("metadataValue") for m in sheet.get("developerMetadata", [])}
    tab = Tab(
        sheet_id=props.get("sheetId", 0),
        title=props.get("title", ""),
        row_count=grid.get("rowCount", 0),
        column_count=grid.get("columnCount", 0),
        frozen_rows=grid.get("frozenRowCount", 0),
        dataset=metadata.get(KEY_DATASET),
    )
    _read_grids(tab, sheet.get("data", []))
    for protected in sheet.get("protectedRanges", []):
        span = protected.get("range", {})
        if tab.header_row is not None and span.get("startRowIndex", 0) <= tab.header_row < span.get("endRowIndex", 1):
            tab.protected_header = True
    return tab


def _read_grids(tab: Tab, grids: list[dict]) -> None:
    """Tell the header row (one row of several cells: Muster owns at least three columns) from
    the id column (one cell per row, from the top of the tab)."""
    for grid in grids:
        texts = [[cell_text(value) for value in row.get("values", [])] for row in grid.get("rowData", [])]
        start_row, start_column = grid.get("startRow", 0), grid.get("startColumn", 0)
        if len(texts) == 1 and len(texts[0]) > 1:
            tab.header_row, tab.header = start_row, texts[0]
        else:
            tab.id_column = start_column
            _read_ids(tab, texts, start_row)
    if tab.id_column is None and MUSTER_ID in tab.header:
        tab.id_column = tab.header.index(MUSTER_ID)


def _read_ids(tab: Tab, texts: list[list[str]], start_row: int) -> None:
    """Row of each Muster ID (the first, if a person copied a row: the copy is theirs)."""
    for offset, row in enumerate(texts):
        muster_id = row[0].strip() if row else ""
        if muster_id and muster_id != MUSTER_ID and muster_id not in tab.rows_by_id:
            tab.rows_by_id[muster_id] = start_row + offset
