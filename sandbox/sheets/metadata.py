"""Developer metadata: key/value pairs on the spreadsheet, a sheet, or a row or column range.

Metadata on rows or columns moves with them, as Google documents: inserting rows before it
shifts it, inserting inside it widens it, deleting shrinks it (and deleting all of it
deletes it), and sorting moves a one-row range with its row. ``PROJECT`` visibility is
kept to the project that created it: a service account's project is the part of its
email between ``@`` and ``.iam.gserviceaccount.com``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.sheets.errors import invalid

LOCATION_TYPES = ("SPREADSHEET", "SHEET", "ROW", "COLUMN")
VISIBILITIES = ("DOCUMENT", "PROJECT")


def project_of(email: str | None) -> str | None:
    """``muster-export@muster-sandbox.iam.gserviceaccount.com`` -> ``muster-sandbox``."""
    if email is None:
        return None
    return email.partition("@")[2].split(".iam.gserviceaccount.com")[0]


@dataclass(slots=True)
class Metadata:
    metadata_id: int
    key: str
    value: str | None
    visibility: str
    project: str | None
    location_type: str
    sheet_id: int | None = None
    start: int | None = None
    end: int | None = None

    def clone(self) -> Metadata:
        return Metadata(
            self.metadata_id,
            self.key,
            self.value,
            self.visibility,
            self.project,
            self.location_type,
            self.sheet_id,
            self.start,
            self.end,
        )

    def location(self) -> dict:
        if self.location_type == "SPREADSHEET":
            return {"locationType": "SPREADSHEET", "spreadsheet": True}
        if self.location_type == "SHEET":
            return {"locationType": "SHEET", "sheetId": self.sheet_id}
        dimension = "ROWS" if self.location_type == "ROW" else "COLUMNS"
        return {
            "locationType": self.location_type,
            "dimensionRange": {
                "sheetId": self.sheet_id,
                "dimension": dimension,
                "startIndex": self.start,
                "endIndex": self.end,
            },
        }

    def resource(self) -> dict:
        body = {"metadataId": self.metadata_id, "metadataKey": self.key}
        if self.value is not None:
            body["metadataValue"] = self.value
        body["location"] = self.location()
        body["visibility"] = self.visibility
        return body

    def visible_to(self, project: str | None) -> bool:
        """``project`` None: a person through the control API, who sees everything."""
        return project is None or self.visibility == "DOCUMENT" or self.project == project


def parse_location(book, location: dict, where: str) -> tuple[str, int | None, int | None, int | None]:
    """(locationType, sheetId, start, end) of a ``DeveloperMetadataLocation``."""
    if not isinstance(location, dict):
        raise invalid(f"{where}: a location is required.")
    given = [k for k in ("spreadsheet", "sheetId", "dimensionRange") if k in location]
    if len(given) != 1:
        raise invalid(f"{where}: exactly one of spreadsheet, sheetId or dimensionRange must be set in the location.")
    if given == ["spreadsheet"]:
        if location["spreadsheet"] is not True:
            raise invalid(f"{where}: location.spreadsheet must be true.")
        return "SPREADSHEET", None, None, None
    if given == ["sheetId"]:
        sheet = book.sheet_with_id(location["sheetId"])
        if sheet is None:
            raise invalid(f"{where}: No grid with id: {location['sheetId']}")
        return "SHEET", sheet.sheet_id, None, None
    span = location["dimensionRange"] or {}
    sheet = book.sheet_with_id(span.get("sheetId", 0))
    if sheet is None:
        raise invalid(f"{where}: No grid with id: {span.get('sheetId', 0)}")
    dimension = span.get("dimension")
    if dimension not in ("ROWS", "COLUMNS"):
        raise invalid(f"{where}: dimensionRange.dimension must be ROWS or COLUMNS.")
    size = sheet.row_count if dimension == "ROWS" else sheet.column_count
    start, end = span.get("startIndex"), span.get("endIndex")
    if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end <= size:
        raise invalid(
            f"{where}: dimensionRange must have 0 <= startIndex < endIndex <= {size} "
            f"(got startIndex {start}, endIndex {end})."
        )
    return ("ROW" if dimension == "ROWS" else "COLUMN"), sheet.sheet_id, start, end


def check_lookup(lookup: dict, where: str) -> None:
    """400 for a ``DeveloperMetadataLookup`` that sets none of its criteria."""
    if not isinstance(lookup, dict) or not lookup:
        raise invalid(f"{where}: the developerMetadataLookup must set at least one criterion.")


def matches(book, metadata: Metadata, lookup: dict, where: str) -> bool:
    """Does ``metadata`` meet every criterion ``lookup`` (a ``DeveloperMetadataLookup``) sets?"""
    if "metadataId" in lookup and metadata.metadata_id != lookup["metadataId"]:
        return False
    if "metadataKey" in lookup and metadata.key != lookup["metadataKey"]:
        return False
    if "metadataValue" in lookup and metadata.value != lookup["metadataValue"]:
        return False
    if "visibility" in lookup and metadata.visibility != lookup["visibility"]:
        return False
    if "locationType" in lookup and metadata.location_type != lookup["locationType"]:
        return False
    if "metadataLocation" in lookup:
        kind, sheet_id, start, end = parse_location(book, lookup["metadataLocation"], where)
        if lookup.get("locationMatchingStrategy", "EXACT_LOCATION") == "INTERSECTING_LOCATION":
            return _intersects(metadata, kind, sheet_id, start, end)
        return (metadata.location_type, metadata.sheet_id, metadata.start, metadata.end) == (
            kind,
            sheet_id,
            start,
            end,
        )
    return True


def _intersects(metadata: Metadata, kind: str, sheet_id, start, end) -> bool:
    """Locations meet as areas of the grid: the spreadsheet meets everything, a sheet
    everything on it, a row range every column range of its sheet, and two ranges of one
    dimension meet when they overlap.
    """
    if kind == "SPREADSHEET" or metadata.location_type == "SPREADSHEET":
        return True
    if metadata.sheet_id != sheet_id:
        return False
    if kind == "SHEET" or metadata.location_type == "SHEET" or metadata.location_type != kind:
        return True
    return metadata.start < end and start < metadata.end


def select(book, filters: list, project: str | None, where: str) -> list[tuple[Metadata, list[dict]]]:
    """The visible metadata any of ``filters`` (``DataFilter``s) selects, with the filters that did."""
    found: dict[int, tuple[Metadata, list[dict]]] = {}
    for i, data_filter in enumerate(filters):
        lookup = (data_filter or {}).get("developerMetadataLookup")
        if lookup is None:
            raise invalid(
                f"{where}[{i}]: the Muster sandbox selects developer metadata by developerMetadataLookup only."
            )
        check_lookup(lookup, f"{where}[{i}]")
        for metadata in book.metadata:
            if metadata.visible_to(project) and matches(book, metadata, lookup, f"{where}[{i}]"):
                found.setdefault(metadata.metadata_id, (metadata, []))[1].append(data_filter)
    return sorted(found.values(), key=lambda pair: pair[0].metadata_id)


# --- moving with rows and columns ---------------------------------------------------------


def shift_insert(start: int, end: int, at: int, count: int) -> tuple[int, int]:
    """A span [start, end) after ``count`` rows are inserted at ``at``."""
    if at <= start:
        return start + count, end + count
    if at < end:
        return start, end + count
    return start, end


def shift_delete(start: int, end: int, lo: int, hi: int) -> tuple[int, int] | None:
    """A span [start, end) after rows [lo, hi) are deleted; None when nothing of it is left."""
    width = hi - lo

    def moved(i: int) -> int:
        return i if i <= lo else (lo if i <= hi else i - width)

    new_start, new_end = moved(start), moved(end)
    return (new_start, new_end) if new_start < new_end else None


def on_insert(book, sheet_id: int, location_type: str, at: int, count: int) -> None:
    for m in book.metadata:
        if m.sheet_id == sheet_id and m.location_type == location_type:
            m.start, m.end = shift_insert(m.start, m.end, at, count)


def on_delete(book, sheet_id: int, location_type: str, lo: int, hi: int) -> None:
    kept = []
    for m in book.metadata:
        if m.sheet_id == sheet_id and m.location_type == location_type:
            span = shift_delete(m.start, m.end, lo, hi)
            if span is None:
                continue
            m.start, m.end = span
        kept.append(m)
    book.metadata = kept


def on_reorder(book, sheet_id: int, start: int, order: list[int]) -> None:
    """Rows were sorted: old row ``order[i]`` is now row ``start + i``; one-row metadata follows."""
    new_place = {old: start + i for i, old in enumerate(order)}
    for m in book.metadata:
        if m.sheet_id == sheet_id and m.location_type == "ROW" and m.end - m.start == 1 and m.start in new_place:
            m.start = new_place[m.start]
            m.end = m.start + 1


def on_delete_sheet(book, sheet_id: int) -> None:
    book.metadata = [m for m in book.metadata if m.sheet_id != sheet_id]
