"""Discord message components as JSON, for worker-side handlers and renderers."""

from __future__ import annotations

STYLES = {"primary": 1, "secondary": 2, "success": 3, "danger": 4}


def button(label: str, custom_id: str, *, style: str = "secondary", disabled: bool = False,
           emoji: str | None = None) -> dict:  # fmt: skip
    """A button whose custom_id ("<domain>:<action>:<ids>") routes its clicks (max 100 chars)."""
    if len(custom_id) > 100:
        raise ValueError(f"custom_id longer than 100 characters: {custom_id!r}")
    data = {"type": 2, "style": STYLES[style], "label": label, "custom_id": custom_id, "disabled": disabled}
    if emoji:
        data["emoji"] = {"name": emoji}
    return data


def select(custom_id: str, options: list[tuple[str, str]], *, placeholder: str = "",
           min_values: int = 1, max_values: int = 1) -> dict:  # fmt: skip
    """A string select of (label, value) options."""
    return {
        "type": 3,
        "custom_id": custom_id,
        "options": [{"label": label, "value": value} for label, value in options],
        "placeholder": placeholder,
        "min_values": min_values,
        "max_values": max_values,
    }


def row(*components: dict) -> dict:
    """An action row: up to five buttons, or one select."""
    return {"type": 1, "components": list(components)}
