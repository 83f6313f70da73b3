"""From a dataset's rows and what was read of its tab to the requests of one ``batchUpdate``.

Pure: no database, no network. Muster writes only the cells of its own columns (found by
header name; the id column by its metadata) in its own rows (found by ``Muster ID``), so
columns and rows people add are never written, cleared or moved. A row whose digest equals
the one stored after the last successful run is not written; a column Muster cannot find
(a person renamed its header) is added again at the end, and every row fills it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from core.datasets import TEXT, Column, Dataset, Row
from sheets_export import cells
from sheets_export.layout import (
    KEY_COLUMN,
    KEY_DATASET,
    KEY_HEADER,
    MUSTER_ID,
    STATUS,
    SUMMARY_DATASET,
    SUMMARY_TAB,
    Tab,
    Workbook,
)

NEW_TAB_ROWS = 2  # the header and one empty row; appending grows the grid as needed
REMOVED, CANCELLED = "removed", "cancelled"


@dataclass(frozen=True)
class Stored:
    digest: str
    status: str


@dataclass
class TabPlan:
    """What one run does to one tab."""

    dataset: str
    title: str
    structural: list[dict] = field(default_factory=list)
    writes: list[dict] = field(default_factory=list)
    added: int = 0
    updated: int = 0
    marked: int = 0
    deleted: int = 0
    cells_written: int = 0
    new_cells: int = 0  # grid cells the writes add (rows appended, columns re-created)
    rows: int = 0  # Muster rows in the tab after the run
    digests: dict[str, Stored] = field(default_factory=dict)  # the rows' state after the run
    gone: list[str] = field(default_factory=list)  # ids to forget (rows deleted)
    notices: list[str] = field(default_factory=list)


def owned_columns(dataset: Dataset) -> tuple[Column, ...]:
    """Muster's columns of a dataset's tab, in their first order: the id, the data, the status."""
    return (Column(MUSTER_ID, TEXT), *dataset.columns, Column(STATUS, TEXT))


def new_sheet_id(workbook: Workbook, taken: set[int]) -> int:
    while True:
        candidate = random.randint(1, 2**31 - 1)  # noqa: S311 (an id, not a secret)
        if candidate not in workbook.sheet_ids() and candidate not in taken:
            taken.add(candidate)
            return candidate


def create_tab(dataset: Dataset, sheet_id: int, title: str) -> tuple[list[dict], Tab]:
    """The structural requests that make a dataset's tab, and the tab as it will then be."""
    columns = owned_columns(dataset)
    width = len(columns)
    requests = [
        {
            "addSheet": {
                "properties": {
                    "sheetId": sheet_id,
                    "title": title,
                    "gridProperties": {"rowCount": NEW_TAB_ROWS, "columnCount": width, "frozenRowCount": 1},
                }
            }
        },
        _update(sheet_id, 0, 0, [[cells.text(column.name) for column in columns]], "userEnteredValue"),
        _metadata(KEY_DATASET, dataset.name, {"sheetId": sheet_id}),
        _metadata(KEY_HEADER, "1", _dimension(sheet_id, "ROWS", 0, 1)),
        *[_metadata(KEY_COLUMN, c.name, _dimension(sheet_id, "COLUMNS", i, i + 1)) for i, c in enumerate(columns)],
        _protect_header(sheet_id),
    ]
    tab = Tab(
        sheet_id=sheet_id,
        title=title,
        row_count=NEW_TAB_ROWS,
        column_count=width,
        frozen_rows=1,
        protected_header=True,
        dataset=dataset.name,
        header_row=0,
        header=[column.name for column in columns],
        id_column=0,
    )
    return requests, tab


def repair_tab(tab: Tab) -> list[dict]:
    """Structural requests that put back a header freeze or protection a person removed."""
    requests = []
    if tab.frozen_rows < (tab.header_row or 0) + 1:
        properties = {"sheetId": tab.sheet_id, "gridProperties": {"frozenRowCount": (tab.header_row or 0) + 1}}
        requests.append(
            {"updateSheetProperties": {"properties": properties, "fields": "gridProperties.frozenRowCount"}}
        )
    if not tab.protected_header:
        requests.append(_protect_header(tab.sheet_id, tab.header_row or 0))
    return requests


@dataclass(frozen=True)
class TabInput:
    dataset: Dataset
    rows: list[Row]
    stored: dict[str, Stored]
    zone: ZoneInfo
    delete_removed: bool = False


def plan_tab(given: TabInput, tab: Tab) -> TabPlan:
    """The writes that bring ``tab`` (as read, or as just created) up to ``given.rows``."""
    dataset = given.dataset
    plan = TabPlan(dataset=dataset.name, title=tab.title)
    columns = owned_columns(dataset)
    header_row = tab.header_row or 0
    where, recreated = _locate_columns(plan, tab, columns, header_row, bool(given.stored))
    fresh = {where[c.name] for c in recreated}
    sheet_rows = {mid: index for mid, index in tab.rows_by_id.items() if index > header_row}
    appended: list[list[dict]] = []
    seen = set()
    for row in given.rows:
        seen.add(row.muster_id)
        values = cells.row_cells(columns, {**row.values, MUSTER_ID: row.muster_id, STATUS: row.status}, given.zone)
        digest = cells.digest(values)
        plan.digests[row.muster_id] = Stored(digest, row.status)
        index = sheet_rows.get(row.muster_id)
        if index is None:
            appended.append(_full_width(values, columns, where))
            plan.added += 1
            continue
        before = given.stored.get(row.muster_id)
        if before is not None and before.digest == digest:
            written = [(where[c.name], v) for c, v in zip(columns, values, strict=True) if where[c.name] in fresh]
        else:
            written = [(where[c.name], v) for c, v in zip(columns, values, strict=True)]
            plan.updated += 1
            plan.marked += int(row.status == CANCELLED and (before is None or before.status != CANCELLED))
        _write_row(plan, tab.sheet_id, index, written)
    _removed_rows(plan, given, tab, sheet_rows, seen, where[STATUS])
    if appended:
        plan.writes.append({"appendCells": {"sheetId": tab.sheet_id, "rows": _rows(appended), "fields": cells.FIELDS}})
        plan.cells_written += sum(len(columns) for _ in appended)
        plan.new_cells += len(appended) * max(tab.column_count + len(recreated), len(appended[0]))
    plan.rows = len(given.rows) + sum(1 for mid in sheet_rows if mid not in seen and not given.delete_removed)
    return plan


def _locate_columns(plan: TabPlan, tab: Tab, columns, header_row: int, exported_before: bool):
    where: dict[str, int] = {}
    missing = []
    for column in columns:
        index = tab.column(column.name)
        if index is None:
            missing.append(column)
        else:
            where[column.name] = index
    if not missing:
        return where, []
    start = max(tab.column_count, len(tab.header), max(where.values(), default=-1) + 1)
    plan.writes.append({"appendDimension": {"sheetId": tab.sheet_id, "dimension": "COLUMNS", "length": len(missing)}})
    plan.new_cells += len(missing) * tab.row_count
    for offset, column in enumerate(missing):
        where[column.name] = start + offset
        plan.writes.append(_metadata(KEY_COLUMN, column.name, _dimension(tab.sheet_id, "COLUMNS", start + offset)))
    header = [[cells.text(column.name) for column in missing]]
    plan.writes.append(_update(tab.sheet_id, header_row, start, header, "userEnteredValue"))
    plan.cells_written += len(missing)
    if exported_before:
        names = ", ".join(f'"{column.name}"' for column in missing)
        plan.notices.append(
            f"In the {tab.title} tab, Muster could not find its column {names} (was its header renamed?), "
            "so it added it again at the end; the renamed column is yours now."
        )
    return where, missing


def _removed_rows(plan: TabPlan, given: TabInput, tab: Tab, sheet_rows: dict[str, int], seen: set, status_at: int):
    doomed = sorted((index for mid, index in sheet_rows.items() if mid not in seen), reverse=True)
    if given.delete_removed:
        for index in doomed:  # bottom up, so the indexes above stay right
            plan.writes.append({"deleteDimension": {"range": _dimension(tab.sheet_id, "ROWS", index)}})
        plan.deleted = len(doomed)
        plan.marked += len(doomed)
        plan.gone = [mid for mid in sheet_rows if mid not in seen]
        return
    for mid, index in sorted(sheet_rows.items(), key=lambda item: item[1]):
        if mid in seen:
            continue
        before = given.stored.get(mid)
        plan.digests[mid] = Stored("", REMOVED)  # no digest: if the row comes back, it is written
        if before is not None and before.status == REMOVED:
            continue
        _write_row(plan, tab.sheet_id, index, [(status_at, cells.text(REMOVED))])
        plan.marked += 1


def _write_row(plan: TabPlan, sheet_id: int, row_index: int, written: list[tuple[int, dict]]) -> None:
    """One ``updateCells`` per run of adjacent columns, so a person's column between Muster's is skipped."""
    for start, run in _runs(sorted(written, key=lambda item: item[0])):
        plan.writes.append(_update(sheet_id, row_index, start, [run], cells.FIELDS))
        plan.cells_written += len(run)


def _runs(written: list[tuple[int, dict]]):
    run: list[dict] = []
    start = previous = None
    for index, value in written:
        if previous is not None and index != previous + 1:
            yield start, run
            run = []
        if not run:
            start = index
        run.append(value)
        previous = index
    if run:
        yield start, run


def _full_width(values: list[dict], columns, where: dict[str, int]) -> list[dict]:
    """An appended row: Muster's cells at their columns, nothing (``{}``) in people's columns before them."""
    width = max(where.values()) + 1
    row = [{} for _ in range(width)]
    for column, value in zip(columns, values, strict=True):
        row[where[column.name]] = value
    return row


def summary(sheet_id: int, lines: list[tuple[str, dict]]) -> dict:
    """The ``Muster`` tab's content: a label and a value per line, from A1."""
    rows = [[cells.text(label), value] for label, value in lines]
    return _update(sheet_id, 0, 0, rows, cells.FIELDS)


def create_summary_tab(sheet_id: int, title: str = SUMMARY_TAB) -> list[dict]:
    properties = {"sheetId": sheet_id, "title": title, "gridProperties": {"rowCount": 20, "columnCount": 2}}
    return [{"addSheet": {"properties": properties}}, _metadata(KEY_DATASET, SUMMARY_DATASET, {"sheetId": sheet_id})]


def _update(sheet_id: int, row: int, column: int, rows: list[list[dict]], fields: str) -> dict:
    start = {"sheetId": sheet_id, "rowIndex": row, "columnIndex": column}
    return {"updateCells": {"start": start, "rows": _rows(rows), "fields": fields}}


def _rows(rows: list[list[dict]]) -> list[dict]:
    return [{"values": values} for values in rows]


def _dimension(sheet_id: int, dimension: str, start: int, end: int | None = None) -> dict:
    end = start + 1 if end is None else end
    return {"sheetId": sheet_id, "dimension": dimension, "startIndex": start, "endIndex": end}


def _metadata(key: str, value: str, location: dict) -> dict:
    where = {"sheetId": location["sheetId"]} if "dimension" not in location else {"dimensionRange": location}
    metadata = {"metadataKey": key, "metadataValue": value, "location": where, "visibility": "DOCUMENT"}
    return {"createDeveloperMetadata": {"developerMetadata": metadata}}


def _protect_header(sheet_id: int, header_row: int = 0) -> dict:
    span = {"sheetId": sheet_id, "startRowIndex": header_row, "endRowIndex": header_row + 1}
    description = "Muster's header: Muster finds its columns by these names."
    protected = {"range": span, "description": description, "warningOnly": True}
    return {"addProtectedRange": {"protectedRange": protected}}
