"""A site's credentials, read from the environment variables it names (or ``<NAME>_FILE``)."""

from __future__ import annotations

from config import env
from core.errors import RuleError


def from_env(name: str, what: str) -> str:
    """The value of ``name`` (or the file ``name``_FILE names); RuleError naming the variable when unset."""
    if not name:
        raise RuleError(f"The site names no environment variable for its {what}.")
    try:
        value = env.string(name)
    except env.SettingError as exc:
        raise RuleError(f"{exc}.") from None
    if not value:
        raise RuleError(f"The environment variable {name} (for the site's {what}) is not set in this process.")
    return value
