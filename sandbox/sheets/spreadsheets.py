"""``spreadsheets.create``, ``get`` and ``batchUpdate`` (sheet-level requests)."""

from __future__ import annotations

from sandbox.sheets import metadata as md
from sandbox.sheets import updates
from sandbox.sheets.errors import invalid
from sandbox.sheets.state import SheetsState
from sandbox.sheets.workbook import Sheet, Spreadsheet, cell_limit_error

SUPPORTED = (
    "addSheet",
    "deleteSheet",
    "updateSheetProperties",
    "updateSpreadsheetProperties",
    *updates.KINDS,
)


def _grid(props: dict, sheet: Sheet) -> None:
    grid = props.get("gridProperties") or {}
    for name, attr in (
        ("rowCount", "row_count"),
        ("columnCount", "column_count"),
        ("frozenRowCount", "frozen_row_count"),
        ("frozenColumnCount", "frozen_column_count"),
    ):
        if name in grid:
            value = grid[name]
            if not isinstance(value, int) or value < 0:
                raise invalid(f"Invalid value at 'gridProperties.{name}' ({value})")
            setattr(sheet, attr, value)


def _free_title(book: Spreadsheet) -> str:
    n = len(book.sheets) + 1
    while book.sheet_titled(f"Sheet{n}"):
        n += 1
    return f"Sheet{n}"


def _new_sheet(state: SheetsState, book: Spreadsheet, props: dict, where: str) -> Sheet:
    title = props.get("title") or _free_title(book)
    if book.sheet_titled(title):
        raise invalid(f'{where}: A sheet with the name "{title}" already exists. Please enter another name.')
    sheet_id = props.get("sheetId")
    if sheet_id is None:
        sheet_id = 0 if not book.sheets else state.new_sheet_id(book)
    elif book.sheet_with_id(sheet_id):
        raise invalid(f"{where}: Sheet with id {sheet_id} already exists.")
    index = props.get("index", len(book.sheets))
    for other in book.sheets:
        if other.index >= index:
            other.index += 1
    sheet = Sheet(sheet_id, title, index, hidden=bool(props.get("hidden", False)))
    _grid(props, sheet)
    book.sheets.append(sheet)
    book.reindex()
    return sheet


def create(state: SheetsState, body: dict, owner: str | None = None) -> Spreadsheet:
    """A new spreadsheet from a ``Spreadsheet`` body (title, optional sheets), owned by ``owner``."""
    props = body.get("properties") or {}
    book = Spreadsheet(
        state.new_spreadsheet_id(),
        props.get("title") or "Untitled spreadsheet",
        [],
        locale=props.get("locale", "en_US"),
        time_zone=props.get("timeZone", "Etc/GMT"),
        owner=owner,
    )
    for i, sheet in enumerate(body.get("sheets") or [{}]):
        _new_sheet(state, book, sheet.get("properties") or {}, f"Invalid sheets[{i}]")
    if book.cell_count > state.cell_limit:
        raise cell_limit_error(state.cell_limit)
    state.spreadsheets[book.spreadsheet_id] = book
    return book


def _update_fields(mask: str | None, where: str) -> list[str]:
    if not mask:
        raise invalid(f"{where}: At least one field must be updated. Specify the fields in the 'fields' mask.")
    return [f.strip() for f in mask.split(",") if f.strip()]


def _update_sheet(book: Spreadsheet, req: dict, where: str) -> None:
    props = req.get("properties") or {}
    sheet = book.sheet_with_id(props.get("sheetId", 0))
    if sheet is None:
        raise invalid(f"{where}: No grid with id: {props.get('sheetId', 0)}")
    for name in _update_fields(req.get("fields"), where):
        names = ["title", "index", "hidden", "gridProperties"] if name == "*" else [name]
        for field in names:
            if field == "title" and "title" in props:
                clash = book.sheet_titled(props["title"])
                if clash and clash is not sheet:
                    raise invalid(
                        f'{where}: A sheet with the name "{props["title"]}" already exists. Please enter another name.'
                    )
                sheet.title = props["title"]
            elif field == "index" and "index" in props:
                sheet.index = props["index"] - 0.5 if props["index"] < sheet.index else props["index"] + 0.5
                book.reindex()
            elif field == "hidden":
                sheet.hidden = bool(props.get("hidden", False))
            elif field.startswith("gridProperties"):
                sub = field.partition(".")[2]
                grid = props.get("gridProperties") or {}
                _grid({"gridProperties": grid if not sub else {sub: grid.get(sub, 0)}}, sheet)
            elif field not in ("sheetId", "title", "index"):
                raise invalid(f"{where}: the Muster sandbox cannot update the field '{field}'.")


def _apply(batch: updates.Batch, kind: str, req: dict, where: str) -> dict:
    state, book = batch.state, batch.book
    if kind in updates.KINDS:
        return updates.KINDS[kind](batch, req, where)
    if kind == "addSheet":
        sheet = _new_sheet(state, book, req.get("properties") or {}, where)
        return {"addSheet": {"properties": sheet.properties()}}
    if kind == "deleteSheet":
        sheet = book.sheet_with_id(req.get("sheetId"))
        if sheet is None:
            raise invalid(f"{where}: No sheet with id: {req.get('sheetId')}")
        if len(book.sheets) == 1:
            raise invalid(f"{where}: You can't remove all the sheets in a document.")
        book.sheets.remove(sheet)
        md.on_delete_sheet(book, sheet.sheet_id)
        batch.forget_metadata_ids()
        book.reindex()
        return {}
    if kind == "updateSheetProperties":
        _update_sheet(book, req, where)
        return {}
    # updateSpreadsheetProperties
    props = req.get("properties") or {}
    for name in _update_fields(req.get("fields"), where):
        if name in ("title", "*") and "title" in props:
            book.title = props["title"]
        elif name in ("timeZone", "locale"):
            setattr(book, "time_zone" if name == "timeZone" else "locale", props.get(name))
    return {}


def batch_update(state: SheetsState, book: Spreadsheet, body: dict, project: str | None = None) -> tuple[dict, int]:
    """Apply every request or none (Google's batchUpdate is atomic); (response, cells written).

    The requests apply in order to a copy of the workbook, which replaces it only when the
    last has applied and the workbook is within Google's size limits.
    """
    requests = body.get("requests") or []
    draft = book.draft()
    batch = updates.Batch(state, draft, project)
    replies = []
    for i, req in enumerate(requests):
        kinds = list(req) if isinstance(req, dict) else []
        if len(kinds) != 1:
            raise invalid(f"Invalid requests[{i}]: exactly one kind of request must be set.")
        kind = kinds[0]
        where = f"Invalid requests[{i}].{kind}"
        if kind not in SUPPORTED:
            raise invalid(f"{where}: the Muster sandbox supports only {', '.join(SUPPORTED)}.")
        replies.append(_apply(batch, kind, req[kind] or {}, where))
    updates.check_size(draft, state.cell_limit)
    book.adopt(draft)
    response = {"spreadsheetId": book.spreadsheet_id, "replies": replies}
    if body.get("includeSpreadsheetInResponse"):
        response["updatedSpreadsheet"] = book.resource(project)
    return response, batch.cells_written
