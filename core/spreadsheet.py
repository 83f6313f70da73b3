"""Cells for spreadsheet programs (the CSV downloads of the admin)."""

from __future__ import annotations


def csv_safe(value) -> str:
    """Keep spreadsheet programs from running a member's text as a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
