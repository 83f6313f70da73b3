"""Discord message components as JSON, for handlers and messages (custom_ids from ``CustomId``)."""

from __future__ import annotations

STYLES = {"primary": 1, "secondary": 2, "success": 3, "danger": 4}


def button(label: str, custom_id: str, *, style: str = "secondary") -> dict:
    """A button whose custom_id (built by a ``CustomId``) routes its clicks."""
    return {"type": 2, "style": STYLES[style], "label": label, "custom_id": custom_id}


def select(custom_id: str, options: list[tuple[str, str]], *, placeholder: str, max_values: int = 1) -> dict:
    """A string select of (label, value) options; members pick one to ``max_values``."""
    return {
        "type": 3,
        "custom_id": custom_id,
        "placeholder": placeholder,
        "min_values": 1,
        "max_values": max_values,
        "options": [{"label": label, "value": value} for label, value in options],
    }


def row(*components: dict) -> dict:
    """An action row: up to five buttons, or one select."""
    return {"type": 1, "components": list(components)}
