"""The Sheets export's holdings of a member's data (core.personal_data)."""

from __future__ import annotations

from core.personal_data import UNLINK, Holding, register

register(Holding("sheets_export.ExportTarget", "Exports that tell you of errors", ("configured_by",), forget=UNLINK))
