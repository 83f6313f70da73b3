"""A sheet's cells, stored sparsely by row: one Python list per row that holds data.

Values and formats live in two parallel lists indexed by row, so inserting, deleting or
sorting rows moves a row's list (not each cell) and a 100,000-row sheet costs 100,000
small lists, not a dict entry per cell. A row with no data is ``None``; rows past the end
of the lists are empty.
"""

from __future__ import annotations

from collections.abc import Iterator

from sandbox.sheets.cells import Value


class Grid:
    __slots__ = ("_fresh", "formats", "values")

    def __init__(self, values: list | None = None, formats: list | None = None):
        self.values: list[list | None] = values if values is not None else []
        self.formats: list[dict | None] = formats if formats is not None else []  # column -> CellFormat
        # copy-on-write: None when this grid owns every row; else the rows it made itself
        # (by id, the objects kept so an id cannot be reused while it matters)
        self._fresh: dict[int, object] | None = None

    def copy(self) -> Grid:
        """A copy that shares rows with this grid until it changes them (copy-on-write);
        this grid must not change while the copy lives (a batchUpdate's draft).
        """
        twin = Grid(self.values[:], self.formats[:])
        twin._fresh = {}
        return twin

    def settle(self) -> None:
        """The copy replaced its original: it owns its rows from now on."""
        self._fresh = None

    def _own_values(self, r: int) -> list | None:
        row = self.values[r]
        if row is not None and self._fresh is not None and id(row) not in self._fresh:
            row = self.values[r] = row[:]
            self._fresh[id(row)] = row
        return row

    def _own_formats(self, r: int) -> dict | None:
        formats = self.formats[r]
        if formats is not None and self._fresh is not None and id(formats) not in self._fresh:
            formats = self.formats[r] = dict(formats)
            self._fresh[id(formats)] = formats
        return formats

    def _new_row(self, r: int, row: list) -> list:
        self.values[r] = row
        if self._fresh is not None:
            self._fresh[id(row)] = row
        return row

    def _reach(self, r: int) -> None:
        if r >= len(self.values):
            pad = r + 1 - len(self.values)
            self.values.extend([None] * pad)
            self.formats.extend([None] * pad)

    def get(self, r: int, c: int) -> Value | None:
        if r < len(self.values):
            row = self.values[r]
            if row is not None and c < len(row):
                return row[c]
        return None

    def row(self, r: int) -> list | None:
        return self.values[r] if r < len(self.values) else None

    def set(self, r: int, c: int, value: Value | None) -> None:
        """Store ``value`` at (r, c); None empties the cell."""
        if value is None:
            row = self.row(r)
            if row is not None and c < len(row) and row[c] is not None:
                self._own_values(r)[c] = None
            return
        self._reach(r)
        row = self._own_values(r)
        if row is None:
            row = self._new_row(r, [])
        if c >= len(row):
            row.extend([None] * (c + 1 - len(row)))
        row[c] = value

    def set_row(self, r: int, start_col: int, values: list) -> None:
        """Store a run of values from ``start_col`` (None entries empty their cells)."""
        self._reach(r)
        row = self._own_values(r)
        end = start_col + len(values)
        if row is None:
            row = self._new_row(r, [None] * start_col)
        if len(row) < end:
            row.extend([None] * (end - len(row)))
        row[start_col:end] = values

    def get_format(self, r: int, c: int) -> dict | None:
        if r < len(self.formats):
            formats = self.formats[r]
            if formats:
                return formats.get(c)
        return None

    def set_format(self, r: int, c: int, fmt: dict | None) -> None:
        if not fmt:
            formats = self.formats[r] if r < len(self.formats) else None
            if formats and c in formats:
                self._own_formats(r).pop(c)
            return
        self._reach(r)
        formats = self._own_formats(r)
        if formats is None:
            formats = self.formats[r] = {}
            if self._fresh is not None:
                self._fresh[id(formats)] = formats
        formats[c] = fmt

    def last_data_row(self, start_col: int, end_col: int) -> int | None:
        """The last row holding a value in columns [start_col, end_col), or None."""
        for r in range(len(self.values) - 1, -1, -1):
            row = self.values[r]
            if row and any(v is not None for v in row[start_col:end_col]):
                return r
        return None

    def clear(self, start_row: int, end_row: int, start_col: int, end_col: int) -> None:
        """Empty the values (not formats) of a block."""
        for r in range(start_row, min(end_row, len(self.values))):
            row = self.values[r]
            if row:
                stop = min(end_col, len(row))
                if start_col < stop and any(v is not None for v in row[start_col:stop]):
                    self._own_values(r)[start_col:stop] = [None] * (stop - start_col)

    def items(self) -> Iterator[tuple[int, int, Value]]:
        for r, row in enumerate(self.values):
            if row:
                for c, value in enumerate(row):
                    if value is not None:
                        yield r, c, value

    def __bool__(self) -> bool:
        return any(row and any(v is not None for v in row) for row in self.values)

    # --- structure: rows and columns move with their cells ---------------------------

    def insert_rows(self, at: int, count: int) -> None:
        if at < len(self.values):
            self.values[at:at] = [None] * count
            self.formats[at:at] = [None] * count

    def delete_rows(self, start: int, end: int) -> None:
        del self.values[start:end]
        del self.formats[start:end]

    def insert_columns(self, at: int, count: int) -> None:
        for r, row in enumerate(self.values):
            if row and len(row) > at:
                self._own_values(r)[at:at] = [None] * count
        for i, formats in enumerate(self.formats):
            if formats:
                self.formats[i] = {(c + count if c >= at else c): f for c, f in formats.items()}

    def delete_columns(self, start: int, end: int) -> None:
        width = end - start
        for r, row in enumerate(self.values):
            if row and len(row) > start:
                del self._own_values(r)[start:end]
        for i, formats in enumerate(self.formats):
            if formats:
                self.formats[i] = {
                    (c - width if c >= end else c): f for c, f in formats.items() if not start <= c < end
                }

    def reorder_rows(self, start: int, order: list[int]) -> None:
        """Put old row ``order[i]`` at row ``start + i``."""
        self._reach(start + len(order) - 1)
        values = [self.values[r] for r in order]
        formats = [self.formats[r] for r in order]
        self.values[start : start + len(order)] = values
        self.formats[start : start + len(order)] = formats
