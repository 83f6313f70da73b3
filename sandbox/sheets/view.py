"""What ``spreadsheets.get`` and ``getByDataFilter`` return: grid data for ranges, field masks.

``fields`` is Google's partial-response selector (``sheets(properties,protectedRanges)``,
``sheets/properties/title``, ``sheets.data.rowData.values.userEnteredValue``, ``*``): only
the selected fields come back, on every method. Grid data is built only when the selector
asks for ``sheets.data`` (or selects everything).
"""

from __future__ import annotations

from sandbox.sheets.a1 import A1Error, parse_range
from sandbox.sheets.cells import Formula, render
from sandbox.sheets.errors import invalid
from sandbox.sheets.workbook import Rect, Sheet, Spreadsheet, bounded, check_inside_grid

ROW_PIXELS = 21
COLUMN_PIXELS = 100

# --- partial responses --------------------------------------------------------------------


def parse_fields(text: str) -> dict:
    """``"a,b/c,d(e,f/g)"`` -> ``{"a": {}, "b": {"c": {}}, "d": {"e": {}, "f": {"g": {}}}}``
    (``{}``: the whole field).
    """
    tree: dict = {}
    rest = _parse_list(text.replace(" ", ""), 0, tree, text)
    if rest != len(text.replace(" ", "")):
        raise invalid(f"Invalid field selection {text}")
    return tree


def _parse_list(text: str, i: int, tree: dict, original: str) -> int:
    while True:
        start = i
        while i < len(text) and text[i] not in ",()":
            i += 1
        path = text[start:i]
        if not path:
            raise invalid(f"Invalid field selection {original}")
        node = tree
        for name in path.replace(".", "/").split("/"):
            if not name:
                raise invalid(f"Invalid field selection {original}")
            node = node.setdefault(name, {})
        if i < len(text) and text[i] == "(":
            i = _parse_list(text, i + 1, node, original)
            if i >= len(text) or text[i] != ")":
                raise invalid(f"Invalid field selection {original}")
            i += 1
        if i < len(text) and text[i] == ",":
            i += 1
            continue
        return i


def select(value, tree: dict):
    """``value`` with only the fields ``tree`` names (lists: each item)."""
    if not tree or ("*" in tree and len(tree) == 1 and not tree["*"]):
        return value
    if isinstance(value, list):
        return [select(item, tree) for item in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        if key in tree:
            out[key] = select(item, tree[key])
        elif "*" in tree:
            out[key] = select(item, tree["*"])
    return out


def wants(tree: dict | None, *path: str) -> bool:
    """Does the selector ``tree`` (None: no selector) reach ``path``?"""
    if tree is None:
        return False
    node = tree
    for name in path:
        if not node or ("*" in node and not node["*"]):
            return True
        if name in node:
            node = node[name]
        elif "*" in node:
            node = node["*"]
        else:
            return False
    return True


# --- grid data ----------------------------------------------------------------------------


def extended(value) -> dict:
    if isinstance(value, Formula):
        return {"formulaValue": value.text}
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int | float):
        return {"numberValue": value}
    return {"stringValue": value}


CELL_PARTS = ("userEnteredValue", "effectiveValue", "formattedValue", "userEnteredFormat")


def cell_data(value, fmt: dict | None, parts=CELL_PARTS) -> dict:
    """``CellData`` for one cell: entered and effective value, formatted value, entered format
    (only the ``parts`` a field mask asks for).
    """
    cell: dict = {}
    if value is not None:
        if "userEnteredValue" in parts:
            cell["userEnteredValue"] = extended(value)
        if "effectiveValue" in parts and not isinstance(value, Formula):  # formulas are not evaluated
            cell["effectiveValue"] = extended(value)
        if "formattedValue" in parts:
            cell["formattedValue"] = render(value, "FORMATTED_VALUE", fmt)
    if fmt and "userEnteredFormat" in parts:
        cell["userEnteredFormat"] = fmt
    return cell


class MetadataIndex:
    """Row and column developer metadata by (sheet, kind) and index, built once per answer
    (an answer with 100,000 matched rows must not scan every entry for each).
    """

    def __init__(self, book: Spreadsheet, project: str | None):
        self.by_place: dict[tuple[int, str], dict[int, list[dict]]] = {}
        for m in book.metadata:
            if m.location_type in ("ROW", "COLUMN") and m.visible_to(project):
                place = self.by_place.setdefault((m.sheet_id, m.location_type), {})
                resource = m.resource()
                for i in range(m.start, m.end):
                    place.setdefault(i, []).append(resource)

    def dimension(self, sheet: Sheet, kind: str, start: int, end: int) -> list[dict]:
        pixels = ROW_PIXELS if kind == "ROW" else COLUMN_PIXELS
        place = self.by_place.get((sheet.sheet_id, kind), {})
        out = []
        for i in range(start, end):
            entry = {"pixelSize": pixels}
            if i in place:
                entry["developerMetadata"] = list(place[i])
            out.append(entry)
        return out


def grid_data(
    book: Spreadsheet, rect: Rect, project: str | None, index: MetadataIndex | None = None, tree: dict | None = None
) -> dict:
    """``GridData`` for ``rect``: row data (trailing empties trimmed), row and column metadata;
    with a selector ``tree`` (the ``fields`` of the answer), only the parts it reaches are built.
    """

    def wanted(*path: str) -> bool:
        return tree is None or wants(tree, "sheets", "data", *path)

    grid = rect.sheet.cells
    rows = []
    if wanted("rowData"):
        parts = tuple(p for p in CELL_PARTS if wanted("rowData", "values", p))
        for r in range(rect.start_row, min(rect.end_row, len(grid.values))):
            stored = grid.values[r] or []
            formats = grid.formats[r] or {}
            end = min(rect.end_col, max(len(stored), max(formats, default=-1) + 1))
            cells = [
                cell_data(stored[c] if c < len(stored) else None, formats.get(c), parts)
                for c in range(rect.start_col, end)
            ]
            while cells and not cells[-1]:
                cells.pop()
            rows.append({"values": cells} if cells else {})
        while rows and not rows[-1]:
            rows.pop()
    body: dict = {}
    if rect.start_row:
        body["startRow"] = rect.start_row
    if rect.start_col:
        body["startColumn"] = rect.start_col
    if rows:
        body["rowData"] = rows
    index = index or MetadataIndex(book, project)
    if wanted("rowMetadata"):
        body["rowMetadata"] = index.dimension(rect.sheet, "ROW", rect.start_row, rect.end_row)
    if wanted("columnMetadata"):
        body["columnMetadata"] = index.dimension(rect.sheet, "COLUMN", rect.start_col, rect.end_col)
    return body


def a1_rect(book: Spreadsheet, text: str) -> Rect:
    try:
        parsed = parse_range(text, [s.title for s in book.sheets])
    except A1Error as exc:
        raise invalid(str(exc)) from None
    sheet = book.first_sheet() if parsed.sheet is None else book.sheet_titled(parsed.sheet)
    if sheet is None:
        raise invalid(f"Unable to parse range: {text}")
    rect = bounded(sheet, parsed)
    check_inside_grid(rect, text)
    return rect


def spreadsheet(
    book: Spreadsheet, project: str | None, rects: list[Rect] | None, grid: bool, tree: dict | None
) -> dict:
    """The Spreadsheet resource; ``rects`` limits the sheets (and grid data) to those ranges."""
    body = book.resource(project)
    if rects is not None:
        chosen = {r.sheet.sheet_id for r in rects}
        body["sheets"] = [s for s in body["sheets"] if s["properties"]["sheetId"] in chosen]
    build = grid and (tree is None or wants(tree, "sheets", "data"))
    if build:
        index = MetadataIndex(book, project)
        for entry in body["sheets"]:
            sheet = book.sheet_with_id(entry["properties"]["sheetId"])
            mine = [r for r in rects if r.sheet is sheet] if rects is not None else []
            if not mine:
                mine = [Rect(sheet, 0, 0, sheet.row_count, sheet.column_count)]
            entry["data"] = [grid_data(book, r, project, index, tree) for r in mine]
    return body


def filter_rects(book: Spreadsheet, filters: list, project: str | None) -> list[Rect]:
    """The ranges ``DataFilter``s select: A1 and grid ranges, and the locations of the
    developer metadata a ``developerMetadataLookup`` matches.
    """
    from sandbox.sheets import metadata as md
    from sandbox.sheets.updates import grid_rect

    rects = []
    for i, data_filter in enumerate(filters):
        where = f"Invalid dataFilters[{i}]"
        data_filter = data_filter or {}
        if len(data_filter) != 1:
            raise invalid(f"{where}: exactly one of developerMetadataLookup, a1Range or gridRange must be set.")
        if "a1Range" in data_filter:
            rects.append(a1_rect(book, data_filter["a1Range"]))
        elif "gridRange" in data_filter:
            rects.append(grid_rect(book, data_filter["gridRange"], where))
        else:
            for found, _ in md.select(book, [data_filter], project, "Invalid dataFilters"):
                rects.extend(_location_rects(book, found))
    return rects


def _location_rects(book: Spreadsheet, found) -> list[Rect]:
    if found.location_type == "SPREADSHEET":
        return [Rect(s, 0, 0, s.row_count, s.column_count) for s in book.sheets]
    sheet = book.sheet_with_id(found.sheet_id)
    if found.location_type == "SHEET":
        return [Rect(sheet, 0, 0, sheet.row_count, sheet.column_count)]
    if found.location_type == "ROW":
        return [Rect(sheet, found.start, 0, found.end, sheet.column_count)]
    return [Rect(sheet, 0, found.start, sheet.row_count, found.end)]
