"""``batchUpdate`` requests that touch cells, dimensions, protections and developer metadata.

Each function applies one request to the draft workbook ``batch_update`` works on (so a
later invalid request leaves the real one untouched) and returns its reply (``{}`` where
the ``Response`` schema has none). Errors name the request as Google does:
``Invalid requests[3].updateCells: ...``.
"""

from __future__ import annotations

from sandbox.sheets import metadata as md
from sandbox.sheets.cells import Formula
from sandbox.sheets.errors import invalid
from sandbox.sheets.numfmt import TYPES
from sandbox.sheets.workbook import Rect, Sheet, Spreadsheet, cell_limit_error

MAX_COLUMNS = 18_278  # column ZZZ, Google's per-sheet column limit
CELL_FIELDS = ("userEnteredValue", "userEnteredFormat")


class Batch:
    """What one batchUpdate knows while it applies: the draft, the caller, ids, cells written."""

    def __init__(self, state, book: Spreadsheet, project: str | None):
        self.state, self.book, self.project = state, book, project
        self.cells_written = 0
        self._metadata_ids: set[int] | None = None

    def metadata_ids(self) -> set[int]:
        """The ids in use (kept up to date by create; recomputed after deletes)."""
        if self._metadata_ids is None:
            self._metadata_ids = {m.metadata_id for m in self.book.metadata}
        return self._metadata_ids

    def forget_metadata_ids(self) -> None:
        self._metadata_ids = None

    def new_id(self, taken) -> int:
        while True:
            candidate = self.state.rng.randint(1, 2**31 - 1)
            if candidate not in taken:
                return candidate


# --- ranges -------------------------------------------------------------------------------


def sheet_of(book: Spreadsheet, sheet_id, where: str) -> Sheet:
    sheet = book.sheet_with_id(sheet_id if sheet_id is not None else 0)
    if sheet is None:
        raise invalid(f"{where}: No grid with id: {sheet_id if sheet_id is not None else 0}")
    return sheet


def grid_rect(book: Spreadsheet, grid_range: dict, where: str) -> Rect:
    """A ``GridRange`` (open ends reach the grid's edge), 400 past the grid."""
    grid_range = grid_range or {}
    sheet = sheet_of(book, grid_range.get("sheetId"), where)
    r0, c0 = grid_range.get("startRowIndex", 0), grid_range.get("startColumnIndex", 0)
    r1, c1 = grid_range.get("endRowIndex", sheet.row_count), grid_range.get("endColumnIndex", sheet.column_count)
    for name, value in (("startRowIndex", r0), ("endRowIndex", r1), ("startColumnIndex", c0), ("endColumnIndex", c1)):
        if not isinstance(value, int) or value < 0:
            raise invalid(f"{where}: Invalid value at '{name}' ({value})")
    if r0 > r1 or c0 > c1:
        raise invalid(f"{where}: the range's start must not be after its end.")
    rect = Rect(sheet, r0, c0, r1, c1)
    if r1 > sheet.row_count or c1 > sheet.column_count:
        shown = rect.a1() if r1 > r0 and c1 > c0 else sheet.title
        raise invalid(
            f"{where}: Range ({shown}) exceeds grid limits. Max rows: {sheet.row_count}, "
            f"max columns: {sheet.column_count}"
        )
    return rect


def dimension_span(book: Spreadsheet, span: dict, where: str, *, insert: bool = False) -> tuple[Sheet, str, int, int]:
    """A ``DimensionRange`` as (sheet, ROWS | COLUMNS, start, end)."""
    span = span or {}
    sheet = sheet_of(book, span.get("sheetId"), where)
    dimension = span.get("dimension")
    if dimension not in ("ROWS", "COLUMNS"):
        raise invalid(f"{where}: range.dimension must be ROWS or COLUMNS.")
    size = sheet.row_count if dimension == "ROWS" else sheet.column_count
    start, end = span.get("startIndex"), span.get("endIndex")
    if not isinstance(start, int) or not isinstance(end, int) or start < 0 or start >= end:
        raise invalid(f"{where}: range must have 0 <= startIndex < endIndex (got {start}, {end}).")
    if (start > size) if insert else (end > size):
        raise invalid(f"{where}: range [{start}, {end}) is past the {size} {dimension.lower()} of the grid.")
    return sheet, dimension, start, end


# --- cells --------------------------------------------------------------------------------


def cell_mask(fields: str | None, where: str) -> tuple[bool, str | None]:
    """(write values?, format part: None, ``"*"`` or ``"numberFormat"``) from a CellData mask."""
    if not fields:
        raise invalid(f"{where}: At least one field must be specified in 'fields'.")
    values, fmt = False, None
    for name in (f.strip() for f in fields.split(",")):
        if name == "*":
            return True, "*"
        if name == "userEnteredValue":
            values = True
        elif name == "userEnteredFormat":
            fmt = "*"
        elif name == "userEnteredFormat.numberFormat":
            fmt = fmt or "numberFormat"
        elif name:
            raise invalid(
                f"{where}: the Muster sandbox cannot update the field '{name}' (only {', '.join(CELL_FIELDS)})."
            )
    return values, fmt


def _value(cell, where: str):
    entered = cell.get("userEnteredValue") if cell else None
    if not entered:
        return None
    if len(entered) != 1:
        raise invalid(f"{where}: Oneof field 'value' is already set. Cannot set '{list(entered)[1]}'")
    ((kind, value),) = entered.items()
    kind_of = type(value)
    if kind == "stringValue" and kind_of is str:
        return value or None
    if kind == "numberValue" and (kind_of is int or kind_of is float):
        return value
    if kind == "boolValue" and kind_of is bool:
        return value
    if kind == "formulaValue" and kind_of is str:
        return Formula(value)
    if kind == "errorValue":
        raise invalid(f"{where}: the Muster sandbox cannot store an errorValue.")
    raise invalid(f"{where}: Invalid value at 'user_entered_value.{kind}' ({value!r})")


def _format(grid, r: int, c: int, cell, fmt_part: str, where: str) -> None:
    given = (cell or {}).get("userEnteredFormat")
    if given and "numberFormat" in given and given["numberFormat"].get("type") not in TYPES:
        raise invalid(f"{where}: Invalid value at 'number_format.type' ({given['numberFormat'].get('type')})")
    if fmt_part == "*":
        grid.set_format(r, c, dict(given) if given else None)
        return
    current = dict(grid.get_format(r, c) or {})
    if given and "numberFormat" in given:
        current["numberFormat"] = given["numberFormat"]
    else:
        current.pop("numberFormat", None)
    grid.set_format(r, c, current or None)


def write_rows(batch: Batch, rect: Rect, rows: list, mask: tuple[bool, str | None], where: str, *, fill: bool):
    """Write ``rows`` (``RowData``) from ``rect``'s corner; ``fill``: clear the rest of ``rect``."""
    values_too, fmt_part = mask
    grid = rect.sheet.cells
    height = rect.end_row - rect.start_row if fill else len(rows)
    if len(rows) > height:
        raise invalid(f"{where}: {len(rows)} rows do not fit the range's {height} rows.")
    for dr in range(height):
        r = rect.start_row + dr
        row = rows[dr] if dr < len(rows) else None
        cells = (row or {}).get("values") or []
        width = rect.end_col - rect.start_col if fill else len(cells)
        if len(cells) > width:
            raise invalid(f"{where}: row {dr} has {len(cells)} cells but the range is {width} columns wide.")
        padded = cells + [None] * (width - len(cells))
        if values_too:
            new = [_value(cell, where) for cell in padded]
            if grid.row(r) is not None or any(v is not None for v in new):
                grid.set_row(r, rect.start_col, new)
        if fmt_part:
            existing = grid.formats[r] if r < len(grid.formats) else None
            for dc, cell in enumerate(padded):
                c = rect.start_col + dc
                if (cell and "userEnteredFormat" in cell) or (existing and c in existing):
                    _format(grid, r, c, cell, fmt_part, where)
        batch.cells_written += width


def update_cells(batch: Batch, req: dict, where: str) -> dict:
    rows = req.get("rows") or []
    mask = cell_mask(req.get("fields"), where)
    if "start" in req and "range" in req:
        raise invalid(f"{where}: Oneof field 'area' is already set. Cannot set 'range'")
    if "range" in req:
        rect = grid_rect(batch.book, req["range"], where)
        write_rows(batch, rect, rows, mask, where, fill=True)
        return {}
    start = req.get("start")
    if start is None:
        raise invalid(f"{where}: one of start or range must be set.")
    sheet = sheet_of(batch.book, start.get("sheetId"), where)
    r0, c0 = start.get("rowIndex", 0), start.get("columnIndex", 0)
    height = len(rows)
    width = max((len((row or {}).get("values") or []) for row in rows), default=0)
    if r0 + height > sheet.row_count or c0 + width > sheet.column_count:
        rect = Rect(sheet, r0, c0, r0 + max(height, 1), c0 + max(width, 1))
        raise invalid(
            f"{where}: Range ({rect.a1()}) exceeds grid limits. Max rows: {sheet.row_count}, "
            f"max columns: {sheet.column_count}"
        )
    write_rows(batch, Rect(sheet, r0, c0, r0 + height, c0 + width), rows, mask, where, fill=False)
    return {}


def append_cells(batch: Batch, req: dict, where: str) -> dict:
    """After the last row with data, growing the grid by the rows it needs."""
    sheet = sheet_of(batch.book, req.get("sheetId"), where)
    rows = req.get("rows") or []
    mask = cell_mask(req.get("fields"), where)
    last = sheet.cells.last_data_row(0, sheet.column_count)
    start = 0 if last is None else last + 1
    width = max((len((row or {}).get("values") or []) for row in rows), default=0)
    if width > sheet.column_count:
        raise invalid(f"{where}: a row of {width} cells is wider than the sheet's {sheet.column_count} columns.")
    sheet.row_count = max(sheet.row_count, start + len(rows))
    write_rows(batch, Rect(sheet, start, 0, start + len(rows), width), rows, mask, where, fill=False)
    return {}


def repeat_cell(batch: Batch, req: dict, where: str) -> dict:
    rect = grid_rect(batch.book, req.get("range"), where)
    mask = cell_mask(req.get("fields"), where)
    cell = req.get("cell") or {}
    width = rect.end_col - rect.start_col
    row = {"values": [cell] * width}
    write_rows(batch, rect, [row] * (rect.end_row - rect.start_row), mask, where, fill=True)
    return {}


def sort_key(value):
    """Numbers (and date-times) first, then text (ignoring case), then booleans."""
    if isinstance(value, bool):
        return (2, value)
    if isinstance(value, int | float):
        return (0, value)
    if isinstance(value, Formula):
        return (1, value.text.lower())
    return (1, value.lower())


def sort_rows(book: Spreadsheet, rect: Rect, specs: list[tuple[int, bool]]) -> None:
    """Sort ``rect``'s rows by ``specs`` (column, descending); empty cells go last.

    When ``rect`` spans every column, whole rows move, and one-row developer metadata with them.
    """
    grid = rect.sheet.cells
    end = min(rect.end_row, len(grid.values))
    order = list(range(rect.start_row, end))
    for column, descending in reversed(specs):
        full = [r for r in order if grid.get(r, column) is not None]
        empty = [r for r in order if grid.get(r, column) is None]
        full.sort(key=lambda r: sort_key(grid.get(r, column)), reverse=descending)
        order = full + empty
    if order == list(range(rect.start_row, end)):
        return
    whole = rect.start_col == 0 and rect.end_col >= rect.sheet.column_count
    if whole:
        grid.reorder_rows(rect.start_row, order)
        md.on_reorder(book, rect.sheet.sheet_id, rect.start_row, order)
        return
    cols = range(rect.start_col, rect.end_col)
    moved = [([grid.get(r, c) for c in cols], [grid.get_format(r, c) for c in cols]) for r in order]
    for i, (values, formats) in enumerate(moved):
        r = rect.start_row + i
        for c, value, fmt in zip(cols, values, formats, strict=True):
            grid.set(r, c, value)
            grid.set_format(r, c, fmt)


def sort_range(batch: Batch, req: dict, where: str) -> dict:
    rect = grid_rect(batch.book, req.get("range"), where)
    specs = []
    for i, spec in enumerate(req.get("sortSpecs") or []):
        column = spec.get("dimensionIndex")
        if not isinstance(column, int) or not rect.start_col <= column < rect.end_col:
            raise invalid(f"{where}: sortSpecs[{i}].dimensionIndex ({column}) is outside the range's columns.")
        order = spec.get("sortOrder", "ASCENDING")
        if order not in ("ASCENDING", "DESCENDING"):
            raise invalid(f"{where}: Invalid value at 'sort_specs[{i}].sort_order' ({order})")
        specs.append((column, order == "DESCENDING"))
    if not specs:
        raise invalid(f"{where}: at least one sortSpec is required.")
    sort_rows(batch.book, rect, specs)
    return {}


# --- dimensions ---------------------------------------------------------------------------


def _move_protections(sheet: Sheet, dimension: str, change) -> None:
    lo, hi = ("startRowIndex", "endRowIndex") if dimension == "ROWS" else ("startColumnIndex", "endColumnIndex")
    kept = []
    for protected in sheet.protected_ranges:
        span = protected["range"]
        start, end = span.get(lo, 0), span.get(hi)
        moved = change(start, end if end is not None else 10**9)
        if moved is None:
            continue
        span[lo] = moved[0]
        if end is not None:
            span[hi] = moved[1]
        if span[lo] == 0:
            span.pop(lo)
        kept.append(protected)
    sheet.protected_ranges = kept


def insert_rows_or_columns(book: Spreadsheet, sheet: Sheet, dimension: str, at: int, count: int) -> None:
    """Insert and move cells, metadata and protections after ``at`` (shared with the control API)."""
    if dimension == "ROWS":
        sheet.row_count += count
        sheet.cells.insert_rows(at, count)
    else:
        sheet.column_count += count
        sheet.cells.insert_columns(at, count)
    md.on_insert(book, sheet.sheet_id, "ROW" if dimension == "ROWS" else "COLUMN", at, count)
    _move_protections(sheet, dimension, lambda s, e: md.shift_insert(s, e, at, count))


def insert_dimension(batch: Batch, req: dict, where: str) -> dict:
    sheet, dimension, start, end = dimension_span(batch.book, req.get("range"), where, insert=True)
    if req.get("inheritFromBefore") and start == 0:
        raise invalid(f"{where}: Cannot inherit from before the first {dimension.lower()[:-1]}.")
    insert_rows_or_columns(batch.book, sheet, dimension, start, end - start)
    return {}


def append_dimension(batch: Batch, req: dict, where: str) -> dict:
    sheet = sheet_of(batch.book, req.get("sheetId"), where)
    length = req.get("length", 0)
    if not isinstance(length, int) or length < 1:
        raise invalid(f"{where}: length must be at least 1")
    if req.get("dimension") == "COLUMNS":
        sheet.column_count += length
    else:
        sheet.row_count += length
    return {}


def delete_dimension(batch: Batch, req: dict, where: str) -> dict:
    sheet, dimension, start, end = dimension_span(batch.book, req.get("range"), where)
    if dimension == "ROWS":
        if end - start >= sheet.row_count - sheet.frozen_row_count and start <= sheet.frozen_row_count:
            raise invalid(f"{where}: You can't delete all the rows on the sheet.")
        sheet.cells.delete_rows(start, end)
        sheet.row_count -= end - start
        sheet.frozen_row_count = min(sheet.frozen_row_count, sheet.row_count - 1)
    else:
        if end - start >= sheet.column_count:
            raise invalid(f"{where}: You can't delete all the columns on the sheet.")
        sheet.cells.delete_columns(start, end)
        sheet.column_count -= end - start
    md.on_delete(batch.book, sheet.sheet_id, "ROW" if dimension == "ROWS" else "COLUMN", start, end)
    batch.forget_metadata_ids()
    _move_protections(sheet, dimension, lambda s, e: md.shift_delete(s, e, start, end))
    return {}


# --- protections --------------------------------------------------------------------------


def add_protected_range(batch: Batch, req: dict, where: str) -> dict:
    protected = dict(req.get("protectedRange") or {})
    span = protected.get("range") or {}
    rect = grid_rect(batch.book, span, where)
    taken = {p["protectedRangeId"] for s in batch.book.sheets for p in s.protected_ranges}
    if protected.get("protectedRangeId") in taken:
        raise invalid(f"{where}: A protected range with ID {protected['protectedRangeId']} already exists.")
    if protected.get("warningOnly") and protected.get("editors"):
        raise invalid(f"{where}: A warning-only protected range cannot have editors.")
    if "namedRangeId" in protected or protected.get("unprotectedRanges"):
        raise invalid(f"{where}: the Muster sandbox protects GridRanges only (no namedRangeId, unprotectedRanges).")
    protected["protectedRangeId"] = protected.get("protectedRangeId") or batch.new_id(taken)
    # proto3 JSON leaves zeros out, as Google's answers do
    protected["range"] = {k: v for k, v in {**span, "sheetId": rect.sheet.sheet_id}.items() if v}
    protected["requestingUserCanEdit"] = True
    if not protected.get("warningOnly"):
        protected["editors"] = {
            "users": sorted({*(protected.get("editors") or {}).get("users", []), batch.book.owner or ""} - {""})
        }
    rect.sheet.protected_ranges.append(protected)
    return {"addProtectedRange": {"protectedRange": protected}}


def delete_protected_range(batch: Batch, req: dict, where: str) -> dict:
    wanted = req.get("protectedRangeId")
    for sheet in batch.book.sheets:
        for protected in sheet.protected_ranges:
            if protected["protectedRangeId"] == wanted:
                sheet.protected_ranges.remove(protected)
                return {}
    raise invalid(f"{where}: No protected range with id: {wanted}")


# --- developer metadata -------------------------------------------------------------------


def create_developer_metadata(batch: Batch, req: dict, where: str) -> dict:
    body = req.get("developerMetadata") or {}
    book = batch.book
    if not body.get("metadataKey"):
        raise invalid(f"{where}: metadataKey is required.")
    visibility = body.get("visibility")
    if visibility not in md.VISIBILITIES:
        raise invalid(f"{where}: visibility must be DOCUMENT or PROJECT.")
    taken = batch.metadata_ids()
    wanted = body.get("metadataId")
    if wanted is not None and (not isinstance(wanted, int) or wanted < 1):
        raise invalid(f"{where}: metadataId must be a positive integer.")
    if wanted in taken:
        raise invalid(f"{where}: Developer metadata with ID {wanted} already exists.")
    kind, sheet_id, start, end = md.parse_location(book, body.get("location"), where)
    location = body.get("location") or {}
    if "locationType" in location and location["locationType"] != kind:
        raise invalid(f"{where}: location.locationType is {location['locationType']} but the location is a {kind}.")
    created = md.Metadata(
        wanted or batch.new_id(taken),
        body["metadataKey"],
        body.get("metadataValue"),
        visibility,
        batch.project,
        kind,
        sheet_id,
        start,
        end,
    )
    book.metadata.append(created)
    taken.add(created.metadata_id)
    return {"createDeveloperMetadata": {"developerMetadata": created.resource()}}


def update_developer_metadata(batch: Batch, req: dict, where: str) -> dict:
    book = batch.book
    fields = [f.strip() for f in (req.get("fields") or "").split(",") if f.strip()]
    if not fields:
        raise invalid(f"{where}: At least one field must be specified in 'fields'.")
    body = req.get("developerMetadata") or {}
    selected = md.select(book, req.get("dataFilters") or [], batch.project, f"{where}.dataFilters")
    if "*" in fields:
        fields = ["metadataKey", "metadataValue", "visibility", "location"]
    for field in fields:
        if field not in ("metadataKey", "metadataValue", "visibility", "location"):
            raise invalid(f"{where}: Invalid field mask path '{field}'.")
    location = md.parse_location(book, body.get("location"), where) if "location" in fields else None
    if "visibility" in fields and body.get("visibility") not in md.VISIBILITIES:
        raise invalid(f"{where}: visibility must be DOCUMENT or PROJECT.")
    if "metadataKey" in fields and not body.get("metadataKey"):
        raise invalid(f"{where}: metadataKey is required.")
    for found, _ in selected:
        if "metadataKey" in fields:
            found.key = body["metadataKey"]
        if "metadataValue" in fields:
            found.value = body.get("metadataValue")
        if "visibility" in fields:
            found.visibility = body["visibility"]
        if location is not None:
            found.location_type, found.sheet_id, found.start, found.end = location
    return {"updateDeveloperMetadata": {"developerMetadata": [found.resource() for found, _ in selected]}}


def delete_developer_metadata(batch: Batch, req: dict, where: str) -> dict:
    book = batch.book
    selected = md.select(book, [req.get("dataFilter") or {}], batch.project, f"{where}.dataFilter")
    doomed = {found.metadata_id for found, _ in selected}
    book.metadata = [m for m in book.metadata if m.metadata_id not in doomed]
    batch.forget_metadata_ids()
    reply = {}
    if selected:
        reply["deletedDeveloperMetadata"] = [found.resource() for found, _ in selected]
    return {"deleteDeveloperMetadata": reply}


KINDS = {
    "updateCells": update_cells,
    "appendCells": append_cells,
    "repeatCell": repeat_cell,
    "sortRange": sort_range,
    "insertDimension": insert_dimension,
    "appendDimension": append_dimension,
    "deleteDimension": delete_dimension,
    "addProtectedRange": add_protected_range,
    "deleteProtectedRange": delete_protected_range,
    "createDeveloperMetadata": create_developer_metadata,
    "updateDeveloperMetadata": update_developer_metadata,
    "deleteDeveloperMetadata": delete_developer_metadata,
}


def check_size(book: Spreadsheet, limit: int) -> None:
    """400 past Google's per-sheet column limit or the workbook's cell limit."""
    for sheet in book.sheets:
        if sheet.column_count > MAX_COLUMNS:
            raise invalid(
                f"This action would increase the number of columns in the sheet above the limit of {MAX_COLUMNS}."
            )
    if book.cell_count > limit:
        raise cell_limit_error(limit)
