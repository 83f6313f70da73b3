"""``spreadsheets.values``: get, batchGet, update, batchUpdate, append, clear, batchClear."""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.sheets.a1 import column_letters
from sandbox.sheets.cells import INPUT_OPTIONS, RENDER_OPTIONS, read_input, render
from sandbox.sheets.errors import invalid
from sandbox.sheets.workbook import (
    Rect,
    Sheet,
    Spreadsheet,
    bounded,
    cell_limit_error,
    check_inside_grid,
    locate,
)


def _dimension(value: str | None) -> str:
    value = value or "ROWS"
    if value not in ("ROWS", "COLUMNS"):
        raise invalid(f"Invalid value at 'major_dimension' ({value})")
    return value


def _render_option(value: str | None) -> str:
    value = value or "FORMATTED_VALUE"
    if value not in RENDER_OPTIONS:
        raise invalid(f"Invalid value at 'value_render_option' ({value})")
    return value


def _input_option(value: str | None) -> str:
    if not value:
        raise invalid("'valueInputOption' is required but not specified")
    if value not in INPUT_OPTIONS:
        raise invalid(f"Invalid value at 'value_input_option' ({value})")
    return value


def _transpose(rows: list[list]) -> list[list]:
    width = max((len(r) for r in rows), default=0)
    return [[r[c] if c < len(r) else None for r in rows] for c in range(width)]


def read_block(rect: Rect, dimension: str, option: str, date_time: str = "SERIAL_NUMBER") -> list[list]:
    """The values in ``rect`` with trailing empty rows and cells dropped, as Sheets returns them."""
    grid = rect.sheet.cells
    rows: list[list] = []
    for r in range(rect.start_row, min(rect.end_row, len(grid.values))):
        stored = grid.values[r]
        row = list(stored[rect.start_col : rect.end_col]) if stored else []
        while row and row[-1] is None:
            row.pop()
        rows.append(
            [
                "" if v is None else render(v, option, grid.get_format(r, rect.start_col + i), date_time)
                for i, v in enumerate(row)
            ]
        )
    while rows and not rows[-1]:
        rows.pop()
    if dimension == "COLUMNS":
        rows = [[("" if v is None else v) for v in col] for col in _transpose(rows)]
        while rows and all(v == "" for v in rows[-1]):
            rows.pop()
    return rows


def _date_time_option(value: str | None) -> str:
    value = value or "SERIAL_NUMBER"
    if value not in ("SERIAL_NUMBER", "FORMATTED_STRING"):
        raise invalid(f"Invalid value at 'date_time_render_option' ({value})")
    return value


def get_range(
    book: Spreadsheet, text: str, dimension: str | None, option: str | None, date_time: str | None = None
) -> dict:
    """One ``ValueRange`` for a read."""
    sheet, parsed = locate(book, text)
    rect = bounded(sheet, parsed)
    check_inside_grid(rect, text)
    dimension = _dimension(dimension)
    body = {"range": rect.a1(), "majorDimension": dimension}
    values = read_block(rect, dimension, _render_option(option), _date_time_option(date_time))
    if values:
        body["values"] = values
    return body


@dataclass
class PlannedWrite:
    """A validated write, applied only once every write in the request has validated."""

    sheet: Sheet
    start_row: int
    start_col: int
    rows: list[list]  # stored values (None: leave alone, "": clear)
    new_row_count: int
    new_column_count: int


def plan_write(book: Spreadsheet, text: str, value_range: dict, option: str, *, bounded_by_range=True):
    """Validate writing ``value_range`` at ``text``; nothing changes yet. An append writes from
    the range's first cell however wide its values are (``bounded_by_range=False``).
    """
    sheet, parsed = locate(book, text)
    rows = value_range.get("values") or []
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise invalid("Invalid values: 'values' must be a list of lists.")
    if _dimension(value_range.get("majorDimension")) == "COLUMNS":
        rows = _transpose(rows)
    start_row, start_col = parsed.start_row or 0, parsed.start_col or 0
    height, width = len(rows), max((len(r) for r in rows), default=0)
    rect_a1 = bounded(sheet, parsed).a1()
    end_row, end_col = (parsed.end_row, parsed.end_col) if bounded_by_range else (None, None)
    if end_row is not None and start_row + height > end_row:
        raise invalid(f"Requested writing within range [{rect_a1}], but tried writing to row [{start_row + height}]")
    if end_col is not None and start_col + width > end_col:
        raise invalid(
            f"Requested writing within range [{rect_a1}], but tried writing to column "
            f"[{column_letters(start_col + width - 1)}]"
        )
    stored = [[read_input(v, option) for v in row] for row in rows]
    # writes past the grid grow it, as Sheets does, within the workbook's cell limit
    return PlannedWrite(
        sheet,
        start_row,
        start_col,
        stored,
        max(sheet.row_count, start_row + height),
        max(sheet.column_count, start_col + width),
    )


def check_growth(book: Spreadsheet, plans: list[PlannedWrite], limit: int) -> None:
    """400 if applying ``plans`` would take the workbook past ``limit`` cells."""
    grown = {}
    for plan in plans:
        rows, cols = grown.get(plan.sheet.sheet_id, (plan.sheet.row_count, plan.sheet.column_count))
        grown[plan.sheet.sheet_id] = (max(rows, plan.new_row_count), max(cols, plan.new_column_count))
    total = 0
    for sheet in book.sheets:
        rows, cols = grown.get(sheet.sheet_id, (sheet.row_count, sheet.column_count))
        total += rows * cols
    if total > limit:
        raise cell_limit_error(limit)


def apply_write(book: Spreadsheet, plan: PlannedWrite) -> dict:
    """Write ``plan`` and return its ``UpdateValuesResponse``."""
    sheet = plan.sheet
    sheet.row_count = max(sheet.row_count, plan.new_row_count)
    sheet.column_count = max(sheet.column_count, plan.new_column_count)
    touched_rows, touched_cols, cells = set(), set(), 0
    for dr, row in enumerate(plan.rows):
        for dc, value in enumerate(row):
            if value is None:
                continue
            key = (plan.start_row + dr, plan.start_col + dc)
            sheet.cells.set(*key, None if value == "" else value)
            touched_rows.add(key[0])
            touched_cols.add(key[1])
            cells += 1
    height, width = len(plan.rows), max((len(r) for r in plan.rows), default=0)
    body = {"spreadsheetId": book.spreadsheet_id}
    if cells:
        end_row, end_col = plan.start_row + max(height, 1), plan.start_col + max(width, 1)
        body["updatedRange"] = Rect(sheet, plan.start_row, plan.start_col, end_row, end_col).a1()
        body.update(updatedRows=len(touched_rows), updatedColumns=len(touched_cols), updatedCells=cells)
    return body


def _where(book: Spreadsheet, text: str) -> tuple:
    sheet, parsed = locate(book, text)
    return (sheet.sheet_id, parsed.start_row, parsed.start_col, parsed.end_row, parsed.end_col)


def update(book: Spreadsheet, text: str, value_range: dict, option: str | None, limit: int) -> dict:
    """``values.update``."""
    option = _input_option(option)
    if value_range.get("range") and _where(book, value_range["range"]) != _where(book, text):
        raise invalid(
            f"Requested writing within range [{text}], but the range in the request body was [{value_range['range']}]"
        )
    plan = plan_write(book, text, value_range, option)
    check_growth(book, [plan], limit)
    return apply_write(book, plan)


def write_from(book: Spreadsheet, text: str, rows: list[list], option: str, limit: int) -> dict:
    """Write ``rows`` from the first cell of ``text`` however far they reach (a person typing)."""
    plan = plan_write(book, text, {"values": rows}, option, bounded_by_range=False)
    check_growth(book, [plan], limit)
    return apply_write(book, plan)


def batch_update(book: Spreadsheet, body: dict, limit: int) -> dict:
    """``values.batchUpdate``: every range validates before any is written."""
    option = _input_option(body.get("valueInputOption"))
    data = body.get("data") or []
    plans = []
    for i, value_range in enumerate(data):
        if not value_range.get("range"):
            raise invalid(f"Invalid data[{i}]: range is required")
        plans.append(plan_write(book, value_range["range"], value_range, option))
    check_growth(book, plans, limit)
    responses = [apply_write(book, plan) for plan in plans]
    written = [r for r in responses if "updatedCells" in r]
    return {
        "spreadsheetId": book.spreadsheet_id,
        "totalUpdatedRows": sum(r["updatedRows"] for r in written),
        "totalUpdatedColumns": sum(r["updatedColumns"] for r in written),
        "totalUpdatedCells": sum(r["updatedCells"] for r in written),
        "totalUpdatedSheets": len(
            {p.sheet.sheet_id for p, r in zip(plans, responses, strict=True) if "updatedCells" in r}
        ),
        "responses": responses,
    }


def append(book: Spreadsheet, text: str, value_range: dict, option: str | None, limit: int) -> dict:
    """``values.append``: write below the last row that has data in the range's columns."""
    option = _input_option(option)
    sheet, parsed = locate(book, text)
    rect = bounded(sheet, parsed)
    last = sheet.cells.last_data_row(rect.start_col, rect.end_col)
    used = last is not None and last >= rect.start_row
    next_row = last + 1 if used else rect.start_row
    table = Rect(sheet, rect.start_row, rect.start_col, max(next_row, rect.start_row + 1), rect.end_col)
    target = Rect(sheet, next_row, rect.start_col, next_row + 1, rect.end_col)
    start = f"{target.a1().split('!')[0]}!{column_letters(rect.start_col)}{next_row + 1}"
    plan = plan_write(book, start, value_range, option, bounded_by_range=False)
    check_growth(book, [plan], limit)
    body = {"spreadsheetId": book.spreadsheet_id, "updates": apply_write(book, plan)}
    if used:
        body["tableRange"] = table.a1()
    return body


def clear(book: Spreadsheet, text: str) -> str:
    """Remove values (not formatting) in the range; returns the cleared range in A1."""
    sheet, parsed = locate(book, text)
    rect = bounded(sheet, parsed)
    end_row, end_col = min(rect.end_row, sheet.row_count), min(rect.end_col, sheet.column_count)
    rect = Rect(sheet, rect.start_row, rect.start_col, end_row, end_col)
    sheet.cells.clear(rect.start_row, end_row, rect.start_col, end_col)
    return rect.a1()


def with_updated_data(book: Spreadsheet, response: dict, render_option: str | None) -> dict:
    """``includeValuesInResponse=true``: the response's ``updatedData``, the written range read back."""
    written = response.get("updatedRange")
    if written is not None:
        response["updatedData"] = get_range(book, written, None, render_option)
    return response
