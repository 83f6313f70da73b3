"""How the export speaks in Discord: the answers to /export."""

from __future__ import annotations

from sheets_export.models import ExportTarget


def connected(target: ExportTarget, title: str) -> str:
    tabs = ", ".join(target.datasets)
    return (
        f"Connected **{title or target.spreadsheet_id}** (<{target.url}>): Muster writes {tabs}, "
        f"{target.get_cadence_display().lower()}, starting now. /export status shows how it went."
    )


def exporting(count: int) -> str:
    if count == 0:
        return "No spreadsheet is connected here yet: use /export connect url:<spreadsheet address>."
    return f"Updating {count} spreadsheet{'s' if count > 1 else ''} now: /export status shows the result in a moment."


def status(lines: list[str]) -> str:
    if not lines:
        return "No spreadsheet is connected here yet: use /export connect url:<spreadsheet address>."
    return "\n\n".join(lines)[:2000]
