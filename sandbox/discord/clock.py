"""Timestamps: ISO-8601 for payloads, and monotonic + wall clock for the control API."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def iso_now() -> str:
    """Current UTC time as Discord writes it (ISO-8601 with microseconds and offset)."""
    return datetime.now(UTC).isoformat()


def stamp() -> dict:
    """A moment as tests need it: monotonic seconds for durations, wall clock for humans."""
    return {"monotonic": time.monotonic(), "wall": time.time(), "iso": iso_now()}
