"""Planning a tab's writes: in place by Muster ID, only Muster's columns, nothing when unchanged."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from core.datasets import DATETIME, INTEGER, Column, Dataset, Row
from sheets_export import cells, layout
from sheets_export.client import ExportError
from sheets_export.layout import Tab, Workbook
from sheets_export.plan import Stored, TabInput, create_tab, plan_tab, repair_tab
from sheets_export.services import check_cells

PARIS = ZoneInfo("Europe/Paris")
LEAVES = datetime(2026, 6, 7, 16, 0, tzinfo=UTC)
RIDES = Dataset(
    "rides",
    "Rides",
    (Column("Driver"), Column("Seats", INTEGER), Column("Leaves", DATETIME)),
    rows=lambda s: [],
    fingerprint=lambda s: "",
)
HEADER = ["Muster ID", "Driver", "Seats", "Leaves", "Status"]


def ride(n: int, seats: int = 3, driver: str | None = None, status: str = "") -> Row:
    return Row(f"ride-{n}", {"Driver": driver or f"Driver {n}", "Seats": seats, "Leaves": LEAVES}, status=status)


def owned(row: Row) -> list[dict]:
    values = {**row.values, "Muster ID": row.muster_id, "Status": row.status}
    return cells.row_cells((Column("Muster ID"), *RIDES.columns, Column("Status")), values, PARIS)


def stored(*rows: Row) -> dict[str, Stored]:
    return {row.muster_id: Stored(cells.digest(owned(row)), row.status) for row in rows}


def tab(header=HEADER, ids=("ride-1", "ride-2"), id_column=0, rows=None) -> Tab:
    return Tab(
        sheet_id=7,
        title="Rides",
        row_count=rows or len(ids) + 1,
        column_count=len(header),
        frozen_rows=1,
        protected_header=True,
        dataset="rides",
        header_row=0,
        header=list(header),
        id_column=id_column,
        rows_by_id={muster_id: index for index, muster_id in enumerate(ids, 1)},
    )


def update(row: int, column: int, values: list[dict]) -> dict:
    start = {"sheetId": 7, "rowIndex": row, "columnIndex": column}
    return {"updateCells": {"start": start, "rows": [{"values": values}], "fields": cells.FIELDS}}


def test_it_makes_a_missing_tab_with_a_frozen_protected_header_and_metadata():
    requests, made = create_tab(RIDES, 7, "Rides")
    assert [next(iter(r)) for r in requests] == [
        "addSheet",
        "updateCells",
        *["createDeveloperMetadata"] * 7,
        "addProtectedRange",
    ]
    assert requests[0]["addSheet"]["properties"]["gridProperties"] == {
        "rowCount": 2,
        "columnCount": 5,
        "frozenRowCount": 1,
    }
    assert requests[-1]["addProtectedRange"]["protectedRange"]["warningOnly"] is True
    assert made.header == HEADER


def test_it_appends_new_rows_in_one_request():
    _, made = create_tab(RIDES, 7, "Rides")
    plan = plan_tab(TabInput(RIDES, [ride(1), ride(2)], {}, PARIS), made)
    assert plan.writes == [
        {
            "appendCells": {
                "sheetId": 7,
                "rows": [{"values": owned(ride(1))}, {"values": owned(ride(2))}],
                "fields": cells.FIELDS,
            }
        }
    ]
    assert (plan.added, plan.updated, plan.cells_written) == (2, 0, 10)


def test_it_writes_nothing_when_nothing_changed():
    rows = [ride(1), ride(2)]
    plan = plan_tab(TabInput(RIDES, rows, stored(*rows), PARIS), tab())
    assert plan.writes == []
    assert (plan.added, plan.updated, plan.marked, plan.cells_written) == (0, 0, 0, 0)


def test_it_updates_one_changed_row_in_place_with_only_its_owned_cells():
    before = [ride(1), ride(2)]
    plan = plan_tab(TabInput(RIDES, [ride(1), ride(2, seats=1)], stored(*before), PARIS), tab())
    assert plan.writes == [update(2, 0, owned(ride(2, seats=1)))]
    assert (plan.updated, plan.cells_written) == (1, 5)


def test_a_stakeholders_column_between_musters_is_skipped():
    header = ["Muster ID", "Driver", "Paid", "Seats", "Leaves", "Status", "Notes"]
    plan = plan_tab(TabInput(RIDES, [ride(1, seats=1), ride(2)], stored(ride(1), ride(2)), PARIS), tab(header))
    cells_1 = owned(ride(1, seats=1))
    assert plan.writes == [update(1, 0, cells_1[:2]), update(1, 3, cells_1[2:])]
    assert plan.cells_written == 5


def test_rows_are_found_by_id_after_a_person_sorts_and_inserts_rows():
    # A person sorted the tab (ride-2 first) and inserted two rows of their own above ride-1.
    moved = tab(ids=("ride-2", "", "", "ride-1"))
    moved.rows_by_id = {"ride-2": 1, "ride-1": 4}
    plan = plan_tab(TabInput(RIDES, [ride(1, driver="Zoe"), ride(2)], stored(ride(1), ride(2)), PARIS), moved)
    assert plan.writes == [update(4, 0, owned(ride(1, driver="Zoe")))]


def test_the_id_column_is_found_where_a_person_moved_it():
    header = ["Paid", "Muster ID", "Driver", "Seats", "Leaves", "Status"]
    shifted = tab(header, id_column=1)
    plan = plan_tab(TabInput(RIDES, [ride(1, seats=9), ride(2)], stored(ride(1), ride(2)), PARIS), shifted)
    assert plan.writes == [update(1, 1, owned(ride(1, seats=9)))]


def test_a_new_row_leaves_a_stakeholders_column_empty():
    header = ["Muster ID", "Driver", "Paid", "Seats", "Leaves", "Status"]
    plan = plan_tab(TabInput(RIDES, [ride(1), ride(2), ride(3)], stored(ride(1), ride(2)), PARIS), tab(header))
    values = owned(ride(3))
    assert plan.writes == [
        {"appendCells": {"sheetId": 7, "rows": [{"values": [*values[:2], {}, *values[2:]]}], "fields": cells.FIELDS}}
    ]


def test_a_row_whose_source_is_gone_is_marked_removed_once():
    plan = plan_tab(TabInput(RIDES, [ride(1)], stored(ride(1), ride(2)), PARIS), tab())
    assert plan.writes == [update(2, 4, [cells.text("removed")])]
    assert (plan.marked, plan.digests["ride-2"]) == (1, Stored("", "removed"))

    again = plan_tab(TabInput(RIDES, [ride(1)], {**stored(ride(1)), "ride-2": Stored("", "removed")}, PARIS), tab())
    assert again.writes == []


def test_a_cancelled_row_says_so_in_its_status():
    plan = plan_tab(TabInput(RIDES, [ride(1, status="cancelled"), ride(2)], stored(ride(1), ride(2)), PARIS), tab())
    assert plan.writes == [update(1, 0, owned(ride(1, status="cancelled")))]
    assert plan.marked == 1


def test_the_organiser_may_choose_deletion_bottom_up():
    three = tab(ids=("ride-1", "ride-2", "ride-3"))
    plan = plan_tab(TabInput(RIDES, [ride(2)], stored(ride(1), ride(2), ride(3)), PARIS, delete_removed=True), three)
    assert plan.writes == [
        {"deleteDimension": {"range": {"sheetId": 7, "dimension": "ROWS", "startIndex": 3, "endIndex": 4}}},
        {"deleteDimension": {"range": {"sheetId": 7, "dimension": "ROWS", "startIndex": 1, "endIndex": 2}}},
    ]
    assert sorted(plan.gone) == ["ride-1", "ride-3"]


def test_a_renamed_header_gets_musters_column_again_at_the_end():
    header = ["Muster ID", "Chauffeur", "Seats", "Leaves", "Status", "Paid"]  # a person renamed "Driver"
    plan = plan_tab(TabInput(RIDES, [ride(1), ride(2)], stored(ride(1), ride(2)), PARIS), tab(header))
    assert plan.writes[0] == {"appendDimension": {"sheetId": 7, "dimension": "COLUMNS", "length": 1}}
    assert plan.writes[2] == {
        "updateCells": {
            "start": {"sheetId": 7, "rowIndex": 0, "columnIndex": 6},
            "rows": [{"values": [cells.text("Driver")]}],
            "fields": "userEnteredValue",
        }
    }
    assert plan.writes[3:] == [update(1, 6, [cells.text("Driver 1")]), update(2, 6, [cells.text("Driver 2")])]
    assert plan.notices == [
        'In the Rides tab, Muster could not find its column "Driver" (was its header renamed?), so it added it '
        "again at the end; the renamed column is yours now."
    ]


def test_a_header_a_person_unfroze_and_unprotected_is_put_back():
    loose = tab()
    loose.frozen_rows, loose.protected_header = 0, False
    assert [next(iter(r)) for r in repair_tab(loose)] == ["updateSheetProperties", "addProtectedRange"]
    assert repair_tab(tab()) == []


def test_it_reads_the_header_and_the_ids_from_the_masked_read():
    resource = {
        "sheets": [
            {
                "properties": {
                    "sheetId": 7,
                    "title": "Rides",
                    "gridProperties": {"rowCount": 4, "columnCount": 6, "frozenRowCount": 1},
                },
                "protectedRanges": [
                    {
                        "protectedRangeId": 1,
                        "range": {"sheetId": 7, "startRowIndex": 0, "endRowIndex": 1},
                        "warningOnly": True,
                    }
                ],
                "developerMetadata": [{"metadataKey": "muster.dataset", "metadataValue": "rides"}],
                "data": [
                    {"rowData": [{"values": [cells.text(name) for name in ["Paid", *HEADER]]}]},
                    {
                        "startColumn": 1,
                        "rowData": [
                            {"values": [cells.text("Muster ID")]},
                            {"values": [cells.text("ride-2")]},
                            {},
                            {"values": [cells.text("ride-1")]},
                        ],
                    },
                ],
            },
            {"properties": {"sheetId": 0, "title": "Sheet1", "gridProperties": {"rowCount": 1000, "columnCount": 26}}},
        ]
    }
    workbook = layout.parse(resource)
    rides = workbook.tab_for("rides")
    assert (rides.header_row, rides.id_column, rides.rows_by_id) == (0, 1, {"ride-2": 1, "ride-1": 3})
    assert rides.protected_header and rides.frozen_rows == 1
    assert workbook.cells == 4 * 6 + 1000 * 26


@override_settings(SHEETS_CELL_LIMIT=1000)
def test_it_refuses_to_pass_the_cell_limit_before_writing():
    # 800 cells now; the new tab (2 x 5) and its 41 rows (41 x 5) would make it 1,015.
    big = Workbook([Tab(sheet_id=1, title="Sheet1", row_count=40, column_count=20)])
    structural, made = create_tab(RIDES, 7, "Rides")
    plan = plan_tab(TabInput(RIDES, [ride(n) for n in range(41)], {}, PARIS), made)
    check_cells(big.cells, structural, [])
    message = (
        r"^Muster stopped before writing: the spreadsheet would hold 1,015 cells, past Google's limit of 1,000; "
        r"delete tabs or rows you no longer need, export fewer datasets, or connect a new spreadsheet\.$"
    )
    with pytest.raises(ExportError, match=message):
        check_cells(big.cells, structural, [plan])
