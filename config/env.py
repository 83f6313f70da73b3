"""Strict readers for settings that come from the environment.

django-environ does the parsing; these helpers refuse what it would silently accept
(``DEBUG=maybe`` read as False, a URL with an unknown scheme) and support
``<NAME>_FILE`` for secrets mounted as files. Every failure is a ``SettingError``
whose message is one line naming the variable.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.FileAwareEnv()

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


class SettingError(ImproperlyConfigured):
    """A missing or malformed environment variable; the message names it."""


def _raw(name: str) -> str | None:
    """The variable's value, from NAME or (when NAME is unset or empty) the file named by NAME_FILE.

    Empty counts as unset, so ``NAME=`` copied from .env.example does not hide NAME_FILE.
    """
    file_name = os.environ.get(f"{name}_FILE")
    if file_name and not os.environ.get(name):
        try:
            with open(file_name, encoding="utf-8") as fh:
                return fh.read().strip()
        except OSError as exc:
            raise SettingError(f"{name}_FILE: cannot read {file_name!r} ({exc.strerror})") from None
    return os.environ.get(name)


def string(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    value = _raw(name)
    if value is None or value == "":
        if required:
            raise SettingError(f"{name} is required but not set")
        return default
    return value


def boolean(name: str, default: bool = False) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    raise SettingError(f"{name}={value!r} is not a boolean (use true or false)")


def integer(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise SettingError(f"{name}={value!r} is not a whole number") from None
    if minimum is not None and number < minimum:
        raise SettingError(f"{name}={number} is below the minimum of {minimum}")
    return number


def number(name: str, default: float) -> float:
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except ValueError:
        raise SettingError(f"{name}={value!r} is not a number") from None


def string_list(name: str, default: list[str] | None = None, *, required: bool = False) -> list[str]:
    value = string(name, required=required)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def url(name: str, default: str | None = None, *, schemes: tuple[str, ...]) -> str | None:
    """A URL whose scheme is one of ``schemes`` and that names a host (or a path for sqlite)."""
    value = string(name, default)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in schemes:
        allowed = ", ".join(f"{s}://" for s in schemes)
        raise SettingError(f"{name} must start with one of {allowed} (got {_redact(value)!r})")
    if not parts.scheme.startswith("sqlite") and not parts.hostname:
        raise SettingError(f"{name} has no host name (got {_redact(value)!r})")
    return value


def database(name: str, default: dict) -> dict:
    """A Django DATABASES entry from a postgres:// or sqlite:// URL."""
    value = url(name, schemes=("postgres", "postgresql", "pgsql", "sqlite"))
    if value is None:
        return default
    config = env.db_url_config(value)
    if config["ENGINE"] == "django.db.backends.postgresql" and not config["NAME"]:
        raise SettingError(f"{name} names no database (got {_redact(value)!r})")
    return config


def _redact(value: str) -> str:
    """Hide the password of a URL so an error message never leaks it."""
    parts = urlsplit(value)
    if parts.password:
        return value.replace(f":{parts.password}@", ":***@")
    return value
